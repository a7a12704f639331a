/**
 * What the SIP server needs from the transport, and nothing more (so the core can be driven by
 * an in-memory pair in tests and by src/transport in production).
 */

export type ViaTransport = 'WS' | 'WSS';

export interface FlowInfo {
  readonly connectionId: string;
  /** Via transport token of the connection (RFC 7118 §5.2.1). */
  readonly transport: ViaTransport;
  readonly remote: { readonly address: string; readonly port: number };
  /** The local listener (server side) or our end of an outbound connection. */
  readonly local: { readonly host: string; readonly port: number };
}

export interface Inbound extends FlowInfo {
  /** One SIP message: one WebSocket message (RFC 7118 §5.1). */
  readonly data: Buffer;
  /** Date.now() when it was read, as the transport has it (else the core reads the clock). */
  readonly receivedAt?: number;
}

/** A destination that is a WebSocket server (never a client's `.invalid` host). */
export interface WsDestination {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  /** Resource path; default the transport's ws(s)_resource. */
  readonly path?: string;
}

export interface SipPort {
  /** Send on an open connection; rejects with a typed error when it is gone or the send fails. */
  send(connectionId: string, data: Buffer): Promise<void>;
  /** Send to a WebSocket server, reusing or opening a connection (RFC 6455 client side). */
  sendTo(dest: WsDestination, data: Buffer): Promise<void>;
  /** The flow of a live connection, or undefined when it is gone. */
  flow(connectionId: string): FlowInfo | undefined;
}
