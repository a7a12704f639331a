/** Messages between the bench (parent) and its load processes (bench/load/worker.ts), over fork IPC. */

export interface InitRequest {
  readonly type: 'init';
  /** `wss://127.0.0.1:<port>/` */
  readonly url: string;
  /** PEM of the CA that signed the server certificate (the clients verify the server). */
  readonly ca: string;
  readonly domain: string;
  /** Origin header sent in the handshake, as a browser would (undefined: none, as JsSIP in Node). */
  readonly origin: string | undefined;
  readonly workerId: number;
  readonly workers: number;
}

export interface OpenRequest {
  readonly type: 'open';
  /** Opens and registers users with index in [from, to) that belong to this worker (index % workers). */
  readonly from: number;
  readonly to: number;
  /** Most handshakes + registrations in progress at once in this worker. */
  readonly concurrency: number;
  readonly timeoutMs: number;
}

export interface RunRequest {
  readonly type: 'message' | 'register';
  /** Users 0..users-1 take part (those of this worker send; MESSAGE targets are any of them). */
  readonly users: number;
  /** Outstanding transactions per connection (MESSAGE); REGISTER always uses 1 (RFC 3261 §10.2). */
  readonly window: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** A transaction without a final response after this long counts as a timeout. */
  readonly timeoutMs: number;
}

export type WorkerRequest =
  | InitRequest
  | OpenRequest
  | RunRequest
  | { readonly type: 'close' }
  | { readonly type: 'exit' };

export interface OpenedReply {
  readonly type: 'opened';
  readonly opened: number;
  readonly connectFailed: number;
  readonly registerFailed: number;
  readonly firstError: string;
  readonly seconds: number;
  readonly cpuMs: number;
  /** Connections open in this worker after the step. */
  readonly total: number;
}

/** How the transactions of a run ended, as a load process and the pooled result both count them. */
export interface OutcomeCounts {
  readonly ok: number;
  readonly failed: number;
  readonly timeouts: number;
  readonly unmatched: number;
  readonly answered: number;
  readonly other: number;
  readonly failures: ReadonlyArray<readonly [string, number]>;
}

export interface RunReply extends OutcomeCounts {
  readonly type: 'ran';
  /** Latency histogram (sparse, see Histogram.toSparse) and its max, ms. */
  readonly hist: readonly number[];
  readonly max: number;
  /** Length of the recorded window and this process's CPU time in it, ms. */
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Event-loop utilisation in the recorded window (1 = the load process was saturated). */
  readonly elu: number;
  /** Transactions still pending after the drain. */
  readonly leftover: number;
  /** Connections closed by the server during the run. */
  readonly lostConnections: number;
}

export type WorkerReply =
  | { readonly type: 'ready' }
  | OpenedReply
  | RunReply
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string };
