/** Public shapes of the transport: listeners, addresses, connection snapshots, messages, closes. */
import type { SipwssError } from '../errors.js';

export type WsProto = 'ws' | 'wss';
export type TransportName = 'WS' | 'WSS';

export interface ListenerInfo {
  readonly proto: WsProto;
  /** Host as configured (name or IP literal, IPv6 without brackets). */
  readonly host: string;
  /** The real port (after port 0 was resolved). */
  readonly port: number;
  /** The IP address bound. */
  readonly address: string;
  readonly family: 'IPv4' | 'IPv6';
}

export interface RemoteAddress {
  readonly address: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
}

/** The local end of a connection: its listener (inbound) or the local socket address (outbound). */
export interface LocalEndpoint {
  readonly proto: WsProto;
  readonly address: string;
  readonly port: number;
  /** Set for inbound connections. */
  readonly listener?: ListenerInfo;
}

export type ConnState = 'accepted' | 'connecting' | 'tls' | 'upgrading' | 'open' | 'closing' | 'closed';

export interface TlsDetails {
  readonly version: string | null;
  readonly cipher: string | null;
  /** Subject of the peer certificate (e.g. "CN=alice"), if the peer sent one. */
  readonly peerSubject: string | null;
  /** The peer certificate was verified against the CA list. */
  readonly verified: boolean;
  readonly servername: string | null;
}

export interface ConnectionInfo {
  readonly id: number;
  readonly transport: TransportName;
  readonly direction: 'in' | 'out';
  readonly state: ConnState;
  readonly local: LocalEndpoint;
  readonly remote: RemoteAddress;
  /** Request path of the upgrade (inbound) or the one we requested (outbound). */
  readonly resource: string | undefined;
  readonly origin: string | undefined;
  readonly tls: TlsDetails | undefined;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly lastActivity: number;
  /** Socket-level byte counters (WebSocket framing included, TLS excluded). */
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
}

export type CloseKind =
  | 'peer-close' // the peer sent a Close frame (code in `code`)
  | 'peer-gone' // TCP ended or reset without a Close frame
  | 'protocol-error' // RFC 6455 violation (error has the close code)
  | 'too-many-chunks'
  | 'msg-timeout'
  | 'idle-timeout'
  | 'ping-timeout'
  | 'send-timeout'
  | 'send-buffer-full'
  | 'upgrade-rejected'
  | 'upgrade-timeout'
  | 'tls-error'
  | 'tls-timeout'
  | 'handshake-failed'
  | 'limit'
  | 'local'
  | 'stopped'
  | 'error';

export interface CloseReason {
  readonly kind: CloseKind;
  /** WebSocket close code received (peer-close) or sent. */
  readonly code?: number;
  readonly error?: SipwssError | Error;
}

export interface IncomingMessage {
  readonly data: Buffer;
  readonly connectionId: number;
  readonly transport: TransportName;
  readonly remote: RemoteAddress;
  readonly local: LocalEndpoint;
  /** The WebSocket message came as a binary frame. */
  readonly binary: boolean;
  /**
   * Date.now() as of the event-loop turn that read it (one clock read per turn, shared by every
   * message of the turn): for times kept in seconds, such as a binding's expiry.
   */
  readonly receivedAt: number;
}

export type Destination =
  | { readonly url: string }
  | {
      readonly proto: WsProto;
      readonly host: string;
      readonly port?: number;
      /** Request path; default ws_resource / wss_resource. */
      readonly resource?: string;
      /** SIP domain for client TLS domain selection. */
      readonly sipDomain?: string;
    };

/** Minimal pino-compatible logger. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
