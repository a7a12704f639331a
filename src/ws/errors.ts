/**
 * The WebSocket layer's error catalogue: every way an upgrade request or a WebSocket stream can be
 * refused, with the HTTP status (RFC 6455 §4.2.2) or close code (RFC 6455 §7.4.1) it maps to.
 * Codes are stable: docs/errors.md lists them.
 */
import { type Outcome, SipwssError } from '../errors.js';

export const WS_ERRORS = {
  // Opening handshake, server side (RFC 6455 §4.2.1, RFC 7118 §4).
  WS_HTTP_MALFORMED: { http: 400, text: 'malformed HTTP request' },
  WS_HTTP_TOO_LARGE: { http: 431, text: 'upgrade request headers too large' },
  WS_HTTP_BODY: { http: 400, text: 'upgrade request must not carry a body' },
  WS_HTTP_VERSION: { http: 505, text: 'HTTP version must be 1.1 or later' },
  WS_BAD_METHOD: { http: 405, text: 'method must be GET' },
  WS_NOT_UPGRADE: { http: 426, text: 'not a WebSocket upgrade request' },
  WS_NO_HOST: { http: 400, text: 'missing Host header' },
  WS_BAD_CONNECTION: { http: 400, text: 'Connection header lacks the Upgrade token' },
  WS_BAD_KEY: { http: 400, text: 'Sec-WebSocket-Key must be base64 of 16 bytes' },
  WS_BAD_VERSION: { http: 426, text: 'Sec-WebSocket-Version must be 13' },
  WS_NO_SIP_PROTOCOL: { http: 400, text: 'subprotocol "sip" not offered' },
  WS_BAD_RESOURCE: { http: 404, text: 'resource not served' },
  WS_ORIGIN_REQUIRED: { http: 403, text: 'Origin header required' },
  WS_BAD_ORIGIN: { http: 403, text: 'Origin not allowed' },
  WS_UPGRADE_TIMEOUT: { http: 408, text: 'upgrade request not complete in time' },
  // Read limits (OpenSIPS *_max_msg_chunks): the socket is dropped, no answer.
  WS_TOO_MANY_CHUNKS: { text: 'unit spread over too many reads' },
  // Framing (RFC 6455 §5, §7.4.1), mostly detected by the `ws` receiver.
  WS_PROTOCOL_ERROR: { wsClose: 1002, text: 'WebSocket protocol error' },
  WS_INVALID_UTF8: { wsClose: 1007, text: 'invalid UTF-8 in a text message' },
  WS_POLICY: { wsClose: 1008, text: 'policy violation' },
  WS_MESSAGE_TOO_BIG: { wsClose: 1009, text: 'message too big' },
  WS_MESSAGE_TIMEOUT: { wsClose: 1008, text: 'message not complete in time' },
  WS_PING_TIMEOUT: { text: 'no Pong within ping timeout' },
  // Client side (RFC 6455 §4.1): the server's answer to our upgrade.
  WS_CLIENT_HANDSHAKE: { sip: 503, text: 'WebSocket client handshake failed' },
  WS_CLIENT_HANDSHAKE_TIMEOUT: { sip: 408, text: 'no 101 within the handshake timeout' },
} as const satisfies Record<string, Outcome & { text: string }>;

export type WsErrorCode = keyof typeof WS_ERRORS;

export class WsError extends SipwssError<WsErrorCode> {
  constructor(code: WsErrorCode, detail?: string, options?: { cause?: unknown }) {
    const entry = WS_ERRORS[code];
    const outcome: Outcome = {
      ...('http' in entry ? { http: entry.http } : {}),
      ...('wsClose' in entry ? { wsClose: entry.wsClose } : {}),
      ...('sip' in entry ? { sip: entry.sip } : {}),
    };
    super(code, detail ? `${entry.text}: ${detail}` : entry.text, outcome, options);
    this.name = 'WsError';
  }
}

/** Maps an error code of the `ws` receiver (err.code) to ours. */
export function fromWsLibraryCode(code: string | undefined): WsErrorCode {
  switch (code) {
    case 'WS_ERR_INVALID_UTF8':
      return 'WS_INVALID_UTF8';
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return 'WS_MESSAGE_TOO_BIG';
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return 'WS_POLICY';
    default:
      return 'WS_PROTOCOL_ERROR';
  }
}
