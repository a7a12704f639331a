/**
 * One WebSocket connection, inbound or outbound: a state machine (enum + transition table; illegal
 * moves throw), the send queue with its limits, and one idempotent `destroy(reason)` that every way
 * of ending funnels into. Event handlers are shared functions (no closures per connection or per
 * message); they find the connection through a symbol on the socket / WebSocket.
 */
import { isUtf8 } from 'node:buffer';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type WebSocket from 'ws';
import { SipwssError } from '../errors.js';
import { fromWsLibraryCode, WsError } from '../ws/errors.js';
import { CRLF, keepaliveKind } from '../ws/keepalive.js';
import { MessageTracker } from '../ws/message-tracker.js';
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
  deliver(conn: Connection, data: Buffer, binary: boolean): void;
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
  size: number;
}

/** Time a local close waits for the peer's Close before the socket is destroyed. */
export const CLOSE_GRACE_MS = 2000;

export class Connection {
  state: ConnState;
  /** The stream carrying WebSocket bytes (the TLS socket for wss once secure). */
  socket: Socket | TLSSocket;
  ws: WebSocket | undefined;
  lastActivity: number;
  readonly createdAt: number;
  messagesIn = 0;
  messagesOut = 0;
  /** Deadline (epoch ms) of the current phase (TLS, upgrade, closing); 0: none. */
  deadline = 0;
  /** Upgrade-request bytes so far (dropped once upgraded). */
  hbuf: Buffer | undefined;
  /** Reads the upgrade request took so far. */
  hreads = 0;
  tracker: MessageTracker | undefined;
  /** A chunk already fed to the tracker that the socket will emit again (the upgrade's head). */
  skipChunk: Buffer | undefined;
  pingSentAt = 0;
  resource: string | undefined;
  origin: string | undefined;
  /** The listener that accepted it (inbound). */
  listener: Listener | undefined;
  private pending: PendingSend[] | undefined;
  private pendingBytes = 0;
  /** Why a graceful close was started (kept until the socket is gone). */
  private closing: CloseReason | undefined;
  private wsError: WsError | undefined;

  constructor(
    readonly id: number,
    readonly proto: WsProto,
    readonly direction: 'in' | 'out',
    readonly raw: Socket,
    public local: LocalEndpoint,
    readonly remote: RemoteAddress,
    readonly policy: Readonly<ProtoPolicy>,
    private readonly host: ConnectionHost,
    now: number,
  ) {
    this.state = direction === 'in' ? 'accepted' : 'connecting';
    this.socket = raw;
    this.createdAt = now;
    this.lastActivity = now;
    (raw as Tagged)[kConn] = this;
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
    this.hbuf = undefined;
    this.deadline = 0;
    this.lastActivity = now;
    (ws as unknown as Tagged)[kConn] = this;
    ws.on('message', onWsMessage);
    ws.on('close', onWsClose);
    ws.on('error', onWsError);
    this.tracker ??= new MessageTracker(this.policy.max_msg_chunks);
  }

  /** Sends one SIP message as one WebSocket message (RFC 7118 §5.1): text, binary if not UTF-8 (§4.2). */
  send(data: Buffer, now: number): Promise<void> {
    const ws = this.ws;
    if (this.state !== 'open' || !ws) {
      return Promise.reject(new TransportError('CONNECTION_GONE', `connection #${this.id} is ${this.state}`));
    }
    if (ws.bufferedAmount + data.length > this.policy.send_buffer) {
      const err = new TransportError(
        'SEND_BUFFER_FULL',
        `connection #${this.id}: ${ws.bufferedAmount} bytes queued, cap ${this.policy.send_buffer}`,
      );
      this.destroy({ kind: 'send-buffer-full', error: err });
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      const p: PendingSend = { resolve, reject, at: now, size: data.length };
      (this.pending ??= []).push(p);
      this.pendingBytes += data.length;
      ws.send(data, { binary: !isUtf8(data) }, (err) => this.settle(p, err));
    });
  }

  private settle(p: PendingSend, err: Error | undefined | null): void {
    const q = this.pending;
    if (!q) return;
    const i = q[0] === p ? 0 : q.indexOf(p);
    if (i === -1) return; // already failed by destroy()
    if (i === 0) q.shift();
    else q.splice(i, 1);
    this.pendingBytes -= p.size;
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

  /** Bytes handed to send() and not yet written. */
  get queuedBytes(): number {
    return this.pendingBytes;
  }

  /** Refuses an upgrade: writes the HTTP answer, half-closes, and lets the peer close (or the sweep). */
  endWith(response: Buffer, reason: CloseReason): void {
    if (this.state !== 'upgrading') return;
    this.closing = reason;
    this.to('closing');
    this.hbuf = undefined;
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
    this.hbuf = undefined;
    this.skipChunk = undefined;
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
    this.pendingBytes = 0;
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

  /** Shared 'data' handler of an open connection: activity, liveness, read counting. */
  onOpenData(chunk: Buffer): void {
    const now = Date.now();
    this.lastActivity = now;
    this.pingSentAt = 0;
    if (this.skipChunk !== undefined) {
      const skip = this.skipChunk === chunk;
      this.skipChunk = undefined;
      if (skip) return;
    }
    // OpenSIPS *_max_msg_chunks: a unit spread over more reads drops the connection, no Close frame.
    if (this.tracker && !this.tracker.feed(chunk, now)) {
      this.destroy({
        kind: 'too-many-chunks',
        error: new WsError('WS_TOO_MANY_CHUNKS', `more than ${this.policy.max_msg_chunks} reads`),
      });
    }
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

  handleMessage(ws: WebSocket, data: Buffer, binary: boolean): void {
    if (this.state !== 'open') return;
    this.messagesIn++;
    // RFC 5626 §3.5.1 (RFC 7118 §6): CRLFCRLF is answered with CRLF; a lone CRLF is absorbed.
    switch (keepaliveKind(data)) {
      case 'ping':
        ws.send(CRLF, { binary: false });
        return;
      case 'pong':
        return;
      default:
        this.host.deliver(this, data, binary);
    }
  }
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

export function connOf(x: object): Connection | undefined {
  return (x as Tagged)[kConn];
}

function onWsMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  connOf(this)?.handleMessage(this, data, isBinary);
}

function onWsClose(this: WebSocket, code: number): void {
  connOf(this)?.wsClosed(code);
}

function onWsError(this: WebSocket, err: Error): void {
  connOf(this)?.noteWsError(err);
}
