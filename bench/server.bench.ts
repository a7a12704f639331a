/**
 * Server bench (issue 4): sipwss and Kamailio as WSS registrar/proxies, side by side, in one run and
 * under one load generator.
 *
 *   node --import tsx bench/server.bench.ts [--server kamailio|sipwss|both] [--conns 5000,10000]
 *        [--duration S] [--warmup S] [--msg-conns N] [--reg-conns N] [--window N] [--load-procs N]
 *        [--rounds N] [--only message|register]
 *
 * The load: `--msg-conns` + registered WSS clients acting like JsSIP UAs (bench/load/ua.ts), in
 * `--load-procs` child processes (bench/load/worker.ts). Each server runs as its own process group
 * (bench/servers/kamailio-registrar.ts, bench/servers/sipwss-server.ts); its CPU and memory come
 * from /proc (bench/load/procfs.ts).
 *   (1) MESSAGE relay: `--msg-conns` registered users (default 100), each keeping `--window` MESSAGEs
 *       (default 2) outstanding to random other users; every callee answers 200 itself. Transactions/s
 *       and latency (MESSAGE sent → its 200 received) p50/p99 over `--duration` s after `--warmup` s.
 *   (2) REGISTER refreshes: `--reg-conns` registered users (default 50), one REGISTER outstanding each
 *       (RFC 3261 §10.2), the next sent when the 200 arrives. REGISTER/s and p50/p99.
 *   (3) Memory per registered idle client, on a freshly started server: 20 warm-up clients, then open
 *       and register clients up to each count of `--conns` (default 5,000 then 10,000), settle 3 s,
 *       and divide the growth of the server's PSS (and RSS) by the clients added.
 * With `--rounds N` the rates are taken N times, the servers alternating (each round on a fresh
 * instance), and pooled: the other jobs on a shared machine then weigh on both servers alike.
 * Figures, never a gate: exit code 0 unless the bench itself fails.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { testPki } from '../test/helpers/certs.js';
import { LoadPool, mergeRuns, type RunResult } from './load/pool.js';
import { type GroupMemory, groupCpuMs, groupMemory } from './load/procfs.js';
import { killAllGroups, type ServerUnderTest, type StartSut, sleep } from './load/sut.js';
import { kamailioMissing, start as startKamailio } from './servers/kamailio-registrar.js';
import { sipwssMissing, start as startSipwss } from './servers/sipwss-server.js';

type ServerName = 'kamailio' | 'sipwss';
const SERVERS: readonly ServerName[] = ['kamailio', 'sipwss'];
const ADAPTERS: Record<ServerName, { start: StartSut; missing: () => false | string }> = {
  kamailio: { start: startKamailio, missing: kamailioMissing },
  sipwss: { start: startSipwss, missing: sipwssMissing },
};
/** Clients opened before the memory baseline (JIT, TLS contexts, first allocations) and kept open. */
const MEM_WARMUP = 20;
const SETTLE_MS = 3000;
const OPEN_CONCURRENCY = 32;
const TX_TIMEOUT_MS = 5000;

interface Options {
  readonly servers: readonly ServerName[];
  readonly conns: readonly number[];
  readonly durationS: number;
  readonly warmupS: number;
  readonly msgConns: number;
  readonly regConns: number;
  readonly window: number;
  readonly loadProcs: number;
  readonly rounds: number;
  /** Which rate phases to run (`--only message` or `--only register` for profiling one path). */
  readonly phases: ReadonlySet<'message' | 'register'>;
}

function parseArgs(argv: readonly string[]): Options {
  const o = {
    servers: SERVERS as readonly ServerName[],
    conns: [5000, 10_000] as readonly number[],
    durationS: 10,
    warmupS: 2,
    msgConns: 100,
    regConns: 50,
    window: 2,
    loadProcs: 1,
    rounds: 1,
    phases: new Set<'message' | 'register'>(['message', 'register']) as ReadonlySet<'message' | 'register'>,
  };
  const int = (flag: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min || n > max) {
      throw new Error(`${flag} needs an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    i++;
    switch (a) {
      case '--server':
        if (v === 'both') o.servers = SERVERS;
        else if (v === 'kamailio' || v === 'sipwss') o.servers = [v];
        else throw new Error(`--server takes kamailio, sipwss or both, got ${JSON.stringify(v)}`);
        break;
      case '--conns': {
        // the load processes hold every client socket: stay well under the 20,000 open-files cap
        const list = (v ?? '').split(',').map((s) => int(a, s, 0, 15_000));
        if (list.some((n, k) => k > 0 && n <= (list[k - 1] ?? 0)))
          throw new Error(`--conns needs increasing counts, got ${JSON.stringify(v)}`);
        o.conns = list.filter((n) => n > 0);
        break;
      }
      case '--duration':
        o.durationS = int(a, v, 1, 120);
        break;
      case '--warmup':
        o.warmupS = int(a, v, 0, 30);
        break;
      case '--msg-conns':
        o.msgConns = int(a, v, 2, 5000);
        break;
      case '--reg-conns':
        o.regConns = int(a, v, 1, 5000);
        break;
      case '--window':
        o.window = int(a, v, 1, 100);
        break;
      case '--only':
        if (v !== 'message' && v !== 'register')
          throw new Error(`--only takes message or register, got ${JSON.stringify(v)}`);
        o.phases = new Set([v]);
        break;
      case '--rounds':
        o.rounds = int(a, v, 1, 10);
        break;
      case '--load-procs':
        o.loadProcs = int(a, v, 1, 8);
        break;
      default:
        throw new Error(`unknown argument ${JSON.stringify(a)}`);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// one server

interface RateFigures {
  readonly run: RunResult;
  /** Server CPU time over the recorded window, ms, and that as a share of one core. */
  readonly serverCpuMs: number;
  readonly serverCores: number;
  readonly loadCores: number;
}

/** Pools the rounds of one scenario: CPU adds up, rates and shares are over the summed time. */
function mergeRates(a: RateFigures | undefined, b: RateFigures): RateFigures {
  if (a === undefined) return b;
  const run = mergeRuns(a.run, b.run);
  const serverCpuMs = a.serverCpuMs + b.serverCpuMs;
  return {
    run,
    serverCpuMs,
    serverCores: run.wallMs > 0 ? serverCpuMs / run.wallMs : 0,
    loadCores: run.wallMs > 0 ? run.loadCpuMs / run.wallMs : 0,
  };
}

interface MemStep {
  readonly clients: number;
  readonly openSeconds: number;
  readonly before: GroupMemory;
  readonly after: GroupMemory;
  /** Growth per client, bytes (PSS when readable, else undefined) and RSS. */
  readonly pssPerClient: number | undefined;
  readonly rssPerClient: number;
}

interface Result {
  description: string;
  message?: RateFigures;
  register?: RateFigures;
  readonly memory: MemStep[];
}

function log(line: string): void {
  process.stderr.write(`  ${line}\n`);
}

interface Pki {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  readonly ca: string;
}

async function withServer<T>(
  name: ServerName,
  pki: Pki,
  maxConnections: number,
  opts: Options,
  body: (sut: ServerUnderTest, pool: LoadPool) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `sipwss-bench-${name}-`));
  tempDirs.add(dir);
  let sut: ServerUnderTest | undefined;
  let pool: LoadPool | undefined;
  try {
    sut = await ADAPTERS[name].start({ ...pki, maxConnections, dir });
    pool = await LoadPool.start(opts.loadProcs, {
      url: sut.url,
      ca: pki.ca,
      domain: sut.domain,
      // as a browser page would (Kamailio ignores it; sipwss checks it when configured to)
      origin: 'https://127.0.0.1',
    });
    return await body(sut, pool);
  } catch (err) {
    const tail = sut?.log().trim().split('\n').slice(-15).join('\n') ?? '';
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}${tail ? `\n${name} log tail:\n${tail}` : ''}`,
    );
  } finally {
    await pool?.stop();
    await sut?.stop();
    removeDir(dir);
  }
}

/** Temporary directories of running servers (config, log), removed also on Ctrl-C. */
const tempDirs = new Set<string>();

/** SIPWSS_KEEP_BENCH_DIRS=1 keeps them (the servers' config files and logs). */
function removeDir(dir: string): void {
  tempDirs.delete(dir);
  if (process.env.SIPWSS_KEEP_BENCH_DIRS !== '1') rmSync(dir, { recursive: true, force: true });
}

async function rate(
  sut: ServerUnderTest,
  pool: LoadPool,
  type: 'message' | 'register',
  users: number,
  opts: Options,
): Promise<RateFigures> {
  const running = pool.run({
    type,
    users,
    window: type === 'message' ? opts.window : 1,
    warmupMs: opts.warmupS * 1000,
    durationMs: opts.durationS * 1000,
    timeoutMs: TX_TIMEOUT_MS,
  });
  // the server's CPU over the same window as the load processes record (IPC skew: milliseconds)
  await sleep(opts.warmupS * 1000);
  const c0 = groupCpuMs(sut.pgid);
  const t0 = performance.now();
  await sleep(opts.durationS * 1000);
  const c1 = groupCpuMs(sut.pgid);
  const wall = performance.now() - t0;
  const run = await running;
  return {
    run,
    serverCpuMs: c1 - c0,
    serverCores: (c1 - c0) / wall,
    loadCores: run.loadCpuMs / run.wallMs,
  };
}

function describeRate(label: string, unit: string, f: RateFigures): void {
  const r = f.run;
  log(
    `${label}: ${r.perSecond.toFixed(0)} ${unit}/s, p50 ${r.latency.quantile(0.5).toFixed(2)} ms, ` +
      `p99 ${r.latency.quantile(0.99).toFixed(2)} ms, max ${r.latency.max.toFixed(1)} ms ` +
      `(${r.ok} ok, ${r.failed} failed, ${r.timeouts} timeouts, ${r.unmatched} unmatched, ` +
      `${r.answered} requests answered as UAS, ${r.leftover} left pending, ` +
      `${r.lostConnections} connections lost); server ${(f.serverCores * 100).toFixed(0)} % of a core, ` +
      `load ${(f.loadCores * 100).toFixed(0)} % (event loop ${(r.maxElu * 100).toFixed(0)} % busy)`,
  );
  if (r.failures.length > 0) log(`  failures: ${r.failures.map(([k, v]) => `${v}× ${k}`).join(', ')}`);
  if (r.maxElu >= 0.95)
    log('  the load generator was saturated: add --load-procs, or read server CPU per transaction');
}

/** (1) and (2) on one server instance. */
async function ratePhase(name: ServerName, opts: Options, pki: Pki, result: Result): Promise<void> {
  const rateUsers = Math.max(opts.msgConns, opts.regConns);
  await withServer(name, pki, rateUsers + 100, opts, async (sut, pool) => {
    result.description = sut.description;
    log(`${name}: ${sut.description}, ${sut.url}`);
    const o = await pool.open(0, rateUsers, OPEN_CONCURRENCY, 30_000);
    if (o.failed > 0)
      throw new Error(`${o.failed} of ${rateUsers} clients failed to register: ${o.firstError}`);
    log(`${name}: ${o.opened} clients registered in ${o.seconds.toFixed(1)} s`);
    if (opts.phases.has('message')) {
      const m = await rate(sut, pool, 'message', opts.msgConns, opts);
      describeRate(`${name} MESSAGE over ${opts.msgConns} conns, window ${opts.window}`, 'tx', m);
      result.message = mergeRates(result.message, m);
    }
    if (opts.phases.has('register')) {
      const r = await rate(sut, pool, 'register', opts.regConns, opts);
      describeRate(`${name} REGISTER over ${opts.regConns} conns`, 'REGISTER', r);
      result.register = mergeRates(result.register, r);
    }
    await pool.closeAll();
  });
}

/** (3) on a fresh instance. */
async function memoryPhase(name: ServerName, opts: Options, pki: Pki, result: Result): Promise<void> {
  const maxConns = opts.conns[opts.conns.length - 1];
  if (maxConns === undefined) return;
  await withServer(name, pki, maxConns + MEM_WARMUP + 100, opts, async (sut, pool) => {
    log(`${name}: fresh instance for memory: ${sut.description}`);
    const w = await pool.open(0, MEM_WARMUP, OPEN_CONCURRENCY, 30_000);
    if (w.failed > 0) throw new Error(`warm-up clients failed: ${w.firstError}`);
    await sleep(SETTLE_MS);
    const before = groupMemory(sut.pgid);
    for (const n of opts.conns) {
      const o = await pool.open(MEM_WARMUP, MEM_WARMUP + n, OPEN_CONCURRENCY, 60_000);
      if (o.failed > 0) throw new Error(`${o.failed} clients failed to open/register: ${o.firstError}`);
      await sleep(SETTLE_MS);
      const after = groupMemory(sut.pgid);
      const step: MemStep = {
        clients: n,
        openSeconds: o.seconds,
        before,
        after,
        pssPerClient:
          after.pss !== undefined && before.pss !== undefined ? (after.pss - before.pss) / n : undefined,
        rssPerClient: (after.rss - before.rss) / n,
      };
      result.memory.push(step);
      log(
        `${name}: ${n} idle registered clients (opened in ${o.seconds.toFixed(1)} s): ` +
          `${kb(step.pssPerClient)} KB PSS, ${kb(step.rssPerClient)} KB RSS per client ` +
          `(PSS ${mb(before.pss)} → ${mb(after.pss)} MB over ${after.processes} processes)`,
      );
    }
    await pool.closeAll();
  });
}

// ---------------------------------------------------------------------------------------------
// report

function kb(bytes: number | undefined): string {
  return bytes === undefined ? '-' : (bytes / 1024).toFixed(1);
}

function mb(bytes: number | undefined): string {
  return bytes === undefined ? '-' : (bytes / 1024 / 1024).toFixed(1);
}

type Target =
  | { readonly kind: 'ratio-min'; readonly min: number }
  | { readonly kind: 'ratio-below'; readonly max: number }
  | { readonly kind: 'ratio-max'; readonly max: number }
  | { readonly kind: 'mem'; readonly maxBytes: number; readonly maxRatio: number };

interface Row {
  readonly metric: string;
  readonly value: (r: Result) => number | undefined;
  readonly format: (v: number) => string;
  readonly target?: Target;
}

const ms = (v: number) => v.toFixed(2);
const int0 = (v: number) => v.toFixed(0);

function rows(opts: Options): Row[] {
  const out: Row[] = [
    {
      metric: `MESSAGE tx/s (${opts.msgConns} conns)`,
      value: (r) => r.message?.run.perSecond,
      format: int0,
      target: { kind: 'ratio-min', min: 1.5 },
    },
    { metric: '  MESSAGE p50 ms', value: (r) => r.message?.run.latency.quantile(0.5), format: ms },
    {
      metric: '  MESSAGE p99 ms',
      value: (r) => r.message?.run.latency.quantile(0.99),
      format: ms,
      target: { kind: 'ratio-below', max: 1 },
    },
    {
      metric: '  server CPU µs/MESSAGE tx',
      value: (r) =>
        r.message && r.message.run.ok > 0 ? (r.message.serverCpuMs * 1000) / r.message.run.ok : undefined,
      format: int0,
      // the rate target in CPU form: what 1.5 × the rate needs when the load or the machine is the limit
      target: { kind: 'ratio-max', max: 1 / 1.5 },
    },
    { metric: '  server CPU, cores', value: (r) => r.message?.serverCores, format: (v) => v.toFixed(2) },
    { metric: '  load CPU, cores', value: (r) => r.message?.loadCores, format: (v) => v.toFixed(2) },
    {
      metric: '  load CPU µs/MESSAGE tx',
      value: (r) =>
        r.message && r.message.run.ok > 0 ? (r.message.run.loadCpuMs * 1000) / r.message.run.ok : undefined,
      format: int0,
    },
    {
      metric: `REGISTER/s (${opts.regConns} conns)`,
      value: (r) => r.register?.run.perSecond,
      format: int0,
      target: { kind: 'ratio-min', min: 1.2 },
    },
    { metric: '  REGISTER p50 ms', value: (r) => r.register?.run.latency.quantile(0.5), format: ms },
    { metric: '  REGISTER p99 ms', value: (r) => r.register?.run.latency.quantile(0.99), format: ms },
    {
      metric: '  server CPU µs/REGISTER',
      value: (r) =>
        r.register && r.register.run.ok > 0 ? (r.register.serverCpuMs * 1000) / r.register.run.ok : undefined,
      format: int0,
      target: { kind: 'ratio-max', max: 1 / 1.2 },
    },
    { metric: '  server CPU, cores', value: (r) => r.register?.serverCores, format: (v) => v.toFixed(2) },
    { metric: '  load CPU, cores', value: (r) => r.register?.loadCores, format: (v) => v.toFixed(2) },
  ];
  for (const n of opts.conns) {
    out.push(
      {
        metric: `KB PSS/idle registered client @${n}`,
        value: (r) => r.memory.find((m) => m.clients === n)?.pssPerClient,
        format: kb,
        target: { kind: 'mem', maxBytes: 33 * 1024, maxRatio: 1 / 3 },
      },
      {
        metric: `  KB RSS/client @${n}`,
        value: (r) => r.memory.find((m) => m.clients === n)?.rssPerClient,
        format: kb,
      },
    );
  }
  return out;
}

function table(results: Partial<Record<ServerName, Result>>, opts: Options): string {
  const k = results.kamailio;
  const s = results.sipwss;
  const header = ['metric', 'Kamailio', 'sipwss', 'sipwss/Kamailio', 'target', 'met'];
  const body = rows(opts).map((row) => {
    const kv = k ? row.value(k) : undefined;
    const sv = s ? row.value(s) : undefined;
    const ratio = kv !== undefined && sv !== undefined && kv !== 0 ? sv / kv : undefined;
    const t = row.target;
    let target = '';
    let met = '';
    if (t?.kind === 'ratio-min') {
      target = `≥ ${t.min.toFixed(1)}×`;
      if (ratio !== undefined) met = ratio >= t.min ? 'yes' : 'NO';
    } else if (t?.kind === 'ratio-below') {
      target = `< ${t.max.toFixed(1)}×`;
      if (ratio !== undefined) met = ratio < t.max ? 'yes' : 'NO';
    } else if (t?.kind === 'ratio-max') {
      target = `≤ ${t.max.toFixed(2)}×`;
      if (ratio !== undefined) met = ratio <= t.max ? 'yes' : 'NO';
    } else if (t?.kind === 'mem') {
      target = `≤ ${kb(t.maxBytes)} KB, < ⅓×`;
      if (sv !== undefined)
        met = sv <= t.maxBytes && (ratio === undefined || ratio < t.maxRatio) ? 'yes' : 'NO';
    }
    return [
      row.metric,
      kv === undefined || Number.isNaN(kv) ? '-' : row.format(kv),
      sv === undefined || Number.isNaN(sv) ? '-' : row.format(sv),
      ratio === undefined || !Number.isFinite(ratio) ? '-' : ratio.toFixed(2),
      target,
      met,
    ];
  });
  const all = [header, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const onSignal = (sig: NodeJS.Signals) => {
    killAllGroups();
    for (const dir of [...tempDirs]) removeDir(dir);
    process.stderr.write(`\n${sig}: servers stopped\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const pki = await testPki();
  // the test CA and certificates are made per process; leave no key files behind
  process.on('exit', () => rmSync(pki.dir, { recursive: true, force: true }));
  const p: Pki = {
    certFile: pki.files.serverCert,
    keyFile: pki.files.serverKey,
    caFile: pki.files.ca,
    ca: readFileSync(pki.files.ca, 'utf8'),
  };
  const t0 = performance.now();
  process.stderr.write(
    `server bench: node ${process.version}, ${cpus().length} cpus (load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}), ${opts.loadProcs} load process(es); MESSAGE over ${opts.msgConns} conns ` +
      `(window ${opts.window}), REGISTER over ${opts.regConns}, ${opts.warmupS} s warm-up + ` +
      `${opts.durationS} s each, ${opts.rounds} round(s); memory at ${opts.conns.join(', ') || 'none'} clients\n`,
  );
  const results: Partial<Record<ServerName, Result>> = {};
  const notes: string[] = [];
  const names: ServerName[] = [];
  for (const name of opts.servers) {
    const missing = ADAPTERS[name].missing();
    if (missing) notes.push(`${name} skipped: ${missing}`);
    else names.push(name);
  }
  // the rates of both servers back to back, then the memory of both: what else runs on the machine
  // changes from minute to minute, so figures to compare are taken close together
  const phases = [...Array.from({ length: opts.rounds }, () => ratePhase), memoryPhase];
  for (const phase of phases) {
    for (const name of names) {
      if (notes.some((n) => n.startsWith(`${name} failed`))) continue;
      const r = (results[name] ??= { description: '', memory: [] });
      try {
        await phase(name, opts, p, r);
      } catch (err) {
        notes.push(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = 1;
      }
    }
  }
  console.log(table(results, opts));
  for (const name of SERVERS) {
    const r = results[name];
    if (r) console.log(`\n${name}: ${r.description}`);
  }
  for (const n of notes) console.log(`\n${n}`);
  console.log(
    `\nLoad average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (2 cores shared with the server and other jobs). ` +
      `Total ${((performance.now() - t0) / 1000).toFixed(0)} s.`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  killAllGroups();
  process.exit(1);
});
