/**
 * A real Kamailio (Debian's 5.6 packages) as a WSS peer for interop tests.
 *
 *   const kam = await startKamailio();            // wss://127.0.0.1:<free port>/
 *   after(() => kam.stop());
 *   test('...', { skip: missingPeer('kamailio') }, async () => { ... });
 *
 * Each instance gets its own temporary directory holding the generated kamailio.cfg, tls.cfg,
 * the PID file, the runtime dir (`-Y`, instead of /run/kamailio, which needs root) and the log.
 * Kamailio runs with `-DD` (it forks its workers but the main process stays our child, so its PID
 * is the spawned PID and the PID file agrees) in its own process group, so stop() can SIGTERM the
 * group and, after a grace period, SIGKILL it. A process 'exit' hook kills any
 * instance a test forgot to stop.
 *
 * Routing script (what the peer does):
 * - HTTP GET with `Upgrade: websocket` → ws_handle_handshake() (answers `Sec-WebSocket-Protocol: sip`),
 *   anything else over HTTP → 404.
 * - OPTIONS → 200 OK.
 * - MESSAGE to `sip:loop@…` → relayed statefully back to the sender over the same connection
 *   (`set_forward_no_connect()`: tests that a peer can send requests on a connection we opened).
 * - other MESSAGE → 200 OK carrying the request body (an echo in the response).
 * - anything else → 405.
 * `force_rport()` makes the reply go back to the source (the Via host of a WS client is `x.invalid`).
 *
 * With `routing: 'registrar'` (optionally `auth: true`) it is instead a reference WSS registrar/proxy
 * for real JsSIP / SIP.js clients: see kamailioRegistrarConfig().
 *
 *   const kam = await startKamailio({ certFile, keyFile, routing: 'registrar', auth: true });
 *   // users: KAMAILIO_TEST_USERS (alice/bob/carol); any SIP domain, e.g. sip:alice@127.0.0.1
 *
 * Quirks (Debian 5.6.3): with `tcp_children` > 1 OpenSSL 3 double-frees under TLS connection churn, so
 * one TCP worker only. Kamailio runs fine as root without `-u`/`-g`, and also as an ordinary user
 * (ports > 1024, runtime dir in the temp dir).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import WebSocket from 'ws';
import { PEERS } from './peers.js';

export const KAMAILIO_BINARY = PEERS.kamailio.binary;
/** Directory of Debian's Kamailio modules (from PEERS, so that missingPeer() and the config agree). */
export const KAMAILIO_MODULES = dirname(PEERS.kamailio.modules[0]);

export interface KamailioOptions {
  /** PEM server certificate and key file paths for the WSS listener (e.g. testPki().files). */
  readonly certFile: string;
  readonly keyFile: string;
  /** Also listen for plain ws:// on another free port. Default false. */
  readonly plainWs?: boolean;
  /** Kamailio `debug` level (default 2: NOTICE/INFO). */
  readonly debug?: number;
  /** Time allowed for start-up until the port accepts (default 10 s). */
  readonly startTimeoutMs?: number;
  /**
   * What the request route does (default 'echo', the script described above). 'registrar' makes
   * Kamailio a reference WSS registrar/proxy for real clients (see kamailioRegistrarConfig()).
   */
  readonly routing?: KamailioRouting;
  /**
   * With routing 'registrar': digest authentication (MD5, qop=auth) for the users of
   * KAMAILIO_TEST_USERS. REGISTER gets 401/WWW-Authenticate (realm = To domain), other initial
   * requests 407/Proxy-Authenticate (realm = From domain). Default false: no authentication.
   */
  readonly auth?: boolean;
}

export type KamailioRouting = 'echo' | 'registrar';

/** The fixed users (user → password) that the registrar's auth mode knows. */
export const KAMAILIO_TEST_USERS: Readonly<Record<'alice' | 'bob' | 'carol', string>> = Object.freeze({
  alice: 'alice-secret',
  bob: 'bob-secret',
  carol: 'carol-secret',
});

export interface Kamailio {
  readonly host: '127.0.0.1';
  /** WSS port. */
  readonly port: number;
  /** `wss://127.0.0.1:<port>/` */
  readonly url: string;
  /** Plain ws:// port and URL, when `plainWs` was set. */
  readonly wsPort: number | undefined;
  readonly wsUrl: string | undefined;
  readonly pid: number;
  /** The temporary directory with kamailio.cfg, tls.cfg, kamailio.pid and kamailio.log. */
  readonly dir: string;
  readonly logFile: string;
  /** The routing script this instance runs. */
  readonly routing: KamailioRouting;
  /** Whether digest auth is on (routing 'registrar' only). */
  readonly auth: boolean;
  /** The log so far (stderr of all Kamailio processes). */
  log(): string;
  /** false once the main process has exited (crashed, or stopped). */
  running(): boolean;
  /** SIGTERM, SIGKILL of the process group after `graceMs` (default 3000); removes the temp dir. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/** A free TCP port on 127.0.0.1: bind port 0, read it, close. (Racy by nature; fine on a test box.) */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('freePort: no port'))));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Readiness probe: a full WebSocket handshake (TLS for wss) and an OPTIONS answered with 200, then
 * a clean close. A bare TCP connect is not enough: Kamailio's TCP main process accepts before its
 * workers are ready, and a probe socket dropped at that moment can leave it deaf to SIGTERM.
 */
export function sipProbe(
  url: string,
  timeoutMs: number,
  opts: { ca?: string; origin?: string; anyResponse?: boolean } = {},
): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, 'sip', {
      ...(opts.ca !== undefined ? { ca: opts.ca } : { rejectUnauthorized: false }),
      ...(opts.origin !== undefined ? { origin: opts.origin } : {}),
      perMessageDeflate: false,
    });
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (ok) ws.close(1000);
      else ws.terminate();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    ws.once('error', () => done(false));
    ws.once('close', () => done(false));
    ws.once('open', () => {
      ws.send(
        'OPTIONS sip:127.0.0.1 SIP/2.0\r\n' +
          `Via: SIP/2.0/${url.startsWith('wss:') ? 'WSS' : 'WS'} probe.invalid;branch=z9hG4bKprobe${Date.now()}\r\n` +
          'Max-Forwards: 70\r\nTo: <sip:127.0.0.1>\r\nFrom: <sip:probe@probe.invalid>;tag=probe\r\n' +
          `Call-ID: probe-${Date.now()}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
      );
    });
    ws.on('message', (data) => done(String(data).startsWith(opts.anyResponse ? 'SIP/2.0 ' : 'SIP/2.0 200 ')));
  });
}

/**
 * The global part every generated config shares: one SIP and one TCP worker (Debian's 5.6.3
 * double-frees in OpenSSL 3 with two TCP workers under TLS churn), the WSS (and WS) listeners on
 * loopback, the module path. Ends with the mpath line: module loads follow.
 */
function kamailioGlobals(
  o: { port: number; wsPort: number | undefined; debug: number },
  generator: string,
): string {
  const listen = [`listen=tls:127.0.0.1:${o.port}`];
  if (o.wsPort !== undefined) listen.push(`listen=tcp:127.0.0.1:${o.wsPort}`);
  return `#!KAMAILIO
# Generated by ${generator}
debug=${o.debug}
log_stderror=yes
children=1
tcp_children=1
disable_sctp=yes
enable_tls=yes
auto_aliases=no
tcp_accept_no_cl=yes
${listen.join('\n')}

mpath="${KAMAILIO_MODULES}/"`;
}

export function kamailioConfig(o: {
  port: number;
  wsPort: number | undefined;
  tlsCfg: string;
  debug: number;
}): string {
  return `${kamailioGlobals(o, 'test/helpers/kamailio.ts')}
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "xhttp.so"
loadmodule "tls.so"
loadmodule "websocket.so"
loadmodule "nathelper.so"

modparam("tls", "config", "${o.tlsCfg}")
# no server-initiated keepalives: tests see only what they provoke
modparam("websocket", "keepalive_mechanism", 0)

request_route {
  force_rport();
  if (is_method("OPTIONS")) {
    sl_send_reply("200", "OK");
    exit;
  }
  if (is_method("MESSAGE") && $rU == "loop") {
    # back to the sender over the connection it came on (never open a new one)
    set_forward_no_connect();
    # send from the listener the request came in on (else Via names the first listener)
    if ($pr == "wss") {
      $fs = "tls:" + $Ri + ":" + $Rp;
    } else {
      $fs = "tcp:" + $Ri + ":" + $Rp;
    }
    $du = "sip:" + $si + ":" + $sp + ";transport=ws";
    if (!t_relay()) {
      sl_reply_error();
    }
    exit;
  }
  if (is_method("MESSAGE")) {
    set_reply_body("$rb", "text/plain");
    sl_send_reply("200", "OK");
    exit;
  }
  if (is_method("ACK")) {
    exit;
  }
  sl_send_reply("405", "Method Not Allowed");
}

event_route[xhttp:request] {
  set_reply_close();
  set_reply_no_connect();
  if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
    if (ws_handle_handshake()) {
      exit;
    }
  }
  xhttp_reply("404", "Not Found", "", "");
}
`;
}

const XHTTP_ROUTE = `event_route[xhttp:request] {
  set_reply_close();
  set_reply_no_connect();
  if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
    if (ws_handle_handshake()) {
      exit;
    }
  }
  xhttp_reply("404", "Not Found", "", "");
}
`;

/**
 * Kamailio as a reference WSS registrar/proxy, the way real JsSIP / SIP.js deployments run it (and
 * how shared/notes/clients-on-the-wire.md was captured):
 * - usrloc in memory (db_mode 0, AoR = user part only), registrar save("location") /
 *   lookup("location"); GRUU on (registrar default: a `+sip.instance` Contact gets pub-/temp-gruu).
 * - NAT handling for WS: REGISTER → fix_nated_register() (the binding keeps `received` = the source
 *   address, so lookup() sets $du to the client's WS connection); other requests and 1xx/2xx replies
 *   → add_contact_alias() (`;alias=ip~port~proto` on the Contact), undone by handle_ruri_alias() on
 *   in-dialog requests whose Route pointed at us.
 * - rr: record_route() on initial INVITE/SUBSCRIBE (double RR when the transport changes),
 *   loose_route() for in-dialog requests; ACK/CANCEL matched to transactions.
 * - tm: t_relay() statefully; unknown user → 404; OPTIONS to the server itself → 200.
 * - auth (optional): plain passwords from a cfg `switch` on the auth user (KAMAILIO_TEST_USERS),
 *   pv_www_authenticate()/pv_proxy_authenticate(), challenge with qop=auth (the clients do MD5 only;
 *   JsSIP would pick auth-int if offered). A wrong password gets a new challenge, so the client gives
 *   up with 401/407. The auth user must equal the To user (REGISTER) or From user (others): else 403.
 * No `alias=` for the domain: requests without Route are always for this registrar, so any domain works
 * (tests use 127.0.0.1, which is also `myself`).
 */
export function kamailioRegistrarConfig(o: {
  port: number;
  wsPort: number | undefined;
  tlsCfg: string;
  debug: number;
  auth: boolean;
}): string {
  const passwords = Object.entries(KAMAILIO_TEST_USERS)
    .map(([user, pw]) => `    case "${user}":\n      $var(pw) = "${pw}";\n      break;`)
    .join('\n');
  return `${kamailioGlobals(o, `test/helpers/kamailio.ts (routing: registrar${o.auth ? ', auth' : ''})`)}
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "xhttp.so"
loadmodule "tls.so"
loadmodule "websocket.so"
loadmodule "nathelper.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
${o.auth ? 'loadmodule "auth.so"\n' : ''}
modparam("tls", "config", "${o.tlsCfg}")
# no server-initiated keepalives: tests see only what they provoke
modparam("websocket", "keepalive_mechanism", 0)
# bindings in memory only
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "use_domain", 0)
# the binding remembers where the REGISTER came from (fix_nated_register); lookup() sets $du to it
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("registrar", "received_avp", "$avp(RECEIVED)")
modparam("rr", "enable_double_rr", 1)
modparam("rr", "append_fromtag", 1)

request_route {
  if (!mf_process_maxfwd_header("10")) {
    sl_send_reply("483", "Too Many Hops");
    exit;
  }
  force_rport();
  # to the server itself (also the readiness probe)
  if (is_method("OPTIONS") && $rU == $null && !has_totag()) {
    sl_send_reply("200", "OK");
    exit;
  }
  route(NATDETECT);
  if (has_totag()) {
    route(WITHINDLG);
    exit;
  }
  if (is_method("CANCEL")) {
    if (t_check_trans()) {
      route(RELAY);
    }
    exit;
  }
  if (is_method("ACK")) {
    if (t_check_trans()) {
      t_relay();
    }
    exit;
  }
  # retransmissions of a request being processed are absorbed here
  t_check_trans();
${o.auth ? '  route(AUTH);\n' : ''}  remove_hf("Route");
  if (is_method("INVITE|SUBSCRIBE")) {
    record_route();
  }
  if (is_method("REGISTER")) {
    if (!save("location")) {
      sl_reply_error();
    }
    exit;
  }
  if ($rU == $null) {
    sl_send_reply("484", "Address Incomplete");
    exit;
  }
  if (!lookup("location")) {
    t_newtran();
    t_reply("404", "Not Found");
    exit;
  }
  route(RELAY);
}

route[RELAY] {
  if (is_method("INVITE|BYE|UPDATE|SUBSCRIBE|NOTIFY|MESSAGE|INFO|REFER|PRACK")) {
    t_on_reply("REPLY");
  }
  if (!t_relay()) {
    sl_reply_error();
  }
  exit;
}

route[NATDETECT] {
  if (proto == WS || proto == WSS) {
    if (is_method("REGISTER")) {
      fix_nated_register();
    } else if (!is_method("ACK|CANCEL") || has_totag()) {
      if (!add_contact_alias()) {
        xlog("L_ERR", "add_contact_alias failed for $rm from $si:$sp\\n");
        sl_send_reply("400", "Bad Request");
        exit;
      }
    }
  }
}

route[WITHINDLG] {
  if (loose_route()) {
    if ($du == "") {
      if (!handle_ruri_alias()) {
        xlog("L_ERR", "bad alias in R-URI $ru\\n");
        sl_send_reply("400", "Bad Request");
        exit;
      }
    }
    route(RELAY);
  }
  if (is_method("ACK")) {
    if (t_check_trans()) {
      t_relay();
    }
    exit;
  }
  sl_send_reply("404", "Not Here");
  exit;
}
${
  o.auth
    ? `
route[AUTH] {
  $var(pw) = "";
  switch ($au) {
${passwords}
  }
  if (is_method("REGISTER")) {
    # no credentials, or an unknown user: (re-)challenge; flags 1: qop=auth
    if ($var(pw) == "" || !pv_www_authenticate("$td", "$var(pw)", "0")) {
      www_challenge("$td", "1");
      exit;
    }
    if ($au != $tU) {
      sl_send_reply("403", "Forbidden Auth ID");
      exit;
    }
  } else {
    if ($var(pw) == "" || !pv_proxy_authenticate("$fd", "$var(pw)", "0")) {
      proxy_challenge("$fd", "1");
      exit;
    }
    if ($au != $fU) {
      sl_send_reply("403", "Forbidden Auth ID");
      exit;
    }
  }
  consume_credentials();
}
`
    : ''
}
onreply_route[REPLY] {
  if ((proto == WS || proto == WSS) && $rs =~ "^[12]") {
    add_contact_alias();
  }
}

${XHTTP_ROUTE}`;
}

/** Kamailio's tls.cfg for a WSS listener with the given certificate (no client certificates). */
export function kamailioTlsConfig(certFile: string, keyFile: string): string {
  return `# Generated by test/helpers/kamailio.ts
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = ${certFile}
private_key = ${keyFile}

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
`;
}

/**
 * Whether any process of group `pgid` is still running. Zombies do not count: orphaned workers are
 * reparented to PID 1, and in some containers PID 1 never reaps them. Linux only (/proc).
 */
export function groupAlive(pgid: number): boolean {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ...; comm may contain spaces, so split after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) return true;
  }
  return false;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // group already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
}

export async function startKamailio(opts: KamailioOptions): Promise<Kamailio> {
  const routing = opts.routing ?? 'echo';
  if (opts.auth === true && routing !== 'registrar') {
    throw new Error("startKamailio: `auth` needs routing: 'registrar'");
  }
  const auth = opts.auth === true;
  const dir = mkdtempSync(join(tmpdir(), 'sipwss-kamailio-'));
  const port = await freePort();
  const wsPort = opts.plainWs ? await freePort() : undefined;
  const cfgFile = join(dir, 'kamailio.cfg');
  const tlsCfg = join(dir, 'tls.cfg');
  const pidFile = join(dir, 'kamailio.pid');
  const logFile = join(dir, 'kamailio.log');
  writeFileSync(tlsCfg, kamailioTlsConfig(opts.certFile, opts.keyFile));
  const debug = opts.debug ?? 2;
  writeFileSync(
    cfgFile,
    routing === 'registrar'
      ? kamailioRegistrarConfig({ port, wsPort, tlsCfg, debug, auth })
      : kamailioConfig({ port, wsPort, tlsCfg, debug }),
  );

  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      KAMAILIO_BINARY,
      // -DD: fork workers but keep the main process in the foreground; -E: log to stderr;
      // -Y: runtime dir; -m/-M: shared/private memory in MB (small: many tests, one box)
      ['-DD', '-E', '-f', cfgFile, '-P', pidFile, '-Y', dir, '-m', '48', '-M', '8', '-w', dir],
      { stdio: ['ignore', logFd, logFd], detached: true, cwd: dir },
    );
  } finally {
    closeSync(logFd);
  }
  installExitHook();
  live.add(child);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError = '';
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      resolve();
    });
    child.once('error', (err) => {
      exited = { code: null, signal: null };
      live.delete(child);
      spawnError = `spawn error: ${err.message}`;
      resolve();
    });
  });
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8') + spawnError;
    } catch {
      return spawnError;
    }
  };

  let stopped: Promise<void> | undefined;
  const stop = (graceMs = 3000): Promise<void> => {
    stopped ??= (async () => {
      if (exited === undefined) {
        // to the whole group: the main process alone sometimes leaves the TCP main process running
        // when the signal arrives right after start-up
        killGroup(child, 'SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), graceMs);
        });
        const outcome = await Promise.race([exitPromise.then(() => 'exited' as const), grace]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          killGroup(child, 'SIGKILL');
          await exitPromise;
        }
      }
      // workers left behind by a crashed main process
      killGroup(child, 'SIGKILL');
      if (process.env.SIPWSS_KEEP_PEER_DIRS !== '1') rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  for (;;) {
    if (exited !== undefined) {
      const text = log();
      await stop();
      throw new Error(
        `kamailio exited during start-up (code ${exited.code}, signal ${exited.signal}):\n${text.slice(-4000)}`,
      );
    }
    const ready =
      (await sipProbe(`wss://127.0.0.1:${port}/`, 1000)) &&
      (wsPort === undefined || (await sipProbe(`ws://127.0.0.1:${wsPort}/`, 1000)));
    if (ready) break;
    if (Date.now() > deadline) {
      const text = log();
      await stop();
      throw new Error(`kamailio did not accept on 127.0.0.1:${port} in time:\n${text.slice(-4000)}`);
    }
    await sleep(100);
  }

  return {
    host: '127.0.0.1',
    port,
    url: `wss://127.0.0.1:${port}/`,
    wsPort,
    wsUrl: wsPort === undefined ? undefined : `ws://127.0.0.1:${wsPort}/`,
    pid: child.pid ?? 0,
    dir,
    logFile,
    routing,
    auth,
    log,
    running: () => exited === undefined,
    stop,
  };
}
