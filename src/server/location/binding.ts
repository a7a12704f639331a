/**
 * A registrar binding (RFC 3261 §10): an address-of-record bound to a contact, remembered with the
 * flow it was registered on. A WebSocket client cannot be reached in any other way than back down
 * that flow (RFC 7118 §5.2, field-lessons #12, #15), so the flow is part of the binding, and the
 * binding names the sipwss instance (`node`) that holds the connection: several processes can
 * share one store and hand requests to the node that owns the flow.
 */

export interface Flow {
  /** sipwss instance that holds the connection. */
  readonly node: string;
  /** Connection id in that instance's connection table. */
  readonly connectionId: string;
  /** Via transport of the connection: 'WS' | 'WSS' (others later). */
  readonly transport: string;
  readonly remote: { readonly address: string; readonly port: number };
}

export interface Binding {
  /** Normalised address-of-record, e.g. `sip:alice@example.com`. */
  readonly aor: string;
  /** Contact URI exactly as registered (e.g. `sip:x8d@df7jal23ls0d.invalid;transport=ws`). */
  readonly contact: string;
  /** RFC 5626 §4.1 `+sip.instance` (the URN, without angle brackets), when given. */
  readonly instance?: string;
  /** RFC 5626 §4.2 `reg-id`, when given (with an instance: an outbound flow). */
  readonly regId?: number;
  /** Contact `q` value (RFC 3261 §20.10), 0..1. */
  readonly q?: number;
  readonly callId: string;
  readonly cseq: number;
  /** Absolute expiry, epoch ms. */
  readonly expiresAt: number;
  readonly registeredAt: number;
  /** RFC 3327 Path header values, in order, when the client's REGISTER came through proxies. */
  readonly path?: readonly string[];
  readonly userAgent?: string;
  readonly flow: Flow;
  /** Set when the flow's connection closed: the binding is kept (for 430, RFC 5626 §5.3) but unusable. */
  readonly flowFailedAt?: number;
}

/** True when the binding was made with RFC 5626 outbound (instance + reg-id). */
export function isOutbound(b: Binding): boolean {
  return b.instance !== undefined && b.regId !== undefined;
}

/** True when the binding may be used to reach the user at `now`. */
export function isUsable(b: Binding, now: number): boolean {
  return b.expiresAt > now && b.flowFailedAt === undefined;
}
