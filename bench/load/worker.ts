/**
 * A load process: holds its share of the load users (index % workers === workerId), each a raw `ws`
 * connection acting as a JsSIP UA, and runs the scenarios the bench asks for over fork IPC.
 * Started by bench/load/pool.ts with `--import tsx`; exits when the IPC channel closes.
 */
import WebSocket from 'ws';
import { Histogram } from './histogram.js';
import type {
  InitRequest,
  OpenedReply,
  OpenRequest,
  RunReply,
  RunRequest,
  WorkerReply,
  WorkerRequest,
} from './protocol.js';
import { type LoadStats, LoadUa, type UaHooks, userName } from './ua.js';

if (!process.send) {
  console.error('bench/load/worker.ts: run by bench/load/pool.ts (needs an IPC channel)');
  process.exit(2);
}

function reply(msg: WorkerReply): void {
  process.send?.(msg);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function newStats(): LoadStats {
  return {
    recording: false,
    messageOk: 0,
    messageFailed: 0,
    registerOk: 0,
    registerFailed: 0,
    unmatched: 0,
    timeouts: 0,
    messagesAnswered: 0,
    other: 0,
    failures: new Map(),
    messageLatency: new Histogram(),
    registerLatency: new Histogram(),
  };
}

let init: InitRequest | undefined;
let stats = newStats();
const uas = new Map<number, LoadUa>();
/** Which scenario is sending: the hooks send the next transaction only while it is set. */
let running: { readonly kind: 'message' | 'register'; readonly users: number } | undefined;

const hooks: UaHooks = {
  onMessageDone(ua) {
    if (running?.kind !== 'message' || ua.closed) return;
    sendMessage(ua, running.users);
  },
  onRegisterDone(ua) {
    if (running?.kind !== 'register' || ua.closed) return;
    ua.sendRegister();
  },
};

/** A MESSAGE to a uniformly random other user among 0..users-1. */
function sendMessage(ua: LoadUa, users: number): void {
  let j = Math.floor(Math.random() * (users - 1));
  if (j >= ua.index) j++;
  ua.sendMessage(userName(j));
}

function connect(cfg: InitRequest, timeoutMs: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(cfg.url, 'sip', {
      ca: cfg.ca,
      perMessageDeflate: false,
      handshakeTimeout: timeoutMs,
      ...(cfg.origin === undefined ? {} : { origin: cfg.origin }),
    });
    ws.once('open', () => {
      ws.removeAllListeners('error');
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

async function open(req: OpenRequest): Promise<OpenedReply> {
  const cfg = init;
  if (!cfg) throw new Error('open before init');
  const mine: number[] = [];
  for (let i = req.from; i < req.to; i++) if (i % cfg.workers === cfg.workerId && !uas.has(i)) mine.push(i);
  let next = 0;
  let opened = 0;
  let connectFailed = 0;
  let registerFailed = 0;
  let firstError = '';
  const c0 = cpuMs();
  const t0 = performance.now();
  const worker = async () => {
    while (next < mine.length) {
      const i = mine[next++] ?? 0;
      let ws: WebSocket;
      try {
        ws = await connect(cfg, req.timeoutMs);
      } catch (err) {
        connectFailed++;
        firstError ||= `connect: ${err instanceof Error ? err.message : String(err)}`;
        continue;
      }
      const ua = new LoadUa(i, ws, cfg.domain, stats, hooks);
      const status = await ua.registerOnce(req.timeoutMs);
      if (status >= 200 && status < 300) {
        uas.set(i, ua);
        opened++;
      } else {
        registerFailed++;
        firstError ||= `REGISTER of ${ua.id.user}: ${status === 0 ? 'no final response' : status}`;
        ws.terminate();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(req.concurrency, mine.length) }, worker));
  return {
    type: 'opened',
    opened,
    connectFailed,
    registerFailed,
    firstError,
    seconds: (performance.now() - t0) / 1000,
    cpuMs: cpuMs() - c0,
    total: uas.size,
  };
}

async function run(req: RunRequest): Promise<RunReply> {
  const active = [...uas.values()].filter((ua) => ua.index < req.users && !ua.closed);
  stats = newStats();
  for (const ua of uas.values()) ua.rebind(stats);
  running = { kind: req.type, users: req.users };
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const ua of active) ua.expire(now, req.timeoutMs);
  }, 250);
  try {
    if (req.type === 'message') {
      for (let w = 0; w < req.window; w++) for (const ua of active) sendMessage(ua, req.users);
    } else {
      for (const ua of active) ua.sendRegister();
    }
    await sleep(req.warmupMs);
    stats.recording = true;
    const elu0 = performance.eventLoopUtilization();
    const c0 = cpuMs();
    const t0 = performance.now();
    await sleep(req.durationMs);
    stats.recording = false;
    const wallMs = performance.now() - t0;
    const cpu = cpuMs() - c0;
    const elu = performance.eventLoopUtilization(elu0).utilization;
    running = undefined;
    // drain: let the outstanding transactions finish so that the next step starts clean
    const drainEnd = performance.now() + Math.min(req.timeoutMs, 5000);
    const outstanding = () => active.reduce((n, ua) => n + ua.outstanding, 0);
    while (outstanding() > 0 && performance.now() < drainEnd) await sleep(20);
    const hist = req.type === 'message' ? stats.messageLatency : stats.registerLatency;
    return {
      type: 'ran',
      ok: req.type === 'message' ? stats.messageOk : stats.registerOk,
      failed: req.type === 'message' ? stats.messageFailed : stats.registerFailed,
      timeouts: stats.timeouts,
      unmatched: stats.unmatched,
      answered: stats.messagesAnswered,
      other: stats.other,
      failures: [...stats.failures.entries()].slice(0, 5),
      hist: hist.toSparse(),
      max: hist.max,
      wallMs,
      cpuMs: cpu,
      elu,
      leftover: outstanding(),
      lostConnections: active.filter((ua) => ua.closed).length,
    };
  } finally {
    running = undefined;
    clearInterval(sweep);
  }
}

async function closeAll(): Promise<void> {
  const all = [...uas.values()];
  uas.clear();
  const gone = all.map(
    (ua) =>
      new Promise<void>((resolve) => {
        if (ua.ws.readyState === WebSocket.CLOSED) return resolve();
        ua.ws.once('close', () => resolve());
      }),
  );
  // a clean close (1000, as SIP.js does); connections that do not finish in 3 s are dropped
  for (const ua of all) ua.ws.close(1000);
  const timer = setTimeout(() => {
    for (const ua of all) ua.ws.terminate();
  }, 3000);
  await Promise.all(gone);
  clearTimeout(timer);
}

process.on('message', (raw: unknown) => {
  const req = raw as WorkerRequest;
  void (async () => {
    try {
      switch (req.type) {
        case 'init':
          init = req;
          reply({ type: 'ready' });
          break;
        case 'open':
          reply(await open(req));
          break;
        case 'message':
        case 'register':
          reply(await run(req));
          break;
        case 'close':
          await closeAll();
          reply({ type: 'closed' });
          break;
        case 'exit':
          for (const ua of uas.values()) ua.ws.terminate();
          process.disconnect();
          break;
      }
    } catch (err) {
      reply({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});
process.on('disconnect', () => {
  for (const ua of uas.values()) ua.ws.terminate();
  process.exit(0);
});
