/**
 * A server under test for bench/server.bench.ts: a WSS registrar/proxy running as its own process
 * group on 127.0.0.1, whose CPU and memory the bench reads from /proc (bench/load/procfs.ts).
 * Adapters: bench/servers/kamailio-registrar.ts, bench/servers/sipwss-server.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { sipProbe } from '../../test/helpers/kamailio.js';

export interface SutOptions {
  /** PEM files: server certificate and key (signed by the test CA), and the CA. */
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  /** Connections the server must hold at once (the load plus a few probes). */
  readonly maxConnections: number;
  /** A directory of its own for config files and the log. */
  readonly dir: string;
}

export interface ServerUnderTest {
  readonly name: string;
  /** `wss://127.0.0.1:<port>/` */
  readonly url: string;
  /** The SIP domain the clients register in. */
  readonly domain: string;
  /** Process group whose processes are the server (CPU and memory are summed over it). */
  readonly pgid: number;
  /** One line saying what runs (binary, version, workers). */
  readonly description: string;
  /** The server's output so far (for failure reports). */
  log(): string;
  /** Stops the whole process group (SIGTERM, then SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>;
}

export type StartSut = (opts: SutOptions) => Promise<ServerUnderTest>;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// process groups

const groups = new Set<number>();
let hooksInstalled = false;

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** SIGKILLs every server group still running (the bench's exit and signal handlers call this). */
export function killAllGroups(): void {
  for (const pgid of groups) killGroup(pgid, 'SIGKILL');
  groups.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllGroups);
}

export interface Group {
  readonly child: ChildProcess;
  readonly pgid: number;
  /** Set once the leader has exited. */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  log(): string;
  stop(graceMs: number): Promise<void>;
}

/**
 * Spawns `cmd` as the leader of a new process group (detached), stdout and stderr to `logFile`.
 * stop() sends SIGTERM to the group, SIGKILL after `graceMs`, and SIGKILL again for leftovers.
 */
export function spawnGroup(
  cmd: string,
  args: readonly string[],
  opts: { cwd: string; logFile: string; env?: NodeJS.ProcessEnv },
): Group {
  installHooks();
  const fd = openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cmd, args, {
      cwd: opts.cwd,
      detached: true,
      stdio: ['ignore', fd, fd],
      env: opts.env ?? process.env,
    });
  } finally {
    closeSync(fd);
  }
  const pgid = child.pid ?? 0;
  if (pgid > 0) groups.add(pgid);
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError = '';
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve();
    });
    child.once('error', (err) => {
      exitInfo = { code: null, signal: null };
      spawnError = `spawn error: ${err.message}`;
      resolve();
    });
  });
  let stopped: Promise<void> | undefined;
  return {
    child,
    pgid,
    exited: () => exitInfo,
    log: () => {
      try {
        return readFileSync(opts.logFile, 'utf8') + spawnError;
      } catch {
        return spawnError;
      }
    },
    stop(graceMs: number): Promise<void> {
      stopped ??= (async () => {
        if (pgid <= 0) return;
        if (exitInfo === undefined) {
          killGroup(pgid, 'SIGTERM');
          const timer = sleep(graceMs).then(() => 'timeout' as const);
          if ((await Promise.race([exitPromise.then(() => 'exited' as const), timer])) === 'timeout') {
            killGroup(pgid, 'SIGKILL');
            await exitPromise;
          }
        }
        killGroup(pgid, 'SIGKILL'); // workers left behind
        groups.delete(pgid);
      })();
      return stopped;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// readiness

/** Polls sipProbe until it succeeds, the group exits, or `timeoutMs` passes (then stops the group and throws). */
export async function waitReady(
  name: string,
  group: Group,
  url: string,
  ca: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ex = group.exited();
    if (ex !== undefined) {
      await group.stop(1000);
      throw new Error(
        `${name} exited during start-up (code ${ex.code}, signal ${ex.signal}):\n${group.log().slice(-4000)}`,
      );
    }
    // Any SIP response will do; a browser-like Origin, as the load clients send.
    if (await sipProbe(url, 1000, { ca, origin: 'https://127.0.0.1', anyResponse: true })) return;
    if (Date.now() > deadline) {
      await group.stop(2000);
      throw new Error(`${name} did not answer on ${url} in ${timeoutMs} ms:\n${group.log().slice(-4000)}`);
    }
    await sleep(100);
  }
}
