/**
 * The transport layer's error catalogue: options, listeners, outbound connections and sends.
 * A rejected send always carries one of these (or a WsError from the handshake), with the SIP
 * status the server should answer locally (RFC 3261 §21; RFC 5626 §5.3.1 for a vanished flow).
 */
import { type Outcome, SipwssError } from '../errors.js';

export const TRANSPORT_ERRORS = {
  OPTION_UNKNOWN: { text: 'unknown option' },
  OPTION_TYPE: { text: 'option has the wrong type' },
  OPTION_RANGE: { text: 'option out of range' },
  OPTION_INVALID: { text: 'invalid option' },
  LISTEN_INVALID: { text: 'invalid listen specification' },
  LISTEN_RESOLVE: { text: 'cannot resolve listener host' },
  LISTEN_BIND: { text: 'cannot bind listener' },
  TLS_PROVIDER_MISSING: { text: 'a TLS provider is needed' },
  DESTINATION_INVALID: { sip: 400, text: 'invalid destination' },
  CONNECTION_GONE: { sip: 430, text: 'connection is gone' },
  CONNECTION_CLOSED: { sip: 503, text: 'connection closed before the send completed' },
  CONNECT_FAILED: { sip: 503, text: 'cannot connect' },
  CONNECT_TIMEOUT: { sip: 408, text: 'connect timed out' },
  TLS_HANDSHAKE_FAILED: { sip: 503, text: 'TLS handshake failed' },
  TLS_HANDSHAKE_TIMEOUT: { sip: 408, text: 'TLS handshake timed out' },
  SEND_BUFFER_FULL: { sip: 503, text: 'send buffer full' },
  SEND_TIMEOUT: { sip: 503, text: 'send timed out' },
  TOO_MANY_CONNECTIONS: { sip: 503, text: 'too many connections' },
  STOPPED: { sip: 503, text: 'transport stopped' },
} as const satisfies Record<string, Outcome & { text: string }>;

export type TransportErrorCode = keyof typeof TRANSPORT_ERRORS;

export class TransportError extends SipwssError<TransportErrorCode> {
  constructor(code: TransportErrorCode, detail?: string, options?: { cause?: unknown }) {
    const entry = TRANSPORT_ERRORS[code];
    super(
      code,
      detail ? `${entry.text}: ${detail}` : entry.text,
      'sip' in entry ? { sip: entry.sip } : {},
      options,
    );
    this.name = 'TransportError';
  }
}
