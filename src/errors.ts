/**
 * The shape every sipwss error takes: a stable `code` (documented in docs/errors.md) and the
 * protocol outcome it maps to. Each layer keeps its own catalogue of codes next to its code
 * (src/sip/errors.ts, src/ws/errors.ts, ...); this file only holds what they share.
 *
 * Bad input from the network is never thrown out of an event handler: parsers return a
 * `Result`, and the layer that owns the connection turns the error into its outcome
 * (a SIP response, an HTTP status, a WebSocket close code). Programmer errors throw at once.
 */

/** What a failure turns into on the wire. Any subset may apply. */
export interface Outcome {
  /** SIP status to answer with (RFC 3261 §21), when the message can still be answered. */
  readonly sip?: number;
  /** HTTP status for a failed WebSocket upgrade (RFC 6455 §4.2.2). */
  readonly http?: number;
  /** WebSocket close code (RFC 6455 §7.4.1). */
  readonly wsClose?: number;
}

export class SipwssError<C extends string = string> extends Error {
  readonly code: C;
  readonly outcome: Outcome;

  constructor(code: C, message: string, outcome: Outcome = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SipwssError';
    this.code = code;
    this.outcome = outcome;
  }
}

/** A parse or validation result: no exceptions for bad input. */
export type Result<T, E = SipwssError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function fail<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
