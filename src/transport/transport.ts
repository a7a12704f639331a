/**
 * The transport: listeners, outbound connections, the connection table, and the one sweep timer
 * that enforces every time limit (upgrade, message, idle lifetime, ping, send, closing grace).
 */

import { lookup } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { ClientTlsProvider, ServerTlsProvider } from '../tls/provider.js';
import { WsError } from '../ws/errors.js';
import { pingAction } from '../ws/keepalive.js';
import { epochTime, readEpoch } from '../ws/read-epoch.js';
import { Connection, type ConnectionHost, flushHeldSockets } from './connection.js';
import { ConnectionTable } from './connection-table.js';
import { TransportError } from './errors.js';
import {
  type HttpHandler,
  Listener,
  type ListenerHost,
  type ListenInput,
  onSocketClose,
  onSocketData,
  parseListen,
} from './listener.js';
import { type ProtoPolicy, protoPolicy, resolveParams, type TransportParams } from './options.js';
import {
  clientHandshake,
  normalizeDestination,
  type OutDest,
  resolveHost,
  tcpConnect,
  tlsHandshake,
} from './outbound.js';
import { dropAddressCaches } from './socket-cache.js';
import type {
  CloseReason,
  ConnectionInfo,
  Destination,
  IncomingMessage,
  ListenerInfo,
  LocalEndpoint,
  Logger,
  RemoteAddress,
  TransportName,
  WsProto,
} from './types.js';

export interface TransportOptions {
  /** OpenSIPS `listen=` values (`wss:127.0.0.1:0`, `ws:[::1]`) or objects. */
  readonly listen?: readonly ListenInput[];
  /** Needed when a wss listener is configured. */
  readonly tls?: ServerTlsProvider;
  /** Needed to send to wss destinations. */
  readonly clientTls?: ClientTlsProvider;
  /** Parameters by their params.ts names. */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly logger?: Logger;
  /**
   * Answers plain HTTP requests (not WebSocket upgrades) on the listeners, e.g. a page on `GET /`.
   * Return undefined for the default 426 Upgrade Required.
   */
  readonly http?: HttpHandler;
}

const OPTION_KEYS = new Set(['listen', 'tls', 'clientTls', 'params', 'logger', 'http']);

export interface TransportEvents {
  /**
   * One SIP message, in the order they were read. A message that came as one whole frame in one
   * read (the usual case) waits for the end of the event-loop turn (the check phase) and is
   * emitted there with the others of the turn; what listeners send is written right after. Any
   * other (from a read `ws` parses: fragments, several frames in a read) is emitted within its
   * read, after those waiting. Every message read while its connection was open is emitted, even
   * when the connection has closed since (a listener may find it gone when it answers).
   */
  message: [IncomingMessage];
  connection: [ConnectionInfo];
  /** A connection that was open has closed: after every message read from it was emitted. */
  close: [ConnectionInfo, CloseReason];
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface OutEntry {
  conn: Connection | undefined;
  queue: { data: Buffer; resolve: () => void; reject: (e: Error) => void }[];
}

/**
 * Not an EventEmitter subclass: `listeners` is the bound listeners here. on/once/off are typed.
 */
export class Transport implements ConnectionHost, ListenerHost {
  private readonly events = new EventEmitter<TransportEvents>();
  readonly params: Readonly<TransportParams>;
  private readonly policies: Record<WsProto, Readonly<ProtoPolicy>>;
  private readonly table = new ConnectionTable();
  private readonly outbound = new Map<string, OutEntry>();
  private readonly servers: Listener[] = [];
  /** Event counters: `close.<kind>`, `reject.<code>`, `open.in`, `open.out`, `refused.limit`, `refused.per_ip`. */
  private readonly counts = new Map<string, number>();
  private readonly log: Logger;
  private sweepTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /**
   * The messages (and closes) read in this turn, handed to 'message' and 'close' listeners
   * together in the check phase, in the order they came (see `deliver`).
   */
  private readonly inbox: Array<IncomingMessage | QueuedClose> = [];
  private inboxHead = 0;
  private draining = false;
  private inboxScheduled = false;
  private readonly drainInbox = (): void => this.drainAndFlush();
  private unsubscribeReload: (() => void) | undefined;
  readonly http: HttpHandler | undefined;

  private constructor(private readonly opts: TransportOptions) {
    this.params = resolveParams(opts.params ?? {});
    this.policies = { ws: protoPolicy(this.params, 'ws'), wss: protoPolicy(this.params, 'wss') };
    this.log = opts.logger ?? silentLogger;
    this.http = opts.http;
  }

  /** Validates the options, binds every listener (all or none), starts the sweep. */
  static async start(opts: TransportOptions): Promise<Transport> {
    for (const k of Object.keys(opts)) {
      if (!OPTION_KEYS.has(k)) throw new TransportError('OPTION_UNKNOWN', `"${k}"`);
    }
    const t = new Transport(opts);
    const specs = (opts.listen ?? []).map(parseListen);
    if (specs.some((s) => s.proto === 'wss') && !opts.tls) {
      throw new TransportError('TLS_PROVIDER_MISSING', 'a wss listener needs the `tls` option');
    }
    try {
      for (const spec of specs) {
        const port = spec.port ?? (spec.proto === 'wss' ? t.params.wss_port : t.params.ws_port);
        let address: string;
        try {
          address = (await lookup(spec.host)).address;
        } catch (e) {
          throw new TransportError('LISTEN_RESOLVE', spec.host, { cause: e });
        }
        await t.bind(spec.proto, spec.host, address, port);
      }
    } catch (e) {
      await t.stop();
      throw e;
    }
    if (opts.tls?.onReload) t.unsubscribeReload = opts.tls.onReload(() => t.reloadTls());
    t.scheduleSweep();
    return t;
  }

  private async bind(proto: WsProto, host: string, address: string, port: number): Promise<void> {
    const server: Server = createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) =>
        reject(new TransportError('LISTEN_BIND', `${proto}:${address}:${port}`, { cause: e })),
      );
      server.listen({ host: address, port, ipv6Only: address.includes(':') }, () => resolve());
    });
    const a = server.address();
    if (!a || typeof a === 'string') throw new TransportError('LISTEN_BIND', `${proto}:${address}:${port}`);
    const info: ListenerInfo = Object.freeze({
      proto,
      host,
      port: a.port,
      address: a.address,
      family: a.family === 'IPv6' ? 'IPv6' : 'IPv4',
    });
    const l = new Listener(info, this.policies[proto], server, this);
    if (proto === 'wss') this.installTls(l);
    server.on('connection', (raw: Socket) => l.onConnection(raw));
    server.on('error', (e) => this.log.error({ err: e, listener: info }, 'listener error'));
    this.servers.push(l);
    this.log.info({ listener: info }, 'listening');
  }

  private installTls(l: Listener): void {
    const provider = this.opts.tls as ServerTlsProvider;
    const local = { address: l.info.address, port: l.info.port };
    const ts = createTlsServer({
      ...provider.serverOptions(local),
      // wss_tls_accept_timeout is enforced by the sweep (Listener.onConnection sets the deadline).
      // Node arms a timer per socket for a value > 0 (and takes 0 as its 120 s default); the socket
      // then keeps that Timeout and a bound function for its whole life. Negative: no timer.
      handshakeTimeout: -1,
    });
    l.setTlsServer(ts, this.params.wss_tls_accept_timeout);
    l.checkPeer = provider.checkPeer ? (sock: TLSSocket) => provider.checkPeer?.(sock, local) : undefined;
  }

  /** Re-reads the provider's options for new TLS handshakes; established connections keep theirs. */
  reloadTls(): void {
    for (const l of this.servers) {
      if (l.info.proto !== 'wss') continue;
      try {
        this.installTls(l);
      } catch (e) {
        this.log.error({ err: e, listener: l.info }, 'TLS reload failed; keeping the previous certificates');
      }
    }
  }

  on<K extends keyof TransportEvents>(event: K, fn: (...args: TransportEvents[K]) => void): this {
    this.events.on(event, fn as never);
    return this;
  }

  once<K extends keyof TransportEvents>(event: K, fn: (...args: TransportEvents[K]) => void): this {
    this.events.once(event, fn as never);
    return this;
  }

  off<K extends keyof TransportEvents>(event: K, fn: (...args: TransportEvents[K]) => void): this {
    this.events.off(event, fn as never);
    return this;
  }

  private count(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Counters since start (for metrics): every close by kind, every refused upgrade by code. */
  counters(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  get listeners(): readonly ListenerInfo[] {
    return this.servers.map((l) => l.info);
  }

  /** Snapshots of the connection table (every state). */
  connections(): ConnectionInfo[] {
    const out: ConnectionInfo[] = [];
    for (const c of this.table.values()) out.push(c.info());
    return out;
  }

  connection(id: number): ConnectionInfo | undefined {
    return this.table.get(id)?.info();
  }

  /**
   * The addresses of an open connection, for routing each message (cheap: no snapshot, no TLS
   * details); undefined when it is gone or not open.
   */
  openEndpoint(
    id: number,
  ):
    | { readonly transport: TransportName; readonly local: LocalEndpoint; readonly remote: RemoteAddress }
    | undefined {
    const c = this.table.get(id);
    if (c === undefined || c.state !== 'open') return undefined;
    return { transport: c.transport, local: c.local, remote: c.remote };
  }

  /** Sends one SIP message on a connection; rejects with a typed error when it is gone or fails. */
  send(connectionId: number, data: Buffer | Uint8Array | string): Promise<void> {
    const conn = this.table.get(connectionId);
    if (!conn) return Promise.reject(new TransportError('CONNECTION_GONE', `connection #${connectionId}`));
    return conn.send(toBuffer(data));
  }

  /** Closes a connection (WebSocket close 1000, or at once if not open). */
  close(connectionId: number, code = 1000): boolean {
    const conn = this.table.get(connectionId);
    if (!conn) return false;
    conn.close({ kind: 'local', code }, code, Date.now());
    return true;
  }

  /** Sends to a destination, reusing an open connection or opening one (queued sends keep order). */
  sendTo(dest: Destination, data: Buffer | Uint8Array | string): Promise<void> {
    if (this.stopped) return Promise.reject(new TransportError('STOPPED'));
    let d: OutDest;
    try {
      d = normalizeDestination(dest, this.params);
    } catch (e) {
      return Promise.reject(e);
    }
    const buf = toBuffer(data);
    let entry = this.outbound.get(d.key);
    if (entry?.conn?.state === 'open') return entry.conn.send(buf);
    if (!entry) {
      entry = { conn: undefined, queue: [] };
      this.outbound.set(d.key, entry);
      void this.connectOut(d, entry);
    }
    const e = entry;
    return new Promise<void>((resolve, reject) => e.queue.push({ data: buf, resolve, reject }));
  }

  private async connectOut(d: OutDest, entry: OutEntry): Promise<void> {
    const policy = this.policies[d.proto];
    let conn: Connection | undefined;
    try {
      if (d.proto === 'wss' && !this.opts.clientTls) {
        throw new TransportError('TLS_PROVIDER_MISSING', 'sending to wss needs the `clientTls` option');
      }
      if (this.table.size >= this.params.tcp_max_connections) {
        throw new TransportError('TOO_MANY_CONNECTIONS', `${this.table.size} live`);
      }
      const { address } = await resolveHost(d.host);
      const raw = await tcpConnect(address, d.port, this.params.tcp_connect_timeout);
      if (this.stopped) {
        raw.destroy();
        throw new TransportError('STOPPED');
      }
      const remoteAddress = raw.remoteAddress ?? address;
      const remotePort = raw.remotePort ?? d.port;
      const local = { proto: d.proto, address: raw.localAddress ?? '', port: raw.localPort ?? 0 };
      dropAddressCaches(raw);
      const now = Date.now();
      conn = new Connection(this.table.newId(), raw, local, remoteAddress, remotePort, policy, this, now);
      conn.resource = d.resource;
      this.table.add(conn);
      entry.conn = conn;
      raw.on('close', onSocketClose);
      let stream: Socket | TLSSocket = raw;
      if (d.proto === 'wss') {
        conn.to('tls');
        const clientTls = this.opts.clientTls as ClientTlsProvider;
        stream = await tlsHandshake(raw, d, address, clientTls, this.params.wss_tls_handshake_timeout);
        if (conn.state === 'closed') throw new TransportError('CONNECTION_CLOSED', 'during TLS');
        conn.setStream(stream);
      }
      conn.to('upgrading');
      const { ws, early, stopCollecting } = await clientHandshake(
        stream,
        d,
        policy,
        policy.handshake_timeout,
      );
      if (conn.state !== 'upgrading') {
        ws.terminate();
        throw new TransportError('CONNECTION_CLOSED', 'during the WebSocket handshake');
      }
      conn.attach(ws, Date.now());
      stopCollecting();
      stream.on('data', onSocketData);
      stream.on('close', onSocketClose);
      this.upgraded(conn);
      // Our sends queued behind the handshake first (an answer to what came with the 101 must
      // follow them), then what the server sent with its 101, before anything read from now on.
      const queue = entry.queue;
      entry.queue = [];
      for (const q of queue) conn.send(q.data).then(q.resolve, q.reject);
      for (const m of early) conn.handleMessage(ws, m.data, m.binary, false);
    } catch (e) {
      const err = this.stopped
        ? new TransportError('STOPPED')
        : e instanceof Error
          ? e
          : new Error(String(e));
      if (this.outbound.get(d.key) === entry) this.outbound.delete(d.key);
      const queue = entry.queue;
      entry.queue = [];
      this.log.warn({ err, destination: d.key }, 'outbound connection failed');
      conn?.destroy({ kind: 'handshake-failed', error: err });
      for (const q of queue) q.reject(err);
    }
  }

  // ---- ListenerHost

  admit(raw: Socket, listener: Listener): Connection | undefined {
    const address = raw.remoteAddress;
    if (this.stopped || !address) {
      raw.destroy();
      return undefined;
    }
    const p = this.params;
    if (this.table.size >= p.tcp_max_connections) {
      this.count('refused.limit');
      this.log.warn(
        { remote: address, limit: p.tcp_max_connections },
        'tcp_max_connections reached; refused',
      );
      raw.destroy();
      return undefined;
    }
    if (p.tcp_max_connections_per_ip > 0 && this.table.countFor(address) >= p.tcp_max_connections_per_ip) {
      this.count('refused.per_ip');
      this.log.warn(
        { remote: address, limit: p.tcp_max_connections_per_ip },
        'per-IP connection limit; refused',
      );
      raw.destroy();
      return undefined;
    }
    const conn = new Connection(
      this.table.newId(),
      raw,
      listener.local,
      address,
      raw.remotePort ?? 0,
      listener.policy,
      this,
      Date.now(),
      listener,
    );
    dropAddressCaches(raw);
    this.table.add(conn);
    return conn;
  }

  upgraded(conn: Connection): void {
    this.count(conn.listener ? 'open.in' : 'open.out');
    this.log.debug({ id: conn.id, remote: conn.remote, resource: conn.resource }, 'connection open');
    // A snapshot (with its TLS details) only for someone listening.
    if (this.events.listenerCount('connection') > 0) this.events.emit('connection', conn.info());
  }

  rejected(conn: Connection, err: WsError): void {
    this.count(`reject.${err.code}`);
    this.log.info(
      { id: conn.id, remote: conn.remote, code: err.code, status: err.outcome.http, reason: err.message },
      'upgrade refused',
    );
  }

  // ---- ConnectionHost

  /**
   * A message from the fast path (`batched`: a read that was one whole frame, the usual SIP
   * message) waits in the inbox for the end of the poll phase instead of being handed over inside
   * its read. Under load one turn reads many connections: their messages then run through the
   * listener (the SIP core) back to back, its code and data still in the CPU's caches, instead of
   * each between two TLS reads. It costs no latency: what the listener sends is held to the end
   * of the turn anyway (`holdUntilTurnEnds`) and written right after the inbox is drained. A
   * message from `ws`'s receiver is handed over at once, after those waiting (`handOver`).
   */
  deliver(conn: Connection, data: Buffer, binary: boolean, batched: boolean): void {
    readEpoch(); // the clock is read once per turn (src/ws/read-epoch.ts); epochTime() is this turn's
    const msg: IncomingMessage = {
      data,
      connectionId: conn.id,
      transport: conn.transport,
      remote: conn.remote,
      local: conn.local,
      binary,
      receivedAt: epochTime(),
    };
    this.inbox.push(msg);
    // From `ws`'s receiver: now, after those waiting, and as a drain, so that a close it causes
    // (a send that fails) waits for the listener to return.
    if (!batched) {
      if (!this.draining) this.drain();
      return;
    }
    if (!this.inboxScheduled) {
      this.inboxScheduled = true;
      setImmediate(this.drainInbox);
    }
  }

  /**
   * Hands over now what waits in the inbox (before `ws` reads more, on the peer's FIN, at stop()),
   * unless a drain is running; true if anything was handed over.
   */
  handOver(): boolean {
    if (this.draining || this.inboxHead >= this.inbox.length) return false;
    this.drain();
    return true;
  }

  /** End of the poll phase: the turn's messages and closes, then what they sent goes out. */
  private drainAndFlush(): void {
    this.inboxScheduled = false;
    this.drain();
    // In a microtask: after what the listeners' own settled promises sent (an answer built in a
    // `.then`), which the next turn would otherwise write.
    queueMicrotask(flushHeldSockets);
  }

  /** Hands the waiting messages and closes over, in order. */
  private drain(): void {
    this.draining = true;
    const q = this.inbox;
    try {
      // A close that happens while a message is handled (a send that fails) is queued behind
      // it (`closed`): a listener is never re-entered.
      while (this.inboxHead < q.length) {
        const item = q[this.inboxHead] as IncomingMessage | QueuedClose;
        this.inboxHead++;
        if (item instanceof QueuedClose) this.emitClose(item.info, item.reason);
        else this.emitMessage(item);
      }
    } finally {
      this.draining = false;
      if (this.inboxHead >= q.length) {
        q.length = 0;
        this.inboxHead = 0;
      } else if (!this.inboxScheduled) {
        // Something escaped the loop: what is left (closes too) goes at the end of the turn.
        this.inboxScheduled = true;
        setImmediate(this.drainInbox);
      }
    }
  }

  private emitMessage(msg: IncomingMessage): void {
    try {
      this.events.emit('message', msg);
    } catch (e) {
      this.log.error({ err: e, id: msg.connectionId }, 'message listener threw');
    }
  }

  private emitClose(info: ConnectionInfo, reason: CloseReason): void {
    try {
      this.events.emit('close', info, reason);
    } catch (e) {
      this.log.error({ err: e, id: info.id }, 'close listener threw');
    }
  }

  closed(conn: Connection, reason: CloseReason, wasOpen: boolean): void {
    this.table.remove(conn);
    this.count(`close.${reason.kind}`);
    if (conn.direction === 'out') {
      for (const [k, e] of this.outbound) {
        if (e.conn === conn) {
          this.outbound.delete(k);
          break;
        }
      }
    }
    conn.listener?.pendingTls.delete(conn);
    this.log.debug(
      { id: conn.id, reason: reason.kind, code: reason.code, err: reason.error?.message },
      'connection closed',
    );
    if (wasOpen && this.events.listenerCount('close') > 0) {
      // After the messages of this connection (and others) already read: a listener sees a
      // connection's messages before its close, as they came.
      if (this.draining || this.inboxHead < this.inbox.length)
        this.inbox.push(new QueuedClose(conn.info(), reason));
      else this.emitClose(conn.info(), reason);
    }
  }

  // ---- the sweep

  private sweepInterval(): number {
    const p = this.params;
    const candidates = [
      p.wss_tls_accept_timeout,
      p.ws_upgrade_timeout,
      p.wss_upgrade_timeout,
      p.ws_msg_timeout || 1000,
      p.wss_msg_timeout || 1000,
      p.ws_ping_timeout,
      p.wss_ping_timeout,
      p.ws_send_timeout,
      p.wss_send_timeout,
      p.ws_ping_interval || 1000,
      p.wss_ping_interval || 1000,
    ];
    return Math.max(20, Math.min(1000, Math.floor(Math.min(...candidates) / 4)));
  }

  private scheduleSweep(): void {
    const every = this.sweepInterval();
    this.sweepTimer = setInterval(() => this.sweep(Date.now()), every);
    this.sweepTimer.unref();
  }

  /** One pass over the table: every deadline of every connection. */
  sweep(now: number): void {
    const lifetime = this.params.tcp_connection_lifetime * 1000;
    for (const c of this.table.values()) {
      try {
        this.sweepOne(c, now, lifetime);
      } catch (e) {
        this.log.error({ err: e, id: c.id }, 'sweep failed for a connection');
        c.destroy({ kind: 'error', error: e instanceof Error ? e : new Error(String(e)) });
      }
    }
  }

  private sweepOne(c: Connection, now: number, lifetime: number): void {
    const p = c.policy;
    switch (c.state) {
      case 'tls':
        if (c.deadline && now > c.deadline) {
          c.destroy({
            kind: 'tls-timeout',
            error: new TransportError('TLS_HANDSHAKE_TIMEOUT', `${this.params.wss_tls_accept_timeout} ms`),
          });
        }
        return;
      case 'upgrading':
        if (c.direction === 'in' && c.deadline && now > c.deadline) {
          c.listener?.reject(c, new WsError('WS_UPGRADE_TIMEOUT', `${p.upgrade_timeout} ms`));
        }
        return;
      case 'closing':
        if (c.deadline && now > c.deadline) c.destroy({ kind: 'local' });
        return;
      case 'open':
        break;
      default:
        return;
    }
    if (c.sendStalled(now)) {
      c.destroy({ kind: 'send-timeout', error: new TransportError('SEND_TIMEOUT', `${p.send_timeout} ms`) });
      return;
    }
    const t = c.tracker;
    if (t && p.msg_timeout > 0 && t.unitStart && now - t.unitStart > p.msg_timeout) {
      c.close({ kind: 'msg-timeout', code: 1008, error: new WsError('WS_MESSAGE_TIMEOUT') }, 1008, now);
      return;
    }
    if (now - c.lastActivity > lifetime) {
      c.close({ kind: 'idle-timeout', code: 1001 }, 1001, now);
      return;
    }
    switch (pingAction(now, c.lastActivity, c.pingSentAt, p.ping_interval, p.ping_timeout)) {
      case 'ping':
        c.pingSentAt = now;
        c.ws?.ping();
        return;
      case 'dead':
        c.destroy({ kind: 'ping-timeout', error: new WsError('WS_PING_TIMEOUT', `${p.ping_timeout} ms`) });
        return;
      default:
    }
  }

  /** Closes listeners and every connection; pending sends fail with STOPPED. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // What was read before the stop is handed over first, and the closes below come after it.
    this.handOver();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.unsubscribeReload?.();
    const closing = this.servers.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve())));
    const entries = [...this.outbound.values()];
    this.outbound.clear();
    for (const e of entries) {
      const q = e.queue;
      e.queue = [];
      for (const x of q) x.reject(new TransportError('STOPPED'));
    }
    for (const c of [...this.table.values()]) c.destroy({ kind: 'stopped' });
    await Promise.all(closing);
  }
}

function toBuffer(data: Buffer | Uint8Array | string): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** A close waiting in the inbox behind messages read before it. */
class QueuedClose {
  constructor(
    readonly info: ConnectionInfo,
    readonly reason: CloseReason,
  ) {}
}
