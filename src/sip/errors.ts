/**
 * The SIP codec's error catalogue: every way bad input can fail, with a stable code and the SIP
 * status a server answers with (RFC 3261 §21). The codec never throws on input: parsers return a
 * `Result` carrying one of these.
 */
import { SipwssError } from '../errors.js';

export const SIP_ERRORS = {
  SIP_EMPTY: { sip: 400, message: 'empty message' },
  SIP_BAD_START_LINE: { sip: 400, message: 'malformed start line' },
  SIP_BAD_VERSION: { sip: 505, message: 'unsupported SIP version' },
  SIP_BAD_METHOD: { sip: 400, message: 'malformed method' },
  SIP_BAD_STATUS: { sip: 400, message: 'malformed status code' },
  SIP_NO_HEADER_END: { sip: 400, message: 'no empty line after the headers' },
  SIP_BAD_HEADER: { sip: 400, message: 'malformed header line' },
  SIP_MISSING_HEADER: { sip: 400, message: 'mandatory header missing' },
  SIP_DUPLICATE_HEADER: { sip: 400, message: 'header must appear once' },
  SIP_BAD_CONTENT_LENGTH: { sip: 400, message: 'malformed Content-Length' },
  SIP_BODY_MISMATCH: { sip: 400, message: 'Content-Length does not match the body' },
  SIP_MISSING_CONTENT_LENGTH: { sip: 400, message: 'Content-Length is required on a stream' },
  SIP_BAD_VIA: { sip: 400, message: 'malformed Via' },
  SIP_BAD_URI: { sip: 400, message: 'malformed URI' },
  SIP_UNSUPPORTED_URI_SCHEME: { sip: 416, message: 'unsupported URI scheme' },
  SIP_BAD_NAME_ADDR: { sip: 400, message: 'malformed name-addr' },
  SIP_BAD_PARAM: { sip: 400, message: 'malformed parameter' },
  SIP_BAD_CSEQ: { sip: 400, message: 'malformed CSeq' },
  SIP_CSEQ_METHOD_MISMATCH: { sip: 400, message: 'CSeq method does not match the request method' },
  SIP_BAD_NUMBER: { sip: 400, message: 'malformed or out-of-range number' },
  SIP_BAD_CONTENT_TYPE: { sip: 400, message: 'malformed Content-Type' },
  SIP_BAD_CALL_ID: { sip: 400, message: 'malformed Call-ID' },
  SIP_TOO_LARGE: { sip: 513, message: 'message larger than the limit' },
  SIP_BODY_TOO_LARGE: { sip: 413, message: 'body larger than the limit' },
  SIP_HEADER_TOO_LONG: { sip: 513, message: 'header line longer than the limit' },
  SIP_TOO_MANY_HEADERS: { sip: 513, message: 'more headers than the limit' },
  SIP_TOO_MANY_VIA: { sip: 513, message: 'more Via values than the limit' },
  SIP_URI_TOO_LONG: { sip: 414, message: 'Request-URI longer than the limit' },
  SIP_FRAMING: { sip: 400, message: 'stream framing lost' },
} as const satisfies Record<string, { readonly sip: number; readonly message: string }>;

export type SipErrorCode = keyof typeof SIP_ERRORS;

export class SipError extends SipwssError<SipErrorCode> {
  /** What was wrong, for logs: the catalogue message plus a short detail. */
  readonly detail: string | undefined;

  constructor(code: SipErrorCode, detail?: string) {
    const entry = SIP_ERRORS[code];
    super(code, detail ? `${entry.message}: ${detail}` : entry.message, { sip: entry.sip });
    this.name = 'SipError';
    this.detail = detail;
  }
}

/** A failed `Result` with a catalogued error: `return sipFail('SIP_BAD_VIA', 'no host')`. */
export function sipFail(
  code: SipErrorCode,
  detail?: string,
): { readonly ok: false; readonly error: SipError } {
  return { ok: false, error: new SipError(code, detail) };
}

export type SipResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: SipError };
