/**
 * A server under test for bench/transport.bench.ts: a WSS echo server on 127.0.0.1 that accepts
 * the `sip` subprotocol and sends every received message back on the same connection.
 * Each adapter module exports `start` with this signature.
 */
export interface BenchServerOptions {
  /** PEM certificate and key for the WSS listener (self-signed, ECDSA P-256). */
  readonly cert: string;
  readonly key: string;
}

export interface BenchServer {
  /** The listening port on 127.0.0.1 (wss://127.0.0.1:<port>/). */
  readonly port: number;
  stop(): Promise<void>;
}

export type StartBenchServer = (opts: BenchServerOptions) => Promise<BenchServer>;

/** v8.getHeapSpaceStatistics() entry (diagnostics: where the heap grew). */
export interface HeapSpaceInfo {
  readonly space_name: string;
  readonly space_size: number;
  readonly space_used_size: number;
  readonly physical_space_size: number;
}

/** Messages between the bench (parent) and a server host (child process). */
export type HostRequest =
  | { readonly type: 'start'; readonly cert: string; readonly key: string }
  | { readonly type: 'mem'; readonly gc: boolean }
  | { readonly type: 'spaces' }
  | { readonly type: 'cpu' }
  | { readonly type: 'stop' };

export type HostReply =
  | { readonly type: 'started'; readonly port: number }
  | {
      readonly type: 'mem';
      readonly usage: NodeJS.MemoryUsage;
      /** Physical bytes of V8's young generation (new space and new large-object space). */
      readonly young: number;
    }
  | { readonly type: 'spaces'; readonly spaces: readonly HeapSpaceInfo[] }
  | { readonly type: 'cpu'; readonly usage: NodeJS.CpuUsage }
  | { readonly type: 'stopped' }
  | { readonly type: 'error'; readonly message: string };
