/**
 * Server bench (issue 4): sipwss and Kamailio as WSS registrar/proxies, side by side, in one run and
 * under one load generator.
 *
 *   node --import tsx bench/server.bench.ts [--server kamailio|sipwss|both] [--conns 5000,10000]
 *        [--slice S] [--pairs N] [--slice-warmup S] [--max-steal P] [--warmup S] [--msg-conns N]
 *        [--reg-conns N] [--window N] [--load-procs N] [--rounds N [--duration S]]
 *        [--only message|register]
 *
 * The load: `--msg-conns` + registered WSS clients acting like JsSIP UAs (bench/load/ua.ts), in
 * `--load-procs` child processes (bench/load/worker.ts). Each server runs as its own process group
 * (bench/servers/kamailio-registrar.ts, bench/servers/sipwss-server.ts); its CPU and memory come
 * from /proc (bench/load/procfs.ts).
 *   (1) MESSAGE relay: `--msg-conns` registered users (default 100), each keeping `--window` MESSAGEs
 *       (default 2) outstanding to random other users; every callee answers 200 itself. Transactions/s
 *       and latency (MESSAGE sent → its 200 received) p50/p99.
 *   (2) REGISTER refreshes: `--reg-conns` registered users (default 50), one REGISTER outstanding each
 *       (RFC 3261 §10.2), the next sent when the 200 arrives. REGISTER/s and p50/p99.
 *   (3) Memory per registered idle client, on a freshly started server: 20 warm-up clients, then open
 *       and register clients up to each count of `--conns` (default 5,000 then 10,000), settle 3 s,
 *       and divide the growth of the server's PSS (and RSS) by the clients added.
 * How the rates are taken:
 * - Both servers (the default): interleaved. Both servers are started once, each with its own load
 *   processes and registered users, and each rate is taken in `--pairs` pairs (default 80 / `--slice`,
 *   rounded up: 40) of `--slice` s measured windows (default 2), the servers alternating in ABBA order
 *   (K S, S K, K S, ...; bench/load/pairs.ts) while the other one idles with its clients connected.
 *   Each slice has `--slice-warmup` s unrecorded first (default 1; `--warmup` s, default 2, before a
 *   server's first slice of a scenario). This VM's speed moves by ±30 % from one 10 s window to the
 *   next: two slices seconds apart see nearly the same machine, ABBA cancels a linear drift, and the
 *   median of many pair ratios moves far less than one ratio of two long phases. The table pools the
 *   slices (sums, as rounds are pooled); a line per scenario gives the spread of the pair ratios,
 *   of all of them and of the calm ones: pairs in which neither slice lost more than `--max-steal` %
 *   (default 2) of the machine's CPU to the hypervisor (/proc/stat steal, which comes in bursts here).
 * - `--rounds N` (or one server): the rate phases are taken N times (default 1), the servers
 *   alternating, each round on a freshly started server: `--warmup` s then `--duration` s (default 10).
 * Figures, never a gate: exit code 0 unless the bench itself fails.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { testPki } from '../test/helpers/certs.js';
import {
  abbaOrder,
  formatSpread,
  type PairRatio,
  type PairSummary,
  pairRatio,
  type SliceFigures,
  summarisePairs,
} from './load/pairs.js';
import { LoadPool, mergeRuns, type RunResult } from './load/pool.js';
import { type GroupMemory, groupCpuMs, groupMemory, machineTicks, stealShare } from './load/procfs.js';
import { killAllGroups, type ServerUnderTest, type StartSut, sleep } from './load/sut.js';
import { kamailioMissing, start as startKamailio } from './servers/kamailio-registrar.js';
import {
  BASELINE_CLI,
  baselineMissing,
  sipwssMissing,
  startBaseline,
  start as startSipwss,
} from './servers/sipwss-server.js';

type ServerName = 'kamailio' | 'sipwss';
const SERVERS: readonly ServerName[] = ['kamailio', 'sipwss'];
const ADAPTERS: Record<ServerName, { start: StartSut; missing: () => false | string }> = {
  kamailio: BASELINE_CLI
    ? { start: startBaseline, missing: baselineMissing }
    : { start: startKamailio, missing: kamailioMissing },
  sipwss: { start: startSipwss, missing: sipwssMissing },
};
/** Clients opened before the memory baseline (JIT, TLS contexts, first allocations) and kept open. */
const MEM_WARMUP = 20;
const SETTLE_MS = 3000;
const OPEN_CONCURRENCY = 32;
const TX_TIMEOUT_MS = 5000;
/**
 * Measured seconds per server and scenario that the default `--pairs` aims at. A single pair's REGISTER
 * ratio ranges from about 0.8 to 2 here (Kamailio has fast stretches of a few seconds at about 60 % of
 * its usual CPU per REGISTER); medians of 15 pairs moved between 1.14 and 1.34, of 40 pairs much less.
 */
const INTERLEAVED_TARGET_S = 80;

type Scenario = 'message' | 'register';

const USAGE = `usage: node --import tsx bench/server.bench.ts [options]
  --server kamailio|sipwss|both  servers to run (default both)
  --conns N[,N...]               idle registered clients for the memory figure, increasing
                                 (default 5000,10000; 0 skips memory)
  --only message|register        one rate scenario only
  --msg-conns N                  clients exchanging MESSAGEs (default 100)
  --window N                     MESSAGEs outstanding per client (default 2)
  --reg-conns N                  clients refreshing their registration (default 50)
  --load-procs N                 load processes per server (default 1)
 both servers, interleaved (the default):
  --slice S                      measured seconds per slice (default 2; decimals allowed)
  --pairs N                      ABBA pairs of slices per scenario (default ${INTERLEAVED_TARGET_S} / slice, rounded up)
  --slice-warmup S               unrecorded seconds before each slice (default 1)
  --max-steal P                  pairs whose slices lost at most P % of the machine to the
                                 hypervisor (/proc/stat steal) are also summarised apart (default 2)
  --warmup S                     ... before a server's first slice of a scenario (default 2)
 the old way: each round on a freshly started server (also with one server):
  --rounds N                     rate phases per server, alternating the servers (default 1)
  --duration S                   measured seconds per phase (default 10), after --warmup S
`;

interface Options {
  readonly servers: readonly ServerName[];
  readonly conns: readonly number[];
  readonly durationS: number;
  readonly warmupS: number;
  readonly msgConns: number;
  readonly regConns: number;
  readonly window: number;
  readonly loadProcs: number;
  /** Rate phases per server on fresh instances; undefined: interleave when both servers run, else 1. */
  readonly rounds: number | undefined;
  /** Interleaved mode: measured seconds per slice, ABBA pairs per scenario, warm-up before a slice. */
  readonly sliceS: number;
  readonly pairs: number;
  readonly sliceWarmupS: number;
  /** Interleaved mode: most steal (share of the machine's CPU) a pair may have and count as calm. */
  readonly maxSteal: number;
  /** Which rate phases to run (`--only message` or `--only register` for profiling one path). */
  readonly phases: ReadonlySet<Scenario>;
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
    rounds: undefined as number | undefined,
    sliceS: 2,
    pairs: 0,
    sliceWarmupS: 1,
    maxSteal: 0.02,
    phases: new Set<Scenario>(['message', 'register']) as ReadonlySet<Scenario>,
  };
  /** Flags given, to refuse combinations where one would be silently ignored. */
  const given = new Set<string>();
  const int = (flag: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min || n > max) {
      throw new Error(`${flag} needs an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
    return n;
  };
  /** A decimal number of `unit` from min to max. */
  const num = (flag: string, v: string | undefined, min: number, max: number, unit: string): number => {
    const n = Number(v);
    if (v === undefined || v.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new Error(`${flag} needs a number of ${unit} from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    const v = argv[i + 1];
    i++;
    if (a !== undefined) given.add(a);
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
      case '--slice':
        o.sliceS = num(a, v, 0.5, 60, 'seconds');
        break;
      case '--pairs':
        o.pairs = int(a, v, 1, 200);
        break;
      case '--slice-warmup':
        o.sliceWarmupS = num(a, v, 0, 30, 'seconds');
        break;
      case '--max-steal':
        o.maxSteal = num(a, v, 0, 100, 'percent') / 100;
        break;
      case '--load-procs':
        o.loadProcs = int(a, v, 1, 8);
        break;
      default:
        throw new Error(`unknown argument ${JSON.stringify(a)} (--help lists the options)`);
    }
  }
  const interleaving = ['--slice', '--pairs', '--slice-warmup', '--max-steal'].filter((f) => given.has(f));
  if (o.rounds !== undefined && interleaving.length > 0)
    throw new Error(`${interleaving.join(', ')} set interleaved slices, --rounds the old way: not both`);
  // with both servers the rates are interleaved, where --duration means nothing: say so, not ignore it
  if (given.has('--duration') && o.rounds === undefined && o.servers.length > 1)
    throw new Error(
      '--duration is the length of a --rounds phase; both servers are interleaved in slices ' +
        '(--slice S, --pairs N): add --rounds N for the old way, or --server for one server',
    );
  if (o.pairs === 0) o.pairs = Math.max(1, Math.ceil(INTERLEAVED_TARGET_S / o.sliceS));
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
  /** Share of the machine's CPU time the hypervisor stole over the window (/proc/stat). */
  readonly steal: number;
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
    // weighted by the windows' lengths
    steal: run.wallMs > 0 ? (a.steal * a.run.wallMs + b.steal * b.run.wallMs) / run.wallMs : 0,
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

/** A server under test with its load processes, both running. */
interface Running {
  readonly name: ServerName;
  readonly sut: ServerUnderTest;
  readonly pool: LoadPool;
  /** Stops the load processes and the server, and removes its directory. */
  stop(): Promise<void>;
  /** `err` as an Error whose message ends with the server's last log lines. */
  explain(err: unknown): Error;
}

function explainWith(name: ServerName, sut: ServerUnderTest | undefined, err: unknown): Error {
  const tail = sut?.log().trim().split('\n').slice(-15).join('\n') ?? '';
  return new Error(
    `${err instanceof Error ? err.message : String(err)}${tail ? `\n${name} log tail:\n${tail}` : ''}`,
  );
}

/** Starts a fresh instance of `name` and its load processes (not yet connected). */
async function startServer(
  name: ServerName,
  pki: Pki,
  maxConnections: number,
  opts: Options,
): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), `sipwss-bench-${name}-`));
  tempDirs.add(dir);
  let sut: ServerUnderTest | undefined;
  let pool: LoadPool | undefined;
  const stop = async () => {
    await pool?.stop();
    await sut?.stop();
    removeDir(dir);
  };
  try {
    sut = await ADAPTERS[name].start({ ...pki, maxConnections, dir });
    pool = await LoadPool.start(opts.loadProcs, {
      url: sut.url,
      ca: pki.ca,
      domain: sut.domain,
      // as a browser page would (Kamailio ignores it; sipwss checks it when configured to)
      origin: 'https://127.0.0.1',
    });
  } catch (err) {
    const e = explainWith(name, sut, err);
    await stop();
    throw e;
  }
  const s = sut;
  return { name, sut: s, pool, stop, explain: (err) => explainWith(name, s, err) };
}

async function withServer<T>(
  name: ServerName,
  pki: Pki,
  maxConnections: number,
  opts: Options,
  body: (sut: ServerUnderTest, pool: LoadPool) => Promise<T>,
): Promise<T> {
  const r = await startServer(name, pki, maxConnections, opts);
  try {
    return await body(r.sut, r.pool);
  } catch (err) {
    throw r.explain(err);
  } finally {
    await r.stop();
  }
}

/** Temporary directories of running servers (config, log), removed also on Ctrl-C. */
const tempDirs = new Set<string>();

/** SIPWSS_KEEP_BENCH_DIRS=1 keeps them (the servers' config files and logs). */
function removeDir(dir: string): void {
  tempDirs.delete(dir);
  if (process.env.SIPWSS_KEEP_BENCH_DIRS !== '1') rmSync(dir, { recursive: true, force: true });
}

interface Window {
  readonly warmupMs: number;
  readonly durationMs: number;
}

/**
 * One recorded run of `type` on `sut`; with `idle`, also the CPU that server (the other one, holding
 * its idle clients) used over the same window: work it deferred from its own slice, e.g. Kamailio's tm
 * freeing transactions 5 s after their reply, lands in the other server's slice.
 */
async function rate(
  sut: ServerUnderTest,
  pool: LoadPool,
  type: Scenario,
  users: number,
  opts: Options,
  window: Window,
  idle?: ServerUnderTest,
): Promise<RateFigures & { readonly idleCpuMs: number }> {
  const running = pool.run({
    type,
    users,
    window: type === 'message' ? opts.window : 1,
    warmupMs: window.warmupMs,
    durationMs: window.durationMs,
    timeoutMs: TX_TIMEOUT_MS,
  });
  // the server's CPU over the same window as the load processes record (IPC skew: milliseconds)
  await sleep(window.warmupMs);
  const c0 = groupCpuMs(sut.pgid);
  const i0 = idle ? groupCpuMs(idle.pgid) : 0;
  const m0 = machineTicks();
  const t0 = performance.now();
  await sleep(window.durationMs);
  const c1 = groupCpuMs(sut.pgid);
  const i1 = idle ? groupCpuMs(idle.pgid) : 0;
  const steal = stealShare(m0, machineTicks());
  const wall = performance.now() - t0;
  const run = await running;
  return {
    run,
    serverCpuMs: c1 - c0,
    serverCores: (c1 - c0) / wall,
    loadCores: run.loadCpuMs / run.wallMs,
    idleCpuMs: i1 - i0,
    steal,
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

const LABEL: Record<Scenario, { readonly name: string; readonly unit: string }> = {
  message: { name: 'MESSAGE', unit: 'tx' },
  register: { name: 'REGISTER', unit: 'REGISTER' },
};

function scenarioLabel(type: Scenario, opts: Options): string {
  return type === 'message'
    ? `MESSAGE over ${opts.msgConns} conns, window ${opts.window}`
    : `REGISTER over ${opts.regConns} conns`;
}

function rateUsers(opts: Options): number {
  return Math.max(opts.msgConns, opts.regConns);
}

/** Opens and registers the rate phases' users on a fresh instance. */
async function openRateUsers(
  name: ServerName,
  sut: ServerUnderTest,
  pool: LoadPool,
  users: number,
  result: Result,
): Promise<void> {
  result.description = sut.description;
  log(`${name}: ${sut.description}, ${sut.url}`);
  const o = await pool.open(0, users, OPEN_CONCURRENCY, 30_000);
  if (o.failed > 0) throw new Error(`${o.failed} of ${users} clients failed to register: ${o.firstError}`);
  log(`${name}: ${o.opened} clients registered in ${o.seconds.toFixed(1)} s`);
}

/** (1) and (2) on one fresh server instance: the old way (`--rounds`, or one server). */
async function ratePhase(name: ServerName, opts: Options, pki: Pki, result: Result): Promise<void> {
  const users = rateUsers(opts);
  await withServer(name, pki, users + 100, opts, async (sut, pool) => {
    await openRateUsers(name, sut, pool, users, result);
    const window = { warmupMs: opts.warmupS * 1000, durationMs: opts.durationS * 1000 };
    for (const type of [...opts.phases]) {
      const f = await rate(sut, pool, type, type === 'message' ? opts.msgConns : opts.regConns, opts, window);
      describeRate(`${name} ${scenarioLabel(type, opts)}`, LABEL[type].unit, f);
      result[type] = mergeRates(result[type], f);
    }
    await pool.closeAll();
  });
}

// ---------------------------------------------------------------------------------------------
// both servers, interleaved

/** A failure the bench can pin on one server (its rates stop; the other server's go on). */
class ServerFailure extends Error {
  constructor(
    readonly server: ServerName,
    message: string,
  ) {
    super(message);
  }
}

async function blame<T>(r: Running, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw new ServerFailure(r.name, r.explain(err).message);
  }
}

/** The pair ratios of each scenario run interleaved, for the report. */
type PairResults = Partial<Record<Scenario, { readonly pairs: number; readonly summary: PairSummary }>>;

/**
 * (1) and (2) with both servers up at once, in ABBA pairs of slices. Each server keeps its own load
 * processes and registered users for the whole phase; the idle one holds its connections (its CPU
 * over the other's slices is read and printed: deferred work would fall on the other's slice).
 */
async function interleavedRates(
  opts: Options,
  pki: Pki,
  results: Record<ServerName, Result>,
  pairs: PairResults,
): Promise<void> {
  const users = rateUsers(opts);
  const running: Partial<Record<ServerName, Running>> = {};
  try {
    for (const name of SERVERS) {
      const r = await startServer(name, pki, users + 100, opts).catch((err: unknown) => {
        throw new ServerFailure(name, err instanceof Error ? err.message : String(err));
      });
      running[name] = r;
      await blame(r, () => openRateUsers(name, r.sut, r.pool, users, results[name]));
    }
    const both = running as Record<ServerName, Running>;
    for (const type of [...opts.phases]) {
      const ratios = await interleaveScenario(type, both, opts, results);
      pairs[type] = { pairs: ratios.length, summary: summarisePairs(ratios, opts.maxSteal) };
    }
    for (const r of Object.values(running)) await blame(r, () => r.pool.closeAll());
  } finally {
    for (const r of Object.values(running)) await r.stop();
  }
}

function sliceFigures(f: RateFigures): SliceFigures {
  return { perSecond: f.run.perSecond, ok: f.run.ok, serverCpuMs: f.serverCpuMs, steal: f.steal };
}

/** One scenario in `opts.pairs` ABBA pairs; pools each server's slices into `results`. */
async function interleaveScenario(
  type: Scenario,
  servers: Record<ServerName, Running>,
  opts: Options,
  results: Record<ServerName, Result>,
): Promise<PairRatio[]> {
  const users = type === 'message' ? opts.msgConns : opts.regConns;
  const order = abbaOrder(opts.pairs, 'kamailio' as ServerName, 'sipwss' as ServerName);
  const warm = new Set<ServerName>();
  const idleCpuMs: Record<ServerName, number> = { kamailio: 0, sipwss: 0 };
  let measuredMs = 0;
  const ratios: PairRatio[] = [];
  let current: Partial<Record<ServerName, RateFigures>> = {};
  for (const [k, { pair, who }] of order.entries()) {
    const other: ServerName = who === 'kamailio' ? 'sipwss' : 'kamailio';
    const r = servers[who];
    // a server's first slice of a scenario also warms it up for it (JIT, caches, queues)
    const warmupS = warm.has(who) ? opts.sliceWarmupS : Math.max(opts.warmupS, opts.sliceWarmupS);
    warm.add(who);
    const window = { warmupMs: warmupS * 1000, durationMs: opts.sliceS * 1000 };
    const f = await blame(r, () => rate(r.sut, r.pool, type, users, opts, window, servers[other].sut));
    results[who][type] = mergeRates(results[who][type], f);
    idleCpuMs[other] += f.idleCpuMs;
    measuredMs += f.run.wallMs;
    current[who] = f;
    const idleShare = ((f.idleCpuMs / f.run.wallMs) * 100).toFixed(0);
    let line = `${who} ${LABEL[type].name} slice ${k + 1}/${order.length}: ${describeSlice(type, f)}`;
    line += `; ${other} idle ${idleShare} % of a core`;
    const ks = current.kamailio;
    const ss = current.sipwss;
    if (k % 2 === 1 && ks && ss) {
      const ratio = pairRatio(sliceFigures(ks), sliceFigures(ss));
      ratios.push(ratio);
      line += ` → pair ${pair + 1}: sipwss/Kamailio ${ratio.rate.toFixed(2)}× rate, `;
      line += `${ratio.cpuPerTx.toFixed(2)}× CPU/tx${ratio.steal > opts.maxSteal ? ' (not calm)' : ''}`;
      current = {};
    }
    log(line);
  }
  for (const name of SERVERS) {
    const f = results[name][type];
    if (f)
      describeRate(`${name} ${scenarioLabel(type, opts)}, ${opts.pairs} slices pooled`, LABEL[type].unit, f);
  }
  // measuredMs counts both servers' slices: each idled for about half of it
  const idleShare = (n: ServerName) => ((idleCpuMs[n] / (measuredMs / 2)) * 100).toFixed(1);
  log(
    `idle server's CPU during the other's slices: kamailio ${idleShare('kamailio')} %, ` +
      `sipwss ${idleShare('sipwss')} % of a core`,
  );
  return ratios;
}

/** A slice's figures, short: the long form (describeRate) is printed for the pooled slices. */
function describeSlice(type: Scenario, f: RateFigures): string {
  const r = f.run;
  const problems = [
    [r.failed, 'failed'],
    [r.timeouts, 'timeouts'],
    [r.lostConnections, 'connections lost'],
  ].filter(([n]) => Number(n) > 0);
  return (
    `${r.perSecond.toFixed(0)} ${LABEL[type].unit}/s, p50 ${r.latency.quantile(0.5).toFixed(2)} ms, ` +
    `p99 ${r.latency.quantile(0.99).toFixed(2)} ms, server ${(f.serverCores * 100).toFixed(0)} % of a core, ` +
    `${r.ok > 0 ? ((f.serverCpuMs * 1000) / r.ok).toFixed(1) : '-'} µs CPU/tx, load ` +
    `${(f.loadCores * 100).toFixed(0)} %${r.maxElu >= 0.95 ? ' (saturated)' : ''}, ` +
    `steal ${(f.steal * 100).toFixed(1)} %` +
    (problems.length > 0 ? ` (${problems.map(([n, what]) => `${n} ${what}`).join(', ')})` : '')
  );
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
  /** A row of a ratio alone (the median of the interleaved pairs), not the quotient of its columns. */
  readonly ratio?: number;
}

/** The row of a scenario's median pair ratio (rate or CPU), under the pooled row it goes with. */
function pairRow(metric: string, median: number, target: Target): Row {
  return { metric, value: () => undefined, format: int0, target, ratio: median };
}

const ms = (v: number) => v.toFixed(2);
const int0 = (v: number) => v.toFixed(0);

/**
 * The rows under a pooled rate or CPU row when the rates were interleaved: the median ratio of all
 * pairs and of the calm ones (no rows when the scenario was not interleaved).
 */
function medianRows(
  label: string,
  p: { readonly pairs: number; readonly summary: PairSummary } | undefined,
  of: 'rate' | 'cpuPerTx',
  target: Target,
): Row[] {
  if (p === undefined) return [];
  const calm = p.summary.calm;
  const all = `median of ${p.pairs} pair ratio${p.pairs === 1 ? '' : 's'}`;
  const quiet = `median of ${calm.rate.n} calm pairs (steal ≤ ${(calm.maxSteal * 100).toFixed(0)} %)`;
  return [
    pairRow(`${label}, ${all}`, p.summary[of].median, target),
    pairRow(`${label}, ${quiet}`, calm[of].median, target),
  ];
}

function rows(opts: Options, pairs: PairResults): Row[] {
  const m = pairs.message;
  const g = pairs.register;
  const messageRate: Target = { kind: 'ratio-min', min: 1.5 };
  const registerRate: Target = { kind: 'ratio-min', min: 1.2 };
  // the rate targets in CPU form: what that many times the rate needs when the load or the machine is the limit
  const messageCpu: Target = { kind: 'ratio-max', max: 1 / 1.5 };
  const registerCpu: Target = { kind: 'ratio-max', max: 1 / 1.2 };
  const out: Row[] = [
    {
      metric: `MESSAGE tx/s (${opts.msgConns} conns)`,
      value: (r) => r.message?.run.perSecond,
      format: int0,
      target: messageRate,
    },
    ...medianRows('  tx/s', m, 'rate', messageRate),
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
      target: messageCpu,
    },
    ...medianRows('    CPU/tx', m, 'cpuPerTx', messageCpu),
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
      target: registerRate,
    },
    ...medianRows('  REGISTER/s', g, 'rate', registerRate),
    { metric: '  REGISTER p50 ms', value: (r) => r.register?.run.latency.quantile(0.5), format: ms },
    { metric: '  REGISTER p99 ms', value: (r) => r.register?.run.latency.quantile(0.99), format: ms },
    {
      metric: '  server CPU µs/REGISTER',
      value: (r) =>
        r.register && r.register.run.ok > 0 ? (r.register.serverCpuMs * 1000) / r.register.run.ok : undefined,
      format: int0,
      target: registerCpu,
    },
    ...medianRows('    CPU/REGISTER', g, 'cpuPerTx', registerCpu),
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

function table(results: Partial<Record<ServerName, Result>>, opts: Options, pairs: PairResults): string {
  const k = results.kamailio;
  const s = results.sipwss;
  const header = ['metric', 'Kamailio', 'sipwss', 'sipwss/Kamailio', 'target', 'met'];
  const body = rows(opts, pairs).map((row) => {
    const kv = k ? row.value(k) : undefined;
    const sv = s ? row.value(s) : undefined;
    const q = row.ratio ?? (kv !== undefined && sv !== undefined && kv !== 0 ? sv / kv : undefined);
    // no ratio (and no verdict) where a side had nothing to measure
    const ratio = q !== undefined && Number.isFinite(q) ? q : undefined;
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
      ratio === undefined ? '-' : ratio.toFixed(2),
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

function hasRates(r: Result): boolean {
  return r.message !== undefined || r.register !== undefined;
}

/** How the rates are taken, for the header line. */
function rateMethod(opts: Options, interleave: boolean): string {
  if (interleave)
    return (
      `interleaved: ${opts.pairs} ABBA pairs of ${opts.sliceS} s slices per scenario after ` +
      `${opts.sliceWarmupS} s warm-up each (${opts.warmupS} s before a server's first)`
    );
  return `${opts.warmupS} s warm-up + ${opts.durationS} s each, ${opts.rounds ?? 1} round(s) on fresh servers`;
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    // a usage error, not a bench failure: the message, not a stack
    process.stderr.write(`server bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
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
  const results: Partial<Record<ServerName, Result>> = {};
  const notes: string[] = [];
  const names: ServerName[] = [];
  for (const name of opts.servers) {
    const missing = ADAPTERS[name].missing();
    if (missing) notes.push(`${name} skipped: ${missing}`);
    else names.push(name);
  }
  const interleave = opts.rounds === undefined && names.length === 2;
  process.stderr.write(
    `server bench: node ${process.version}, ${cpus().length} cpus (load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}), ${opts.loadProcs} load process(es) per server; MESSAGE over ${opts.msgConns} conns ` +
      `(window ${opts.window}), REGISTER over ${opts.regConns}, ${rateMethod(opts, interleave)}; ` +
      (opts.conns.length > 0 ? `memory at ${opts.conns.join(', ')} clients` : 'no memory figure') +
      '\n',
  );
  const failed = (name: ServerName) => notes.some((n) => n.startsWith(`${name} failed`));
  const fail = (name: ServerName, err: unknown) => {
    notes.push(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  };
  const resultOf = (name: ServerName): Result => (results[name] ??= { description: '', memory: [] });
  const pairs: PairResults = {};
  if (interleave) {
    try {
      await interleavedRates(opts, p, { kamailio: resultOf('kamailio'), sipwss: resultOf('sipwss') }, pairs);
    } catch (err) {
      if (err instanceof ServerFailure) fail(err.server, err);
      else {
        notes.push(`interleaved rates failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = 1;
      }
    }
  }
  // one server failed before a slice ran: the other's rates on their own, so that they are not lost
  const alone =
    interleave && names.some(failed) ? names.filter((n) => !failed(n) && !hasRates(resultOf(n))) : [];
  const rounds = interleave ? 0 : (opts.rounds ?? 1);
  // the rates of both servers back to back, then the memory of both: what else runs on the machine
  // changes from minute to minute, so figures to compare are taken close together
  const phases = [...Array.from({ length: rounds }, () => ratePhase), memoryPhase];
  for (const phase of phases) {
    for (const name of names) {
      if (failed(name)) continue;
      try {
        if (phase === memoryPhase && alone.includes(name)) await ratePhase(name, opts, p, resultOf(name));
        await phase(name, opts, p, resultOf(name));
      } catch (err) {
        fail(name, err);
      }
    }
  }
  console.log(table(results, opts, pairs));
  for (const type of opts.phases) {
    const pr = pairs[type];
    if (!pr) continue;
    const { name, unit } = LABEL[type];
    console.log(
      `\n${name}, sipwss/Kamailio in ${pr.pairs} ABBA pairs of ${opts.sliceS} s slices: ` +
        `${unit}/s ${formatSpread(pr.summary.rate)}; server CPU µs/${unit} ${formatSpread(pr.summary.cpuPerTx)}`,
    );
    const calm = pr.summary.calm;
    console.log(
      `  the ${calm.rate.n} calm pairs (neither slice lost more than ${(calm.maxSteal * 100).toFixed(0)} % ` +
        `of the machine to steal): ${unit}/s ${formatSpread(calm.rate)}; server CPU µs/${unit} ` +
        `${formatSpread(calm.cpuPerTx)}`,
    );
  }
  for (const name of SERVERS) {
    const r = results[name];
    if (r?.description) console.log(`\n${name}: ${r.description}`);
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
