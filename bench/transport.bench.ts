/**
 * Transport bench: the sipwss transport side by side with its ceiling, the `ws` package over Node
 * TLS (bench/servers/bare-ws.ts), in the same run and under the same load generator.
 *
 *   node --import tsx bench/transport.bench.ts [--only bare|sipwss] [--conns N] [--duration S]
 *                                             [--echo-conns N] [--hs-concurrency N] [--rounds N]
 *                                             [--settle S] [--mem-samples N]
 *
 * Each server runs in its own child process (bench/servers/host.ts, forked with tsx and
 * --expose-gc) that reports its own memory and CPU; the load generator is this process. Rates are
 * measured in `--rounds` alternating slices per server (default 4 × duration/4 s each), so that
 * load from other jobs on the machine falls on both servers alike.
 *   (i)   TLS + WebSocket handshakes/s: `--hs-concurrency` loops of connect, upgrade (subprotocol
 *         `sip`), close; no TLS session reuse (each `ws` client calls tls.connect without a session).
 *   (ii)  echo round trips/s of a 1024-byte SIP MESSAGE over `--echo-conns` connections, one in flight each.
 *   (iii) memory per idle WSS connection: growth of the server's RSS and heap from before to after
 *         `--conns` connections are open, divided by `--conns`, in a fresh server process (after the
 *         same 200-connection warm-up as for the rates). Each side is the median of
 *         `--mem-samples` samples (each after gc) taken once the server has been idle `--settle` s:
 *         V8 sizes its young generation for the allocation rate just seen (up to 32 MB while 10,000
 *         handshakes run) and gives it back only after a few idle seconds, so a sample taken sooner
 *         holds a young generation of varying size, not memory the connections keep. The reading 2 s
 *         after the last open (the method before) is printed too.
 * Server CPU time per operation is printed too: the load generator shares the cores with the server,
 * so CPU per operation is the steadier comparison when the client is the bottleneck.
 * Targets (issue 3): ≥ 90 % of the ceiling for (i) and (ii); no more memory per connection than (iii)'s ceiling.
 * Figures, never a gate: the exit code is 0 unless the bench itself fails.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { makeCertificate } from '../src/tls/certificates.js';
import type { HostReply, HostRequest } from './servers/types.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');

type ServerName = 'bare' | 'sipwss';
const SERVERS: readonly ServerName[] = ['bare', 'sipwss'];
const LABEL: Record<ServerName, string> = { bare: 'ws ceiling', sipwss: 'sipwss' };

interface Options {
  readonly only: ServerName | undefined;
  readonly conns: number;
  readonly durationS: number;
  readonly echoConns: number;
  readonly hsConcurrency: number;
  readonly rounds: number;
  readonly settleS: number;
  readonly memSamples: number;
}

function parseArgs(argv: readonly string[]): Options {
  const opts = {
    only: undefined as ServerName | undefined,
    conns: 10_000,
    durationS: 8,
    echoConns: 100,
    hsConcurrency: 32,
    rounds: 4,
    settleS: 8,
    memSamples: 5,
  };
  const int = (flag: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Error(`${flag} needs an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    switch (a) {
      case '--only':
        if (v !== 'bare' && v !== 'sipwss')
          throw new Error(`--only takes bare or sipwss, got ${JSON.stringify(v)}`);
        opts.only = v;
        i++;
        break;
      case '--conns':
        // 10,000 client sockets here and as many in the server: under the 20,000 open-files cap each
        opts.conns = int(a, v, 1, 18_000);
        i++;
        break;
      case '--duration':
        opts.durationS = int(a, v, 1, 120);
        i++;
        break;
      case '--echo-conns':
        opts.echoConns = int(a, v, 1, 5000);
        i++;
        break;
      case '--rounds':
        opts.rounds = int(a, v, 1, 20);
        i++;
        break;
      case '--hs-concurrency':
        opts.hsConcurrency = int(a, v, 1, 1000);
        i++;
        break;
      case '--settle':
        opts.settleS = int(a, v, 0, 120);
        i++;
        break;
      case '--mem-samples':
        opts.memSamples = int(a, v, 1, 50);
        i++;
        break;
      default:
        throw new Error(`unknown argument ${JSON.stringify(a)}`);
    }
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------
// server host (child process)

class Host {
  private readonly waiting: Array<(r: HostReply) => void> = [];
  private exited = false;

  private constructor(
    readonly name: ServerName,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (m: unknown) => {
      const r = m as HostReply;
      const w = this.waiting.shift();
      if (w) w(r);
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.waiting.splice(0))
        w({ type: 'error', message: `host exited (${code ?? signal})` });
    });
  }

  static fork(name: ServerName): Host {
    const child = fork(join(HERE, 'servers', 'host.ts'), [name], {
      cwd: ROOT,
      // SIPWSS_BENCH_HOST_ARGS adds node flags to both servers (e.g. `--perf-basic-prof` for perf).
      execArgv: [
        '--import',
        'tsx',
        '--expose-gc',
        ...(process.env.SIPWSS_BENCH_HOST_ARGS?.split(' ').filter(Boolean) ?? []),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Host(name, child);
  }

  request(req: HostRequest): Promise<HostReply> {
    if (this.exited) return Promise.reject(new Error(`${this.name} host has exited`));
    return new Promise((resolve, reject) => {
      this.waiting.push((r) =>
        r.type === 'error' ? reject(new Error(`${this.name}: ${r.message}`)) : resolve(r),
      );
      this.child.send(req);
    });
  }

  async start(cert: string, key: string): Promise<number> {
    const r = await this.request({ type: 'start', cert, key });
    if (r.type !== 'started') throw new Error(`unexpected reply ${r.type}`);
    return r.port;
  }

  async mem(): Promise<MemSample> {
    const r = await this.request({ type: 'mem', gc: true });
    if (r.type !== 'mem') throw new Error(`unexpected reply ${r.type}`);
    const u = r.usage;
    return { rss: u.rss, heapUsed: u.heapUsed, external: u.external + u.arrayBuffers, young: r.young };
  }

  /** Server CPU time (user + system) in microseconds. */
  async cpu(): Promise<number> {
    const r = await this.request({ type: 'cpu' });
    if (r.type !== 'cpu') throw new Error(`unexpected reply ${r.type}`);
    return r.usage.user + r.usage.system;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await Promise.race([this.request({ type: 'stop' }).catch(() => undefined), sleep(5000)]);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------
// load generator

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const CLIENT_OPTS: WebSocket.ClientOptions = {
  rejectUnauthorized: false,
  perMessageDeflate: false,
  // browsers send Origin; a server that requires it (OpenSIPS require_origin) must not fail here
  origin: 'https://127.0.0.1',
  handshakeTimeout: 15_000,
};

let sessionsReused = 0;

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'sip', CLIENT_OPTS);
    ws.once('upgrade', (res) => {
      if ((res.socket as TLSSocket).isSessionReused()) sessionsReused++;
    });
    ws.once('open', () => {
      ws.removeAllListeners('error');
      ws.on('error', () => undefined);
      if (ws.protocol !== 'sip') {
        ws.terminate();
        reject(new Error(`server chose subprotocol ${JSON.stringify(ws.protocol)}`));
      } else {
        resolve(ws);
      }
    });
    ws.once('error', reject);
  });
}

function closed(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', () => resolve());
  });
}

/** Open `n` connections, at most `concurrency` handshakes at a time. */
async function openMany(url: string, n: number, concurrency: number): Promise<WebSocket[]> {
  const out: WebSocket[] = [];
  let next = 0;
  let failures = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < n) {
      next++;
      try {
        out.push(await connect(url));
      } catch (err) {
        failures++;
        firstError ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  if (failures > 0) {
    for (const ws of out) ws.terminate();
    throw new Error(`${failures} of ${n} connections failed; first: ${String(firstError)}`);
  }
  return out;
}

async function closeAll(conns: readonly WebSocket[]): Promise<void> {
  for (const ws of conns) ws.terminate();
  await Promise.all(conns.map(closed));
}

/** One timed slice of a rate measurement. */
interface Slice {
  readonly count: number;
  readonly errors: number;
  readonly seconds: number;
  /** CPU microseconds used in the slice by the server, and by the load generator (this process). */
  readonly serverCpu: number;
  readonly clientCpu: number;
}

interface Rate {
  readonly perSecond: number;
  readonly count: number;
  readonly errors: number;
  /** Server CPU microseconds per operation. */
  readonly cpuPerOp: number;
  /** Load generator (this process) CPU microseconds per operation. */
  readonly clientCpuPerOp: number;
}

function combine(slices: readonly Slice[]): Rate {
  const sum = (f: (s: Slice) => number) => slices.reduce((a, s) => a + f(s), 0);
  const count = sum((s) => s.count);
  return {
    perSecond: count / sum((s) => s.seconds),
    count,
    errors: sum((s) => s.errors),
    cpuPerOp: count ? sum((s) => s.serverCpu) / count : 0,
    clientCpuPerOp: count ? sum((s) => s.clientCpu) / count : 0,
  };
}

function ownCpu(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function handshakes(host: Host, url: string, durationS: number, concurrency: number): Promise<Slice> {
  let count = 0;
  let errors = 0;
  let running = true;
  const worker = async () => {
    while (running) {
      try {
        const ws = await connect(url);
        const done = closed(ws);
        ws.close(1000);
        await done;
        count++;
      } catch {
        errors++;
        await sleep(10);
      }
    }
  };
  const cpu0 = await host.cpu();
  const own0 = ownCpu();
  const t0 = performance.now();
  const workers = Array.from({ length: concurrency }, worker);
  await sleep(durationS * 1000);
  running = false;
  await Promise.all(workers);
  const seconds = (performance.now() - t0) / 1000;
  const own1 = ownCpu();
  const cpu1 = await host.cpu();
  return { count, errors, seconds, serverCpu: cpu1 - cpu0, clientCpu: own1 - own0 };
}

/** A 1024-byte SIP MESSAGE (RFC 3428), as a UA would put it in one text frame. */
function sipMessage(size: number): string {
  const head = (bodyLen: number) =>
    'MESSAGE sip:bob@127.0.0.1 SIP/2.0\r\n' +
    'Via: SIP/2.0/WSS bench0000000.invalid;branch=z9hG4bK1234567\r\n' +
    'Max-Forwards: 70\r\n' +
    'To: <sip:bob@127.0.0.1>\r\n' +
    'From: <sip:alice@127.0.0.1>;tag=bench0001\r\n' +
    'Call-ID: bench-echo-0000000000000001\r\n' +
    'CSeq: 1 MESSAGE\r\n' +
    'Content-Type: text/plain\r\n' +
    `Content-Length: ${bodyLen}\r\n\r\n`;
  let bodyLen = size - head(0).length;
  while (head(bodyLen).length + bodyLen > size) bodyLen--;
  const msg = head(bodyLen) + 'x'.repeat(bodyLen);
  if (Buffer.byteLength(msg) !== size)
    throw new Error(`sipMessage: ${Buffer.byteLength(msg)} bytes, not ${size}`);
  return msg;
}

async function roundTrips(host: Host, url: string, durationS: number, nConns: number): Promise<Slice> {
  const conns = await openMany(url, nConns, 32);
  const msg = Buffer.from(sipMessage(1024));
  let count = 0;
  let errors = 0;
  let running = true;
  const loops = conns.map(
    (ws) =>
      new Promise<void>((resolve) => {
        ws.on('message', (data: WebSocket.RawData) => {
          const len = Array.isArray(data)
            ? data.reduce((s, b) => s + b.length, 0)
            : (data as Buffer | ArrayBuffer).byteLength;
          if (len === msg.length) count++;
          else errors++;
          if (running) ws.send(msg);
          else resolve();
        });
        ws.once('close', () => resolve());
      }),
  );
  // warm-up: one second, not counted
  for (const ws of conns) ws.send(msg);
  await sleep(1000);
  const cpu0 = await host.cpu();
  const own0 = ownCpu();
  const c0 = count;
  const t0 = performance.now();
  await sleep(durationS * 1000);
  const c1 = count;
  const seconds = (performance.now() - t0) / 1000;
  const own1 = ownCpu();
  const cpu1 = await host.cpu();
  running = false;
  await Promise.race([Promise.all(loops), sleep(5000)]);
  await closeAll(conns);
  const n = c1 - c0;
  return { count: n, errors, seconds, serverCpu: cpu1 - cpu0, clientCpu: own1 - own0 };
}

/** One reading of the server's memory (bytes), after gc. */
interface MemSample {
  readonly rss: number;
  readonly heapUsed: number;
  /** external + arrayBuffers */
  readonly external: number;
  /** V8's young generation, physical (part of rss). */
  readonly young: number;
}

interface MemPerConn {
  readonly conns: number;
  /** bytes per connection, settled (medians, see `settledMemory`) */
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  /** RSS per connection 2 s after the last open, unsettled (the method before `--settle`). */
  readonly rssAt2s: number;
  /** Young generation in the 2 s and the settled readings after the opens (bytes, whole process). */
  readonly youngAt2s: number;
  readonly youngSettled: number;
  /** Smallest and largest RSS per connection over the settled samples. */
  readonly rssRange: readonly [number, number];
  readonly openSeconds: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * The server's memory once idle: `settleS` seconds without load, then `samples` readings 0.5 s
 * apart (each after two full GCs, in the host). Every field is the median over the readings.
 * Applied alike to both servers and to both ends of the measurement (before and after the opens).
 */
async function settledMemory(host: Host, settleS: number, samples: number): Promise<MemSample[]> {
  await sleep(settleS * 1000);
  const out: MemSample[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await sleep(500);
    out.push(await host.mem());
  }
  return out;
}

function medianSample(xs: readonly MemSample[]): MemSample {
  return {
    rss: median(xs.map((x) => x.rss)),
    heapUsed: median(xs.map((x) => x.heapUsed)),
    external: median(xs.map((x) => x.external)),
    young: median(xs.map((x) => x.young)),
  };
}

async function idleMemory(host: Host, url: string, n: number, opts: Options): Promise<MemPerConn> {
  const before = medianSample(await settledMemory(host, opts.settleS, opts.memSamples));
  const t0 = performance.now();
  const conns = await openMany(url, n, 128);
  const openSeconds = (performance.now() - t0) / 1000;
  await sleep(2000);
  const at2s = await host.mem();
  // The 2 s already waited count towards the settling time.
  const samples = await settledMemory(host, Math.max(0, opts.settleS - 2), opts.memSamples);
  const after = medianSample(samples);
  await closeAll(conns);
  const perConn = (x: number) => x / n;
  const rssPer = samples.map((x) => perConn(x.rss - before.rss));
  return {
    conns: n,
    rss: perConn(after.rss - before.rss),
    heapUsed: perConn(after.heapUsed - before.heapUsed),
    external: perConn(after.external - before.external),
    rssAt2s: perConn(at2s.rss - before.rss),
    youngAt2s: at2s.young,
    youngSettled: after.young,
    rssRange: [Math.min(...rssPer), Math.max(...rssPer)],
    openSeconds,
  };
}

interface Result {
  readonly hs: Rate;
  readonly rt: Rate;
  readonly mem: MemPerConn;
}

interface Running {
  readonly name: ServerName;
  readonly host: Host;
  readonly url: string;
}

/**
 * Both servers run at once (idle when not measured) and the rate measurements alternate between
 * them in `rounds` short slices (order reversed every round), so that load from other jobs on the
 * machine falls on both alike. Memory is measured afterwards for one server at a time, each in a
 * fresh process with the same warm-up.
 */
async function benchAll(names: readonly ServerName[], opts: Options, cert: string, key: string) {
  const results: Partial<Record<ServerName, Result>> = {};
  const failures: string[] = [];
  const hosts = names.map((name) => ({ name, host: Host.fork(name) }));
  const onSignal = () => {
    for (const h of hosts) h.host.kill();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  try {
    const running: Running[] = [];
    for (const { name, host } of hosts) {
      try {
        const port = await host.start(cert, key);
        const url = `wss://127.0.0.1:${port}/`;
        log(`${LABEL[name]}: listening on ${url}`);
        // warm-up: JIT, TLS contexts
        await closeAll(await openMany(url, 200, 32));
        running.push({ name, host, url });
      } catch (err) {
        failures.push(`${LABEL[name]} failed: ${err instanceof Error ? err.message : String(err)}`);
        await host.stop();
      }
    }
    const sliceS = opts.durationS / opts.rounds;
    const hs = new Map<ServerName, Slice[]>(running.map((r) => [r.name, []]));
    const rt = new Map<ServerName, Slice[]>(running.map((r) => [r.name, []]));
    for (let round = 0; round < opts.rounds; round++) {
      const order = round % 2 === 0 ? running : [...running].reverse();
      for (const r of order)
        hs.get(r.name)?.push(await handshakes(r.host, r.url, sliceS, opts.hsConcurrency));
    }
    for (const r of running) {
      const h = combine(hs.get(r.name) ?? []);
      log(`${LABEL[r.name]}: ${h.perSecond.toFixed(0)} handshakes/s (${h.count}, ${h.errors} errors)`);
    }
    for (let round = 0; round < opts.rounds; round++) {
      const order = round % 2 === 0 ? running : [...running].reverse();
      for (const r of order) rt.get(r.name)?.push(await roundTrips(r.host, r.url, sliceS, opts.echoConns));
    }
    for (const r of running) {
      const t = combine(rt.get(r.name) ?? []);
      log(`${LABEL[r.name]}: ${t.perSecond.toFixed(0)} round trips/s (${t.count}, ${t.errors} errors)`);
    }
    // Memory in a fresh process per server (the rate phases' hosts are stopped first): what malloc
    // freed during the rate phases stays resident and is handed out again to the connections opened
    // next, so a process with that history grows less in RSS than the connections take, by an amount
    // that depends on its history, not on the connections (up to 3 KB per connection seen here).
    await Promise.all(running.map((r) => r.host.stop()));
    for (const { name } of running) {
      const host = Host.fork(name);
      hosts.push({ name, host });
      const url = `wss://127.0.0.1:${await host.start(cert, key)}/`;
      // the same warm-up as for the rates: JIT, TLS contexts
      await closeAll(await openMany(url, 200, 32));
      const r = { name, host, url };
      const mem = await idleMemory(r.host, r.url, opts.conns, opts);
      await host.stop();
      log(
        `${LABEL[r.name]}: ${kb(mem.rss)} KB RSS (samples ${kb(mem.rssRange[0])}-${kb(mem.rssRange[1])}), ` +
          `${kb(mem.heapUsed)} KB heap per idle connection, young generation ${mb(mem.youngSettled)} MB ` +
          `(${mem.conns} opened in ${mem.openSeconds.toFixed(1)} s; 2 s after: ${kb(mem.rssAt2s)} KB RSS, ` +
          `young generation ${mb(mem.youngAt2s)} MB)`,
      );
      results[r.name] = { hs: combine(hs.get(r.name) ?? []), rt: combine(rt.get(r.name) ?? []), mem };
    }
  } finally {
    await Promise.all(hosts.map((h) => h.host.stop()));
    process.removeListener('SIGINT', onSignal);
  }
  return { results, failures };
}

// ---------------------------------------------------------------------------------------------
// report

function log(line: string): void {
  process.stderr.write(`  ${line}\n`);
}

function kb(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

interface Row {
  readonly metric: string;
  readonly value: (r: Result) => number;
  readonly format: (v: number) => string;
  /** 'higher': ratio ≥ min is met; 'lower': ratio ≤ max is met; undefined: information only */
  readonly target?:
    | { readonly better: 'higher'; readonly min: number }
    | { readonly better: 'lower'; readonly max: number };
}

const ROWS: readonly Row[] = [
  {
    metric: 'TLS+WS handshakes/s',
    value: (r) => r.hs.perSecond,
    format: (v) => v.toFixed(0),
    target: { better: 'higher', min: 0.9 },
  },
  { metric: '  server CPU µs/handshake', value: (r) => r.hs.cpuPerOp, format: (v) => v.toFixed(0) },
  { metric: '  load gen. CPU µs/handshake', value: (r) => r.hs.clientCpuPerOp, format: (v) => v.toFixed(0) },
  {
    metric: '1 KB echo round trips/s',
    value: (r) => r.rt.perSecond,
    format: (v) => v.toFixed(0),
    target: { better: 'higher', min: 0.9 },
  },
  { metric: '  server CPU µs/round trip', value: (r) => r.rt.cpuPerOp, format: (v) => v.toFixed(1) },
  { metric: '  load gen. CPU µs/round trip', value: (r) => r.rt.clientCpuPerOp, format: (v) => v.toFixed(1) },
  {
    metric: 'RSS KB/idle connection',
    value: (r) => r.mem.rss,
    format: (v) => kb(v),
    target: { better: 'lower', max: 1.0 },
  },
  { metric: '  heap KB/idle connection', value: (r) => r.mem.heapUsed, format: (v) => kb(v) },
  { metric: '  external KB/idle connection', value: (r) => r.mem.external, format: (v) => kb(v) },
  { metric: '  RSS KB/idle conn., 2 s after', value: (r) => r.mem.rssAt2s, format: (v) => kb(v) },
];

function table(results: Partial<Record<ServerName, Result>>): string {
  const bare = results.bare;
  const sip = results.sipwss;
  const header = ['metric', LABEL.bare, LABEL.sipwss, 'sipwss/ceiling', 'target', 'met'];
  const rows = ROWS.map((row) => {
    const b = bare ? row.value(bare) : undefined;
    const s = sip ? row.value(sip) : undefined;
    const ratio = b !== undefined && s !== undefined && b !== 0 ? s / b : undefined;
    const t = row.target;
    const target =
      t === undefined ? '' : t.better === 'higher' ? `≥ ${t.min.toFixed(2)}` : `≤ ${t.max.toFixed(2)}`;
    let met = '';
    if (t !== undefined && ratio !== undefined) {
      // judged on the ratio as printed (two decimals): finer differences are measurement noise
      const shown = Math.round(ratio * 100) / 100;
      met = (t.better === 'higher' ? shown >= t.min : shown <= t.max) ? 'yes' : 'NO';
    }
    return [
      row.metric,
      b === undefined ? '-' : row.format(b),
      s === undefined ? '-' : row.format(s),
      ratio === undefined ? '-' : ratio.toFixed(2),
      target,
      met,
    ];
  });
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const names = opts.only ? [opts.only] : SERVERS;
  const cert = await makeCertificate({ commonName: '127.0.0.1', altNames: ['127.0.0.1'] });
  const t0 = performance.now();
  process.stderr.write(
    `transport bench: node ${process.version}, ${cpus().length} cpus, ${opts.durationS} s per rate, ` +
      `${opts.hsConcurrency} handshake loops, ${opts.echoConns} echo connections, ${opts.conns} idle connections ` +
      `(memory: ${opts.settleS} s idle, median of ${opts.memSamples})\n`,
  );
  const { results, failures } = await benchAll(names, opts, cert.cert, cert.key);
  console.log(table(results));
  for (const f of failures) console.log(`\n${f}`);
  if (failures.length > 0) process.exitCode = 1;
  console.log(
    `\nTLS sessions reused by the client: ${sessionsReused} (must be 0). ` +
      `Total ${((performance.now() - t0) / 1000).toFixed(0)} s.`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
