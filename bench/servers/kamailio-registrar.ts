/**
 * Kamailio (Debian's 5.6 packages) as the reference WSS registrar/proxy for bench/server.bench.ts.
 *
 * The routing script is test/helpers/kamailio.ts's kamailioRegistrarConfig() (usrloc in memory,
 * registrar save/lookup with fix_nated_register, nathelper add_contact_alias/handle_ruri_alias for
 * WS, rr, tm t_relay; no authentication), with what a 10,000-connection bench needs on top:
 * - `tcp_max_connections` / `tls_max_connections` above the load (Kamailio's default is 2048),
 *   `tcp_connection_lifetime` longer than the bench (default 120 s would close idle clients),
 * - `debug=1` (warnings only: no per-request log lines),
 * - shared memory sized for the connections and the transactions (`-m`, MB; Kamailio's TLS module
 *   allocates OpenSSL's per-connection state there; pages are only counted once touched) and 32 MB
 *   private memory (`-M`).
 * One SIP worker and one TCP worker (`children=1`, `tcp_children=1`): Debian's 5.6.3 double-frees in
 * OpenSSL 3 under TLS connection churn with more than one TCP worker.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  freePort,
  KAMAILIO_BINARY,
  kamailioRegistrarConfig,
  kamailioTlsConfig,
} from '../../test/helpers/kamailio.js';
import { missingPeer } from '../../test/helpers/peers.js';
import { type StartSut, spawnGroup, waitReady } from '../load/sut.js';

/** Why Kamailio cannot run here (false when it can). */
export function kamailioMissing(): false | string {
  try {
    return missingPeer('kamailio');
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The registrar config with the bench's capacity settings added after the core settings. */
export function benchKamailioConfig(port: number, tlsCfg: string, maxConnections: number): string {
  const base = kamailioRegistrarConfig({ port, wsPort: undefined, tlsCfg, debug: 1, auth: false });
  const anchor = 'tcp_accept_no_cl=yes\n';
  if (!base.includes(anchor)) throw new Error('kamailioRegistrarConfig() changed: no tcp_accept_no_cl line');
  return base.replace(
    anchor,
    `${anchor}# bench capacity (bench/servers/kamailio-registrar.ts)\n` +
      `tcp_max_connections=${maxConnections}\n` +
      `tls_max_connections=${maxConnections}\n` +
      'tcp_connection_lifetime=3605\n',
  );
}

function version(): string {
  try {
    return execFileSync(KAMAILIO_BINARY, ['-v'], { encoding: 'utf8' }).split('\n')[0]?.trim() ?? '';
  } catch {
    return 'kamailio (version unknown)';
  }
}

export const start: StartSut = async (opts) => {
  const missing = kamailioMissing();
  if (missing) throw new Error(`Kamailio is not installed: ${missing}`);
  const port = await freePort();
  const cfgFile = join(opts.dir, 'kamailio.cfg');
  const tlsCfg = join(opts.dir, 'tls.cfg');
  const logFile = join(opts.dir, 'kamailio.log');
  writeFileSync(tlsCfg, kamailioTlsConfig(opts.certFile, opts.keyFile));
  writeFileSync(cfgFile, benchKamailioConfig(port, tlsCfg, opts.maxConnections));
  // ~110 KB of shared memory per TLS WebSocket connection measured, plus 1 GB for transactions: tm
  // keeps each MESSAGE transaction (request and reply) for its wait timer (5 s), ~25,000 of them at
  // 5,000 tx/s; with 256 MB the TLS module ran out at 100 connections and dropped connections.
  const shmMb = 1024 + Math.ceil((opts.maxConnections * 160) / 1024);
  const group = spawnGroup(
    KAMAILIO_BINARY,
    // -DD: fork workers, main process stays our child (and the group leader); -E: log to stderr;
    // -Y: runtime dir; -m/-M: shared/private memory (MB)
    [
      '-DD',
      '-E',
      '-f',
      cfgFile,
      '-P',
      join(opts.dir, 'kamailio.pid'),
      '-Y',
      opts.dir,
      '-w',
      opts.dir,
      '-m',
      String(shmMb),
      '-M',
      '32',
    ],
    { cwd: opts.dir, logFile },
  );
  const url = `wss://127.0.0.1:${port}/`;
  await waitReady('kamailio', group, url, readFileSync(opts.caFile, 'utf8'), 15_000);
  return {
    name: 'kamailio',
    url,
    domain: '127.0.0.1',
    pgid: group.pgid,
    description: `${version()}, registrar/proxy, children=1 tcp_children=1, -m ${shmMb} -M 32`,
    log: group.log,
    stop: () => group.stop(5000),
  };
};
