/**
 * The bench's side of its load processes (bench/load/worker.ts): forks them, sends each step to all,
 * and merges their replies. Users are spread over the processes by index (i % workers).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Histogram } from './histogram.js';
import type {
  InitRequest,
  OpenedReply,
  OutcomeCounts,
  RunReply,
  RunRequest,
  WorkerReply,
  WorkerRequest,
} from './protocol.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

export interface RunResult extends OutcomeCounts {
  readonly perSecond: number;
  readonly latency: Histogram;
  readonly wallMs: number;
  /** CPU time of all load processes in the recorded window, ms. */
  readonly loadCpuMs: number;
  /** Highest event-loop utilisation of any load process (≥ 0.95: the load generator was the limit). */
  readonly maxElu: number;
  readonly leftover: number;
  readonly lostConnections: number;
}

export interface OpenResult {
  readonly opened: number;
  readonly failed: number;
  readonly firstError: string;
  readonly seconds: number;
  readonly total: number;
}

/** Pools two runs of the same scenario (rounds): counts and CPU add up, rates are over the summed time. */
export function mergeRuns(a: RunResult, b: RunResult): RunResult {
  const latency = new Histogram();
  latency.merge(a.latency);
  latency.merge(b.latency);
  const failures = new Map<string, number>(a.failures);
  for (const [k, v] of b.failures) failures.set(k, (failures.get(k) ?? 0) + v);
  const ok = a.ok + b.ok;
  const wallMs = a.wallMs + b.wallMs;
  return {
    ok,
    failed: a.failed + b.failed,
    timeouts: a.timeouts + b.timeouts,
    unmatched: a.unmatched + b.unmatched,
    answered: a.answered + b.answered,
    other: a.other + b.other,
    failures: [...failures.entries()],
    perSecond: wallMs > 0 ? ok / (wallMs / 1000) : 0,
    latency,
    wallMs,
    loadCpuMs: a.loadCpuMs + b.loadCpuMs,
    maxElu: Math.max(a.maxElu, b.maxElu),
    leftover: a.leftover + b.leftover,
    lostConnections: a.lostConnections + b.lostConnections,
  };
}

class Worker {
  private readonly waiting: Array<(r: WorkerReply) => void> = [];
  exited = false;

  constructor(private readonly child: ChildProcess) {
    child.on('message', (m: unknown) => this.waiting.shift()?.(m as WorkerReply));
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.waiting.splice(0))
        w({ type: 'error', message: `load process exited (${code ?? signal})` });
    });
  }

  request(req: WorkerRequest): Promise<WorkerReply> {
    if (this.exited) return Promise.reject(new Error('load process has exited'));
    return new Promise((resolve, reject) => {
      this.waiting.push((r) =>
        r.type === 'error' ? reject(new Error(`load process: ${r.message}`)) : resolve(r),
      );
      this.child.send(req);
    });
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'exit' } satisfies WorkerRequest);
    const timer = setTimeout(() => this.kill(), 3000);
    await gone;
    clearTimeout(timer);
  }
}

const live = new Set<Worker>();
process.on('exit', () => {
  for (const w of live) w.kill();
});

export class LoadPool {
  private constructor(private readonly workers: readonly Worker[]) {}

  static async start(n: number, init: Omit<InitRequest, 'type' | 'workerId' | 'workers'>): Promise<LoadPool> {
    const workers = Array.from({ length: n }, () => {
      const w = new Worker(
        fork(join(HERE, 'worker.ts'), [], {
          cwd: ROOT,
          // SIPWSS_BENCH_LOAD_ARGS: extra node flags for the load processes (e.g. --cpu-prof)
          execArgv: [
            '--import',
            'tsx',
            ...(process.env.SIPWSS_BENCH_LOAD_ARGS ?? '').split(' ').filter(Boolean),
          ],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        }),
      );
      live.add(w);
      return w;
    });
    const pool = new LoadPool(workers);
    try {
      await Promise.all(
        workers.map((w, workerId) => w.request({ type: 'init', ...init, workerId, workers: n })),
      );
    } catch (err) {
      pool.kill();
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Opens and registers users [from, to) not yet open, `concurrency` at a time in each process. */
  async open(from: number, to: number, concurrency: number, timeoutMs: number): Promise<OpenResult> {
    const replies = (await Promise.all(
      this.workers.map((w) => w.request({ type: 'open', from, to, concurrency, timeoutMs })),
    )) as OpenedReply[];
    return {
      opened: replies.reduce((s, r) => s + r.opened, 0),
      failed: replies.reduce((s, r) => s + r.connectFailed + r.registerFailed, 0),
      firstError: replies.map((r) => r.firstError).find((e) => e !== '') ?? '',
      seconds: Math.max(...replies.map((r) => r.seconds)),
      total: replies.reduce((s, r) => s + r.total, 0),
    };
  }

  async run(req: Omit<RunRequest, 'type'> & { readonly type: RunRequest['type'] }): Promise<RunResult> {
    const replies = (await Promise.all(this.workers.map((w) => w.request(req)))) as RunReply[];
    const latency = new Histogram();
    for (const r of replies) latency.merge(Histogram.fromSparse(r.hist, r.max));
    const ok = replies.reduce((s, r) => s + r.ok, 0);
    const wallMs = Math.max(...replies.map((r) => r.wallMs));
    const failures = new Map<string, number>();
    for (const r of replies) for (const [k, v] of r.failures) failures.set(k, (failures.get(k) ?? 0) + v);
    return {
      ok,
      failed: replies.reduce((s, r) => s + r.failed, 0),
      timeouts: replies.reduce((s, r) => s + r.timeouts, 0),
      unmatched: replies.reduce((s, r) => s + r.unmatched, 0),
      answered: replies.reduce((s, r) => s + r.answered, 0),
      other: replies.reduce((s, r) => s + r.other, 0),
      failures: [...failures.entries()],
      perSecond: wallMs > 0 ? ok / (wallMs / 1000) : 0,
      latency,
      wallMs,
      loadCpuMs: replies.reduce((s, r) => s + r.cpuMs, 0),
      maxElu: Math.max(...replies.map((r) => r.elu)),
      leftover: replies.reduce((s, r) => s + r.leftover, 0),
      lostConnections: replies.reduce((s, r) => s + r.lostConnections, 0),
    };
  }

  /** Closes every load connection (WebSocket close 1000; dropped after 3 s). */
  async closeAll(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request({ type: 'close' })));
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
    for (const w of this.workers) live.delete(w);
  }

  kill(): void {
    for (const w of this.workers) {
      w.kill();
      live.delete(w);
    }
  }
}
