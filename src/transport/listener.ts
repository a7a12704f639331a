/**
 * Server side: `listen=` specifications, the bound sockets, TLS accept (wss), and the upgrade request
 * read and checked by hand (bounded buffer, reads counted, deadline) before the socket is handed to
 * `ws` for framing. Node's HTTP server is not involved.
 */
import type { IncomingMessage } from 'node:http';
import { isIP, type Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import type { SipwssError } from '../errors.js';
import { WsError } from '../ws/errors.js';
import { readEpoch } from '../ws/read-epoch.js';
import {
  findHeaderEnd,
  type HttpRequest,
  MAX_UPGRADE_BYTES,
  parseHttpRequest,
  rejectionResponse,
  type ValidUpgrade,
  validateUpgrade,
} from '../ws/upgrade-request.js';
import {
  CLOSE_GRACE_MS,
  type Connection,
  connOf,
  onSocketClose,
  onSocketData,
  onSocketError,
  UpgradeRead,
} from './connection.js';
import { TransportError } from './errors.js';
import type { ProtoPolicy } from './options.js';
import type { ListenerInfo, LocalEndpoint, WsProto } from './types.js';

export interface ListenSpec {
  readonly proto: WsProto;
  readonly host: string;
  readonly port: number | undefined;
}

export type ListenInput = string | { proto: WsProto; host: string; port?: number };

/** `ws:IP[:PORT]`, `wss:[IPv6][:PORT]`, `wss:hostname[:PORT]` (OpenSIPS `listen=` syntax). */
export function parseListen(input: ListenInput): ListenSpec {
  if (typeof input !== 'string') {
    if ((input.proto !== 'ws' && input.proto !== 'wss') || typeof input.host !== 'string' || !input.host) {
      throw new TransportError('LISTEN_INVALID', JSON.stringify(input));
    }
    return {
      proto: input.proto,
      host: unbracket(input.host),
      port: checkPort(input.port, JSON.stringify(input)),
    };
  }
  const m = /^(wss|ws):(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+))(?::(\d{1,5}))?$/.exec(input.trim());
  if (!m)
    throw new TransportError('LISTEN_INVALID', `"${input}" (expected ws:HOST[:PORT] or wss:HOST[:PORT])`);
  const host = (m[2] ?? m[3]) as string;
  if (m[2] !== undefined && isIP(host) !== 6)
    throw new TransportError('LISTEN_INVALID', `"${input}": bad IPv6`);
  return {
    proto: m[1] as WsProto,
    host,
    port: m[4] === undefined ? undefined : checkPort(Number(m[4]), input),
  };
}

function unbracket(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

function checkPort(port: number | undefined, what: string): number | undefined {
  if (port === undefined) return undefined;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TransportError('LISTEN_INVALID', `${what}: port must be 0..65535`);
  }
  return port;
}

/** A plain HTTP request (not a WebSocket upgrade), for the optional hook. */
export interface PlainHttpRequest {
  readonly method: string;
  readonly target: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly listener: ListenerInfo;
}

export interface PlainHttpResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export type HttpHandler = (
  req: PlainHttpRequest,
) => PlainHttpResponse | undefined | Promise<PlainHttpResponse | undefined>;

/** What a listener needs from its transport. */
export interface ListenerHost {
  /** Creates and registers a connection for an accepted socket, or refuses it (undefined). */
  admit(raw: Socket, listener: Listener): Connection | undefined;
  upgraded(conn: Connection): void;
  rejected(conn: Connection, err: WsError): void;
  readonly http: HttpHandler | undefined;
}

export class Listener {
  tlsServer: Server | undefined;
  /** wss_tls_accept_timeout (ms): the sweep enforces it (see Transport.installTls). */
  private tlsAcceptTimeout = 0;
  /** wss: accepted connections in their TLS handshake. */
  readonly pendingTls = new Set<Connection>();
  readonly wss: WebSocketServer;
  /** The provider's post-handshake check (e.g. require_cert of the SNI-selected domain). */
  checkPeer: ((sock: TLSSocket) => SipwssError | undefined) | undefined;
  /** Shared by every connection it accepts. */
  readonly local: LocalEndpoint;
  private readonly interned = new Map<string, string>();

  constructor(
    readonly info: ListenerInfo,
    readonly policy: Readonly<ProtoPolicy>,
    readonly server: Server,
    private readonly host: ListenerHost,
  ) {
    this.local = Object.freeze({ proto: info.proto, address: info.address, port: info.port, listener: info });
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false, // RFC 7118 needs none; deflate costs memory per connection
      maxPayload: policy.max_msg_size,
      maxFragments: policy.max_fragments,
      autoPong: true, // RFC 6455 §5.5.2: Pong with the Ping's payload
      allowSynchronousEvents: true,
      skipUTF8Validation: false, // RFC 6455 §8.1: invalid UTF-8 fails with 1007
      closeTimeout: CLOSE_GRACE_MS,
    } as ConstructorParameters<typeof WebSocketServer>[0]);
  }

  /** Sets the TLS server used for accepted wss sockets (replaced on reload). */
  setTlsServer(s: Server, acceptTimeout: number): void {
    this.tlsServer = s;
    this.tlsAcceptTimeout = acceptTimeout;
    s.on('secureConnection', (sock: TLSSocket) => this.onSecure(sock));
    s.on('tlsClientError', (err: Error & { code?: string }, sock: TLSSocket) => this.onTlsError(err, sock));
  }

  onConnection(raw: Socket): void {
    raw.on('error', onSocketError);
    const conn = this.host.admit(raw, this);
    if (!conn) return;
    raw.on('close', onSocketClose);
    // TCP_NODELAY is already set: the server is created with `noDelay: true`.
    const now = Date.now();
    if (this.info.proto === 'wss' && this.tlsServer) {
      conn.to('tls');
      conn.deadline = now + this.tlsAcceptTimeout;
      this.pendingTls.add(conn);
      this.tlsServer.emit('connection', raw);
      // Node's TLS layer (which has just wrapped `raw`) waits for 'connect' on it, for a client
      // socket still connecting. An accepted socket is connected and never emits it, so that
      // listener (a once-wrapper, a bound function and a closure) would only stay for the
      // connection's life; dropped now, while still young (cheaper for the GC than after promotion).
      if (!raw.connecting) raw.removeAllListeners('connect');
    } else {
      conn.to('upgrading');
      conn.deadline = now + this.policy.upgrade_timeout;
      raw.on('data', onSocketData);
    }
  }

  /**
   * The connection's copy of a resource or Origin value: one shared string per distinct value (a
   * deployment has few), and never a substring of the request text, which would keep all of it
   * alive with the connection.
   */
  private intern(s: string): string {
    const known = this.interned.get(s);
    if (known !== undefined) return known;
    const own = Buffer.from(s, 'latin1').toString('latin1');
    if (this.interned.size < INTERN_MAX) this.interned.set(own, own);
    return own;
  }

  private take(sock: TLSSocket): Connection | undefined {
    // The TLS socket wraps the accepted one (Node keeps it as `_parent`), which carries the
    // connection. Matching by address instead (the fallback) would read the TLS socket's own
    // remoteAddress, which caches an address object and string on it for the connection's life.
    const parent = (sock as TLSSocket & { _parent?: unknown })._parent;
    let conn = parent instanceof Socket ? connOf(parent) : undefined;
    if (conn === undefined) {
      const address = sock.remoteAddress;
      const port = sock.remotePort;
      for (const c of this.pendingTls) {
        if (c.remoteAddress === address && c.remotePort === port) conn = c;
      }
    }
    if (conn) this.pendingTls.delete(conn);
    return conn;
  }

  private onSecure(sock: TLSSocket): void {
    sock.on('error', onSocketError);
    const conn = this.take(sock);
    if (conn?.state !== 'tls') {
      sock.destroy();
      return;
    }
    conn.setStream(sock);
    sock.on('close', onSocketClose);
    const err = this.checkPeer?.(sock);
    if (err) {
      conn.destroy({ kind: 'tls-error', error: err });
      return;
    }
    conn.to('upgrading');
    conn.deadline = Date.now() + this.policy.upgrade_timeout;
    sock.on('data', onSocketData);
  }

  private onTlsError(err: Error & { code?: string }, sock: TLSSocket): void {
    sock.destroy();
    const conn = this.take(sock);
    if (!conn) return;
    const timeout = err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT';
    conn.destroy({ kind: timeout ? 'tls-timeout' : 'tls-error', error: err });
  }

  /** Bytes of the upgrade request (RFC 6455 §4.2.1), counted per read (OpenSIPS max_msg_chunks). */
  handshakeData(conn: Connection, chunk: Buffer): void {
    const policy = this.policy;
    const epoch = readEpoch();
    const up = (conn.upgrade ??= new UpgradeRead());
    if (epoch !== up.epoch) up.reads++;
    up.epoch = epoch;
    if (up.reads > policy.max_msg_chunks) {
      conn.destroy({
        kind: 'too-many-chunks',
        error: new WsError(
          'WS_TOO_MANY_CHUNKS',
          `upgrade request over more than ${policy.max_msg_chunks} reads`,
        ),
      });
      return;
    }
    const prev = up.buf;
    const buf = prev ? Buffer.concat([prev, chunk]) : chunk;
    const end = findHeaderEnd(buf, prev ? prev.length : 0);
    if (end === -1 || end > MAX_UPGRADE_BYTES) {
      if (buf.length > MAX_UPGRADE_BYTES) {
        this.reject(conn, new WsError('WS_HTTP_TOO_LARGE', `more than ${MAX_UPGRADE_BYTES} bytes`));
      } else {
        up.buf = buf;
      }
      return;
    }
    up.buf = undefined;
    const parsed = parseHttpRequest(buf.subarray(0, end));
    if (!parsed.ok) {
      this.reject(conn, parsed.error);
      return;
    }
    const v = validateUpgrade(parsed.value, policy);
    if (!v.ok) {
      if (v.error.code === 'WS_NOT_UPGRADE' && this.host.http) {
        this.plainHttp(conn, parsed.value, v.error, this.host.http);
      } else {
        this.reject(conn, v.error);
      }
      return;
    }
    // Bytes pipelined after the request are the first WebSocket frames: keep them.
    this.complete(conn, v.value, buf.subarray(end), epoch);
  }

  private complete(conn: Connection, v: ValidUpgrade, head: Buffer, epoch: number): void {
    conn.resource = this.intern(v.path);
    conn.origin = v.origin === undefined ? undefined : this.intern(v.origin);
    const sock = conn.socket;
    const req = {
      method: 'GET',
      url: v.path,
      headers: {
        upgrade: 'websocket',
        'sec-websocket-key': v.key,
        'sec-websocket-version': '13',
        // RFC 7118 §4.1: the 101 carries Sec-WebSocket-Protocol: sip (ws echoes the one offer).
        'sec-websocket-protocol': v.protocol,
      },
    } as unknown as IncomingMessage;
    const now = Date.now();
    if (head.length > 0) {
      if (!conn.track(head, now, epoch)) {
        conn.destroy({ kind: 'too-many-chunks', error: new WsError('WS_TOO_MANY_CHUNKS') });
        return;
      }
      if (conn.upgrade) conn.upgrade.head = head;
    }
    // Paused so that `ws` finds the unshifted head in the buffer instead of a 'data' event emitted
    // before its listener exists; resumed once it listens.
    sock.pause();
    // `ws` reports the socket's end from here on; if it does not take the socket, the check below
    // ends the connection at once (no socket event needed for that).
    conn.releaseSocketEvents();
    this.wss.handleUpgrade(req, sock as Socket, head, (ws) => {
      conn.attach(ws, now);
      this.host.upgraded(conn);
    });
    if (conn.state === 'upgrading') conn.destroy({ kind: 'peer-gone' });
    else sock.resume();
  }

  private plainHttp(conn: Connection, req: HttpRequest, err: WsError, handler: HttpHandler): void {
    const reject = () => this.reject(conn, err);
    let res: ReturnType<HttpHandler>;
    try {
      res = handler({ method: req.method, target: req.target, headers: req.headers, listener: this.info });
    } catch {
      reject();
      return;
    }
    Promise.resolve(res).then(
      (r) => {
        if (conn.state !== 'upgrading') return;
        if (!r) return reject();
        const body = r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body);
        const lines = [`HTTP/1.1 ${r.status} ${r.status < 300 ? 'OK' : 'Error'}`];
        for (const [k, val] of Object.entries(r.headers ?? {})) lines.push(`${k}: ${val}`);
        lines.push(`Content-Length: ${body.length}`, 'Connection: close', '', '');
        conn.endWith(Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]), {
          kind: 'upgrade-rejected',
          error: err,
        });
      },
      () => {
        if (conn.state === 'upgrading') reject();
      },
    );
  }

  reject(conn: Connection, err: WsError): void {
    this.host.rejected(conn, err);
    const kind = err.code === 'WS_UPGRADE_TIMEOUT' ? 'upgrade-timeout' : 'upgrade-rejected';
    conn.endWith(rejectionResponse(err), { kind, error: err });
  }
}

/** Distinct resource and Origin values kept per listener for sharing (beyond this, copies). */
const INTERN_MAX = 256;

export { onSocketClose, onSocketData, onSocketError } from './connection.js';
