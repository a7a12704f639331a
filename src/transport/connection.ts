/**
 * One WebSocket connection, inbound or outbound: a state machine (enum + transition table; illegal
 * moves throw), the send queue with its limits, and one idempotent `destroy(reason)` that every way
 * of ending funnels into. Event handlers are shared functions (no closures per connection or per
 * message); they find the connection through a symbol on the socket / WebSocket.
 *
 * Cost per connection and per message is kept near what `ws` alone costs (bench/transport.bench.ts):
 * no write callback per sent message unless the socket is backed up, no frame tracker object unless a
 * unit spans reads, no listeners of ours that `ws` duplicates once it owns the socket.
 */

import { isUtf8 } from 'node:buffer';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type WebSocket from 'ws';
import { SipwssError } from '../errors.js';
import { fromWsLibraryCode, WsError } from '../ws/errors.js';
import { CRLF, keepaliveKind } from '../ws/keepalive.js';
import { MessageTracker } from '../ws/message-tracker.js';
import { epochTime, readEpoch } from '../ws/read-epoch.js';
import { serverDataFrame } from '../ws/server-frame.js';
import { isBinaryFrame, singleDataFrame } from '../ws/single-frame.js';
import { TransportError } from './errors.js';
import type { Listener } from './listener.js';
import type { ProtoPolicy } from './options.js';
import type {
  CloseReason,
  ConnectionInfo,
  ConnState,
  LocalEndpoint,
  RemoteAddress,
  TlsDetails,
  WsProto,
} from './types.js';

/** What a connection needs from its transport. */
export interface ConnectionHost {
  /**
   * A message read from `conn`. `batched`: the read was one whole data frame (the fast path), and
   * the message may wait for the end of the turn with the others; else it is handed over at once.
   */
  deliver(conn: Connection, data: Buffer, binary: boolean, batched: boolean): void;
  /**
   * Hands over the messages waiting for the end of the turn now (before `ws` reads more, or ends
   * on the peer's FIN); true when there were some.
   */
  handOver(): boolean;
  closed(conn: Connection, reason: CloseReason, wasOpen: boolean): void;
}

const TRANSITIONS: Readonly<Record<ConnState, readonly ConnState[]>> = {
  accepted: ['tls', 'upgrading', 'closed'],
  connecting: ['tls', 'upgrading', 'closed'],
  tls: ['upgrading', 'closed'],
  upgrading: ['open', 'closing', 'closed'],
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

export const kConn = Symbol('sipwss.connection');
type Tagged = { [kConn]?: Connection };

interface PendingSend {
  resolve: () => void;
  reject: (e: Error) => void;
  at: number;
}

/** How far the upgrade request has come (inbound, until the first read after the upgrade). */
export class UpgradeRead {
  /** Bytes so far, when the request spans reads. */
  buf: Buffer | undefined;
  /** Reads it took so far, and the read epoch of the last one (src/ws/read-epoch.ts). */
  reads = 0;
  epoch = 0;
  /** Bytes after the request, already fed to the frame tracker, that the socket will emit again. */
  head: Buffer | undefined;
}

/** `ws.send` options, shared: RFC 7118 §4.2 text frames for UTF-8, binary otherwise. */
const TEXT = Object.freeze({ binary: false });
const BINARY = Object.freeze({ binary: true });
/** What a send accepted without backpressure returns (one shared settled promise, no allocation). */
const SENT: Promise<void> = Promise.resolve();
/** WebSocket.OPEN (RFC 6455 §4.1 "_The WebSocket Connection is Established_"). */
const WS_OPEN = 1;

/**
 * Sends of one event-loop turn go out together: the first send to a connection in a turn corks its
 * socket, and the check phase (setImmediate, right after the poll phase that ran the reads) uncorks
 * every socket corked in the turn. A relay writes to one connection several times per turn under load
 * (a request for its user and a response to its own request, from reads of different connections:
 * half the writes in bench:server's MESSAGE phase), and each write costs a TLS record, a write system
 * call and a write completion; uncorked, the writes of a turn are one record and one call. A socket
 * still corked is never left behind: destroy() flushes first, end() uncorks itself (Node streams), and
 * `ws` nests its own cork/uncork for control frames inside ours, which keeps the order of frames.
 */
const heldSockets: Array<Socket | TLSSocket> = [];
/** The check-phase flush, while one is due (a flush made sooner cancels it). */
let flushImmediate: NodeJS.Immediate | undefined;

function holdUntilTurnEnds(s: Socket | TLSSocket): void {
  if (s.writableCorked > 0) return; // already held this turn (ws uncorks its own before returning)
  s.cork();
  heldSockets.push(s);
  flushImmediate ??= setImmediate(flushHeldSockets);
}

/** Writes every send held this turn now (the transport's inbox, after it has handed a turn over). */
export function flushHeldSockets(): void {
  if (flushImmediate !== undefined) {
    // Flushed sooner (after the inbox, in a microtask): the check-phase flush is not needed. Left
    // scheduled, it would run in the next turn and write separately what that turn holds.
    clearImmediate(flushImmediate);
    flushImmediate = undefined;
  }
  // Uncorking writes synchronously and cannot add to the list (sends happen in other callbacks).
  for (const s of heldSockets) if (s.writableCorked > 0) s.uncork();
  heldSockets.length = 0;
}

/** Writes what a socket holds for the end of the turn now (before it is destroyed). */
function flushHeld(s: Socket | TLSSocket): void {
  while (s.writableCorked > 0) s.uncork();
}

/**
 * Frame tracker for connections between units: a chunk is fed to this shared one, and only when the
 * chunk ends inside a unit does the connection get a tracker of its own (a copy). An idle connection
 * thus holds none (OpenSIPS keeps per-connection read state too, but in C-sized structs).
 */
let scratch: MessageTracker | undefined;

/** Epoch ms that connection creation times are kept relative to (see Connection.bornOff). */
const TIME_BASE = Date.now();

/** Time a local close waits for the peer's Close before the socket is destroyed. */
export const CLOSE_GRACE_MS = 2000;

export class Connection {
  state: ConnState;
  /** The stream carrying WebSocket bytes (the TLS socket for wss once secure). */
  socket: Socket | TLSSocket;
  ws: WebSocket | undefined;
  /** createdAt as an offset from TIME_BASE (a small integer, see below). */
  private readonly bornOff: number;
  messagesIn = 0;
  messagesOut = 0;
  /**
   * createdAt, lastActivity, deadline and pingSentAt are epoch ms, kept as offsets (createdAt from
   * TIME_BASE, the others from createdAt): V8 boxes a number field that does not fit a small integer
   * (an epoch ms does not) in a separate 16-byte heap object per field and connection; an offset stays
   * a small integer for 24 days (after that it is boxed, still exact). deadline and pingSentAt store
   * offset + 1, so that 0 keeps meaning "none".
   */
  private rxOff = 0;
  private deadlineOff = 0;
  private pingOff = 0;
  /** Inbound, until the first read after the upgrade: the upgrade request read so far. */
  upgrade: UpgradeRead | undefined;
  /** Frame tracker state of a unit spread over reads; undefined between units (see `scratch`). */
  tracker: MessageTracker | undefined;
  /** Open: the stream's writableLength when a stall (backlog above the high-water mark) was seen. */
  stallLen = 0;
  resource: string | undefined;
  origin: string | undefined;
  private pending: PendingSend[] | undefined;
  /** Why a graceful close was started (kept until the socket is gone). */
  private closing: CloseReason | undefined;
  private wsError: WsError | undefined;
  /**
   * Inbound, once open: `ws`'s 'data' listener, taken off the socket so that a read holding one
   * whole data frame skips `ws`'s receiver (src/ws/single-frame.ts); every other read is handed on.
   */
  private wsData: ((this: Socket, chunk: Buffer) => void) | undefined;
  /**
   * Reads (and the peer's FIN, `PEER_END`) waiting behind a read given to `ws` in a microtask
   * (`passToWs`), so that `ws` gets them in order; undefined when none is deferred.
   */
  private behind: Array<Buffer | typeof PEER_END> | undefined;

  /**
   * `listener`: the listener that accepted it (inbound); undefined for an outbound connection.
   * `local.proto` is the connection's protocol.
   */
  constructor(
    readonly id: number,
    readonly raw: Socket,
    public local: LocalEndpoint,
    readonly remoteAddress: string,
    readonly remotePort: number,
    readonly policy: Readonly<ProtoPolicy>,
    private readonly host: ConnectionHost,
    now: number,
    readonly listener?: Listener,
  ) {
    this.state = listener ? 'accepted' : 'connecting';
    this.socket = raw;
    this.bornOff = small(now - TIME_BASE);
    (raw as Tagged)[kConn] = this;
  }

  /** When the connection was created (epoch ms). */
  get createdAt(): number {
    return TIME_BASE + this.bornOff;
  }

  /** A new object each time: an object kept per connection would cost more than one per message. */
  get remote(): RemoteAddress {
    const address = this.remoteAddress;
    return { address, port: this.remotePort, family: address.includes(':') ? 'IPv6' : 'IPv4' };
  }

  get proto(): WsProto {
    return this.local.proto;
  }

  get direction(): 'in' | 'out' {
    return this.listener ? 'in' : 'out';
  }

  /** Last time anything was received (epoch ms). */
  get lastActivity(): number {
    return this.createdAt + this.rxOff;
  }

  set lastActivity(t: number) {
    this.rxOff = small(t - this.createdAt);
  }

  /** Deadline (epoch ms) of the current phase (TLS, upgrade, closing, send progress); 0: none. */
  get deadline(): number {
    return this.deadlineOff === 0 ? 0 : this.createdAt + this.deadlineOff - 1;
  }

  set deadline(t: number) {
    this.deadlineOff = t === 0 ? 0 : small(t - this.createdAt + 1);
  }

  /** When the unanswered keepalive Ping was sent (epoch ms); 0: none. */
  get pingSentAt(): number {
    return this.pingOff === 0 ? 0 : this.createdAt + this.pingOff - 1;
  }

  set pingSentAt(t: number) {
    this.pingOff = t === 0 ? 0 : small(t - this.createdAt + 1);
  }

  get transport(): 'WS' | 'WSS' {
    return this.proto === 'wss' ? 'WSS' : 'WS';
  }

  to(next: ConnState): void {
    if (!TRANSITIONS[this.state].includes(next)) {
      throw new Error(`connection #${this.id}: illegal transition ${this.state} -> ${next}`);
    }
    this.state = next;
  }

  /** The stream that carries WebSocket bytes from now on (the TLS socket after the handshake). */
  setStream(s: Socket | TLSSocket): void {
    this.socket = s;
    (s as Tagged)[kConn] = this;
  }

  /** Attaches the WebSocket once the upgrade is done (either side). */
  attach(ws: WebSocket, now: number): void {
    this.to('open');
    this.ws = ws;
    const up = this.upgrade;
    if (up?.head === undefined) this.upgrade = undefined;
    else up.buf = undefined;
    this.deadline = 0;
    this.lastActivity = now;
    (ws as unknown as Tagged)[kConn] = this;
    ws.on('message', onWsMessage);
    ws.on('close', onWsClose);
    ws.on('error', onWsError);
    this.releaseSocketEvents();
    if (this.listener !== undefined) this.takeWsData();
  }

  /**
   * Takes `ws`'s 'data' listener (added by `ws` when it took the socket, after ours): from now on
   * ours runs alone and hands `ws` every read the fast path does not take, in the same order.
   */
  private takeWsData(): void {
    const all = this.socket.listeners('data');
    if (all.length !== 2 || all[0] !== onSocketData) return; // not the layout we know: `ws` keeps it
    const theirs = all[1] as (this: Socket, chunk: Buffer) => void;
    this.socket.removeListener('data', theirs);
    this.wsData = theirs;
    // `ws`'s 'end' listener (added last, with its 'data' one) ends the WebSocket on the peer's FIN:
    // ours runs in its place and hands over the messages still waiting first, so that their
    // answers go out before our FIN, as they did when messages were handed over inside the read.
    const ends = this.socket.listeners('end');
    const wsEnd = ends[ends.length - 1] as ((this: Socket) => void) | undefined;
    if (wsEnd?.name !== 'socketOnEnd' || (wsOnEnd !== undefined && wsEnd !== wsOnEnd)) return;
    wsOnEnd = wsEnd;
    this.socket.removeListener('end', wsEnd);
    this.socket.on('end', onSocketEnd);
  }

  /**
   * Once `ws` listens on the stream, its 'close' and 'error' handlers report the end (onWsClose) and
   * ours would do nothing: drop them (an event with two listeners holds an array of them). Idempotent.
   * The listener calls it just before handing the socket to `ws` (which adds its own in the same
   * synchronous call), so that `ws` finds one listener where it would otherwise find two and grow the
   * array past two slots, a backing store the socket would keep for life once ours is gone.
   */
  releaseSocketEvents(): void {
    releaseListeners(this.socket);
    if (this.raw !== this.socket) releaseListeners(this.raw);
  }

  /**
   * Sends one SIP message as one WebSocket message (RFC 7118 §5.1): text, binary if not UTF-8 (§4.2).
   * Resolves once the message is handed over: at once when `ws` took it without backpressure (the
   * socket's buffer was under its high-water mark, as `write()` returning true in Node streams), else
   * when the socket has written it. Rejects when the connection is gone, and fails with the connection
   * when the peer stops reading: over `send_buffer` queued bytes (SEND_BUFFER_FULL), or no write
   * progress for `send_timeout` (SEND_TIMEOUT, found by the sweep).
   */
  send(data: Buffer): Promise<void> {
    const ws = this.ws;
    if (this.state !== 'open' || !ws) {
      return Promise.reject(new TransportError('CONNECTION_GONE', `connection #${this.id} is ${this.state}`));
    }
    if (ws.readyState !== WS_OPEN) {
      // The peer's Close arrived (RFC 6455 §5.5.1): no data frame may follow ours.
      return Promise.reject(new TransportError('CONNECTION_CLOSED', `connection #${this.id} is closing`));
    }
    const queued = ws.bufferedAmount;
    if (queued + data.length > this.policy.send_buffer) {
      const err = new TransportError(
        'SEND_BUFFER_FULL',
        `connection #${this.id}: ${queued} bytes queued, cap ${this.policy.send_buffer}`,
      );
      this.destroy({ kind: 'send-buffer-full', error: err });
      return Promise.reject(err);
    }
    const text = isUtf8(data);
    if (this.pending === undefined && !this.socket.writableNeedDrain) {
      holdUntilTurnEnds(this.socket);
      // Inbound: our own single-buffer frame (src/ws/server-frame.ts); outbound frames must be
      // masked (RFC 6455 §5.3), which `ws` does.
      if (this.listener !== undefined) this.socket.write(serverDataFrame(data, !text));
      else ws.send(data, text ? TEXT : BINARY);
      this.messagesOut++;
      return SENT;
    }
    const opts = text ? TEXT : BINARY;
    // Backed up: this send completes when the socket has written it (its write callback), so the
    // sweep can time out the oldest one (send_timeout).
    return new Promise<void>((resolve, reject) => {
      const p: PendingSend = { resolve, reject, at: Date.now() };
      (this.pending ??= []).push(p);
      ws.send(data, opts, (err) => this.settle(p, err));
    });
  }

  private settle(p: PendingSend, err: Error | undefined | null): void {
    const q = this.pending;
    if (!q) return;
    const i = q[0] === p ? 0 : q.indexOf(p);
    if (i === -1) return; // already failed by destroy()
    if (i === 0) q.shift();
    else q.splice(i, 1);
    if (q.length === 0) this.pending = undefined;
    if (err) {
      p.reject(new TransportError('CONNECTION_CLOSED', `connection #${this.id}`, { cause: err }));
    } else {
      this.messagesOut++;
      p.resolve();
    }
  }

  /** Time the oldest unfinished send was queued; 0: none. */
  get oldestSend(): number {
    return this.pending?.[0]?.at ?? 0;
  }

  /**
   * For the sweep (open connections): the peer stopped reading for `send_timeout`. Either a send
   * that waits for the socket is older than that, or the socket holds a backlog above its high-water
   * mark (sends already resolved) that has not shrunk for that long; `deadline` (unused while open)
   * is when that backlog must have moved.
   */
  sendStalled(now: number): boolean {
    const timeout = this.policy.send_timeout;
    const oldest = this.oldestSend;
    if (oldest !== 0) return now - oldest > timeout;
    const s = this.socket;
    if (!s.writableNeedDrain) {
      this.deadline = 0;
      return false;
    }
    const len = s.writableLength;
    if (this.deadline === 0 || len < this.stallLen) {
      this.deadline = now + timeout;
      this.stallLen = len;
      return false;
    }
    return now > this.deadline;
  }

  /** Refuses an upgrade: writes the HTTP answer, half-closes, and lets the peer close (or the sweep). */
  endWith(response: Buffer, reason: CloseReason): void {
    if (this.state !== 'upgrading') return;
    this.closing = reason;
    this.to('closing');
    this.upgrade = undefined;
    this.deadline = Date.now() + CLOSE_GRACE_MS;
    this.socket.end(response);
  }

  /** Starts a graceful WebSocket close (RFC 6455 §7.1.2); falls back to destroy. */
  close(reason: CloseReason, code: number, now: number): void {
    if (this.state === 'open' && this.ws) {
      this.closing = reason;
      this.to('closing');
      this.deadline = now + CLOSE_GRACE_MS;
      this.failPending(reason);
      this.ws.close(code);
      return;
    }
    this.destroy(reason);
  }

  /** Ends the connection, once: sockets destroyed, sends failed, the host told. Idempotent. */
  destroy(reason: CloseReason): void {
    if (this.state === 'closed') return;
    const wasOpen = this.ws !== undefined;
    this.to('closed');
    const final = this.closing ?? reason;
    this.failPending(final);
    this.upgrade = undefined;
    flushHeld(this.socket);
    const ws = this.ws;
    if (ws) {
      ws.removeListener('message', onWsMessage);
      ws.terminate();
    }
    this.socket.destroy();
    if (this.raw !== this.socket) this.raw.destroy();
    this.host.closed(this, final, wasOpen);
  }

  private failPending(reason: CloseReason): void {
    const q = this.pending;
    if (!q || q.length === 0) return;
    this.pending = undefined;
    for (const p of q) p.reject(sendError(this.id, reason));
  }

  info(): ConnectionInfo {
    const s = this.socket;
    return {
      id: this.id,
      transport: this.transport,
      direction: this.direction,
      state: this.state,
      local: this.local,
      remote: this.remote,
      resource: this.resource,
      origin: this.origin,
      tls: this.proto === 'wss' && 'getProtocol' in s ? tlsDetails(s) : undefined,
      createdAt: this.createdAt,
      lastActivity: this.lastActivity,
      bytesIn: s.bytesRead,
      bytesOut: s.bytesWritten,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
    };
  }

  /**
   * Shared 'data' handler of an open connection: activity, liveness, read counting. True when the
   * read was one whole data frame, delivered here; false: `ws` gets it.
   */
  onOpenData(chunk: Buffer): boolean {
    const epoch = readEpoch();
    const now = epochTime();
    this.rxOff = small(now - this.createdAt);
    this.pingOff = 0;
    const up = this.upgrade;
    if (up !== undefined) {
      this.upgrade = undefined;
      if (up.head === chunk) return false;
    }
    // Between units before this read: `ws` holds no partial frame or message (it parses each read
    // in full as it arrives), so a read that is one whole frame may skip it.
    const betweenUnits = this.tracker === undefined;
    // OpenSIPS *_max_msg_chunks: a unit spread over more reads drops the connection, no Close frame.
    if (!this.track(chunk, now, epoch)) {
      this.destroy({
        kind: 'too-many-chunks',
        error: new WsError('WS_TOO_MANY_CHUNKS', `more than ${this.policy.max_msg_chunks} reads`),
      });
      return false;
    }
    const ws = this.ws;
    // Only while OPEN: after a Close frame (CLOSING) `ws` discards data frames; it still does. Not
    // while reads wait for `ws` (`behind`): this one goes after them.
    if (
      !betweenUnits ||
      this.wsData === undefined ||
      this.behind !== undefined ||
      ws === undefined ||
      ws.readyState !== WS_OPEN
    ) {
      return false;
    }
    const payload = singleDataFrame(chunk, this.policy.max_msg_size);
    if (payload === undefined) return false;
    this.handleMessage(ws, payload, isBinaryFrame(chunk), true);
    return true;
  }

  /**
   * Hands a read to `ws`'s receiver (when its 'data' listener was taken, see takeWsData; else `ws`'s
   * own listener reads it next). The messages waiting for the end of the turn go first: what `ws`
   * does with this read (a message, a Close, a failure) comes after them, as the bytes did.
   */
  passToWs(socket: Socket, chunk: Buffer): void {
    const wsData = this.wsData;
    if (wsData === undefined) {
      this.host.handOver(); // `ws`'s own listener reads the chunk next
      return;
    }
    if (this.behind !== undefined) {
      this.behind.push(chunk); // behind a deferred read: `ws` gets the bytes in order
      return;
    }
    if (!this.host.handOver()) {
      wsData.call(socket, chunk);
      return;
    }
    // Messages were handed over: `ws` reads this after the answers the listeners make in a settled
    // promise's callback, too (a microtask, before the next read), as this read may close the
    // WebSocket (the peer's Close). Reads that come before it (a resumed socket emits several in
    // one tick) wait behind it.
    this.behind = [chunk];
    queueMicrotask(() => this.readBehind(socket, wsData));
  }

  /** The reads deferred by `passToWs`, in order, then the peer's FIN if it came meanwhile. */
  private readBehind(socket: Socket, wsData: (this: Socket, chunk: Buffer) => void): void {
    const q = this.behind ?? [];
    this.behind = undefined;
    for (const item of q) {
      if (item === PEER_END) (wsOnEnd as (this: Socket) => void).call(socket);
      // As onSocketData: once the socket is destroyed, `ws` reads what is left itself.
      else if (!socket.destroyed) wsData.call(socket, item);
    }
  }

  /** The peer's FIN: true when it waits behind deferred reads (`readBehind` passes it on). */
  endBehind(): boolean {
    if (this.behind === undefined) return false;
    this.behind.push(PEER_END);
    return true;
  }

  /** Feeds the frame tracker (the shared one between units); false: too many reads for a unit. */
  track(chunk: Buffer, now: number, epoch: number): boolean {
    const own = this.tracker;
    if (own !== undefined) {
      const ok = own.feed(chunk, now, epoch);
      if (!own.inUnit) this.tracker = undefined;
      return ok;
    }
    const t = (scratch ??= new MessageTracker(1));
    t.reset(this.policy.max_msg_chunks);
    const ok = t.feed(chunk, now, epoch);
    if (ok && t.inUnit) this.tracker = t.clone();
    return ok;
  }

  /** Hands over the messages waiting for the end of the turn; true when there were some. */
  handOverWaiting(): boolean {
    return this.host.handOver();
  }

  /** Records the `ws` receiver's error; the close that follows carries it. */
  noteWsError(err: Error & { code?: string }): void {
    this.wsError ??= new WsError(fromWsLibraryCode(err.code), err.message, { cause: err });
  }

  /** The WebSocket closed (handshake done or socket gone). */
  wsClosed(code: number): void {
    if (this.wsError) {
      this.destroy({
        kind: 'protocol-error',
        code: this.wsError.outcome.wsClose ?? code,
        error: this.wsError,
      });
    } else if (code === 1006) {
      this.destroy({ kind: 'peer-gone', code });
    } else {
      this.destroy({ kind: 'peer-close', code });
    }
  }

  /**
   * `batched`: from the fast path (one whole frame in one read). A message from `ws`'s receiver is
   * handed over at once: `ws` may fail the connection later in the same read (a bad frame after
   * it), and its Close frame must follow the answer to this message, as it did on the wire.
   */
  handleMessage(ws: WebSocket, data: Buffer, binary: boolean, batched: boolean): void {
    if (this.state !== 'open') return;
    this.messagesIn++;
    // RFC 5626 §3.5.1 (RFC 7118 §6): CRLFCRLF is answered with CRLF; a lone CRLF is absorbed.
    switch (keepaliveKind(data)) {
      case 'ping':
        ws.send(CRLF, TEXT);
        return;
      case 'pong':
        return;
      default:
        this.host.deliver(this, data, binary, batched);
    }
  }
}

/**
 * `n` as an int32 when it is one: the difference of two doubles stays a double to V8 (a boxed field)
 * even when whole; `n | 0` is a small integer. Larger values stay as they are.
 */
function small(n: number): number {
  const i = n | 0;
  return i === n ? i : n;
}

function sendError(id: number, reason: CloseReason): SipwssError {
  switch (reason.kind) {
    case 'send-timeout':
      return new TransportError('SEND_TIMEOUT', `connection #${id}`);
    case 'send-buffer-full':
      return new TransportError('SEND_BUFFER_FULL', `connection #${id}`);
    case 'stopped':
      return new TransportError('STOPPED');
    default:
      if (reason.error instanceof SipwssError && reason.kind === 'handshake-failed') return reason.error;
      return new TransportError('CONNECTION_CLOSED', `connection #${id}: ${reason.kind}`);
  }
}

function tlsDetails(s: TLSSocket): TlsDetails {
  const cert = s.getPeerCertificate?.();
  const subject = cert && typeof cert === 'object' && cert.subject ? formatSubject(cert.subject) : null;
  const servername = (s as TLSSocket & { servername?: string | false }).servername;
  return {
    version: s.getProtocol?.() ?? null,
    cipher: s.getCipher?.()?.name ?? null,
    peerSubject: subject,
    verified: s.authorized === true,
    servername: typeof servername === 'string' ? servername : null,
  };
}

function formatSubject(subject: object): string | null {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(subject)) {
    if (Array.isArray(v)) for (const x of v) parts.push(`${k}=${String(x)}`);
    else parts.push(`${k}=${String(v)}`);
  }
  return parts.length ? parts.join(',') : null;
}

function releaseListeners(s: Socket): void {
  s.removeListener('close', onSocketClose);
  // Never leave a socket without an 'error' listener (an unhandled 'error' throws).
  if (s.listenerCount('error') > 1) s.removeListener('error', onSocketError);
}

export function connOf(x: object): Connection | undefined {
  return (x as Tagged)[kConn];
}

/** Shared socket handlers: `this` is the socket, the connection hangs off it. */
export function onSocketData(this: Socket, chunk: Buffer): void {
  const conn = connOf(this);
  if (!conn) return;
  if (conn.state === 'open') {
    if (conn.onOpenData(chunk)) return;
  } else if (conn.state === 'upgrading') {
    // The upgrade request: any bytes after it reach `ws` as the upgrade's head, not from here.
    if (conn.direction === 'in' && conn.listener) conn.listener.handshakeData(conn, chunk);
    return;
  }
  // Every read the fast path did not take, in every state (a closing connection still reads the
  // peer's Close), goes on to `ws` as its own listener would have. Not once the socket is destroyed:
  // `ws`, closing, reads what is left itself (having dropped its listener, which this one replaces).
  if (!this.destroyed) conn.passToWs(this, chunk);
}

/** A `behind` entry: the peer's FIN came while reads waited for `ws`. */
const PEER_END = Symbol('peer end');

/** `ws`'s 'end' listener (one function for every socket), once `takeWsData` has taken it. */
let wsOnEnd: ((this: Socket) => void) | undefined;

/** The peer's FIN on an open inbound connection: the waiting messages first, then `ws` ends. */
function onSocketEnd(this: Socket): void {
  const conn = connOf(this);
  if (conn?.endBehind() === true) return;
  // At once, after the waiting messages: their answers made now go out before our FIN; one made
  // later (in a promise's callback) is refused (CONNECTION_CLOSED), as the socket is ending.
  conn?.handOverWaiting();
  (wsOnEnd as (this: Socket) => void).call(this);
}

export function onSocketClose(this: Socket): void {
  const conn = connOf(this);
  // Once `ws` owns the socket its 'close' event reports the close code.
  if (conn && !conn.ws) conn.destroy({ kind: 'peer-gone' });
}

export function onSocketError(this: Socket): void {
  // The 'close' that follows ends the connection.
}

function onWsMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  connOf(this)?.handleMessage(this, data, isBinary, false);
}

function onWsClose(this: WebSocket, code: number): void {
  connOf(this)?.wsClosed(code);
}

function onWsError(this: WebSocket, err: Error): void {
  connOf(this)?.noteWsError(err);
}
