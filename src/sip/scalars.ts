/**
 * Single-value headers: CSeq (RFC 3261 §20.16), Max-Forwards (§20.22), Expires and Min-Expires
 * (§20.19, §20.23), Content-Length (§20.14), Content-Type (§20.15), Call-ID (§20.8), option-tag
 * lists for Supported / Require (§20.37, §20.32).
 */
import { isToken, skipWs, TOKEN, WORD, WORD_MARKS } from './chars.js';
import { type SipErrorCode, type SipResult, sipFail } from './errors.js';
import { type Params, parseHeaderParams } from './parameters.js';

/** 1*DIGIT to a number no larger than `max`; leading zeros allowed (RFC 4475 §3.1.1.1). */
export function parseDigits(
  s: string,
  max: number,
  code: SipErrorCode = 'SIP_BAD_NUMBER',
): SipResult<number> {
  const t = s.trim();
  if (t.length === 0) return sipFail(code, 'empty');
  let n = 0;
  for (let i = 0; i < t.length; i++) {
    const d = t.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return sipFail(code, `not a number: ${t.slice(0, 20)}`);
    n = n * 10 + d;
    if (n > max) return sipFail(code, `out of range: ${t.slice(0, 20)}`);
  }
  return { ok: true, value: n };
}

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** RFC 3261 §8.1.1.5: the sequence number MUST be less than 2**31. */
export const CSEQ_MAX = 0x7fffffff;

/**
 * The methods of RFC 3261 §7.1 and the extensions in use (RFC 3262, 3265, 3311, 3428, 3515,
 * 3903, 6086), compared whole: they are tokens, so the char-by-char check is skipped (a
 * Request-Line's method, a CSeq's).
 */
export function knownMethod(m: string): boolean {
  switch (m.length) {
    case 3:
      return m === 'ACK' || m === 'BYE';
    case 4:
      return m === 'INFO';
    case 5:
      return m === 'PRACK' || m === 'REFER';
    case 6:
      return m === 'INVITE' || m === 'CANCEL' || m === 'UPDATE' || m === 'NOTIFY';
    case 7:
      return m === 'OPTIONS' || m === 'MESSAGE' || m === 'PUBLISH';
    case 8:
      return m === 'REGISTER';
    case 9:
      return m === 'SUBSCRIBE';
    default:
      return false;
  }
}

/** RFC 3261 §20.16 CSeq = 1*DIGIT LWS Method */
export function parseCSeq(s: string): SipResult<CSeq> {
  let i = skipWs(s, 0);
  const start = i;
  // The number read in place; an empty or too long one goes through `parseDigits` for its error.
  let seq = 0;
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    seq = seq * 10 + d;
  }
  if (i === start || i - start > 10 || seq > CSEQ_MAX) {
    const num = parseDigits(s.slice(start, i), CSEQ_MAX, 'SIP_BAD_CSEQ');
    if (!num.ok) return num;
    seq = num.value;
  }
  const j = skipWs(s, i);
  if (j === i) return sipFail('SIP_BAD_CSEQ', 'no space before method');
  // A value read from a message is trimmed already: `trimEnd` only when its last char may go.
  const method = endsTrimmed(s) ? s.slice(j) : s.slice(j).trimEnd();
  if (!knownMethod(method) && !isToken(method)) return sipFail('SIP_BAD_CSEQ', 'bad method');
  return { ok: true, value: { seq, method } };
}

/** Whether `trimEnd` would leave `s` as it is: its last char is a latin1 char it keeps. */
function endsTrimmed(s: string): boolean {
  const c = s.charCodeAt(s.length - 1);
  return c > 0x20 && c <= 0xff && c !== 0xa0;
}

/** RFC 3261 §20.22: 0-255. */
export function parseMaxForwards(s: string): SipResult<number> {
  return parseDigits(s, 255);
}

/** delta-seconds up to 2**32-1 (RFC 3261 §25.1); larger values are errors the caller may default. */
export function parseDeltaSeconds(s: string): SipResult<number> {
  return parseDigits(s, 0xffffffff);
}

export function parseContentLength(s: string): SipResult<number> {
  return parseDigits(s, 0x7fffffff, 'SIP_BAD_CONTENT_LENGTH');
}

export interface MediaType {
  /** Lower-cased. */
  readonly type: string;
  /** Lower-cased. */
  readonly subtype: string;
  readonly params: Params;
}

/** RFC 3261 §20.15 media-type = m-type SLASH m-subtype *(SEMI m-parameter). */
export function parseContentType(s: string): SipResult<MediaType> {
  let i = skipWs(s, 0);
  const a = i;
  while (i < s.length && TOKEN[s.charCodeAt(i)] === 1) i++;
  const type = s.slice(a, i);
  i = skipWs(s, i);
  if (type === '' || s.charCodeAt(i) !== 0x2f)
    return sipFail('SIP_BAD_CONTENT_TYPE', 'expected type/subtype');
  i = skipWs(s, i + 1);
  const b = i;
  while (i < s.length && TOKEN[s.charCodeAt(i)] === 1) i++;
  const subtype = s.slice(b, i);
  if (subtype === '') return sipFail('SIP_BAD_CONTENT_TYPE', 'no subtype');
  const params = parseHeaderParams(s, i, 'Content-Type');
  if (!params.ok) return sipFail('SIP_BAD_CONTENT_TYPE', params.error.detail);
  return {
    ok: true,
    value: { type: type.toLowerCase(), subtype: subtype.toLowerCase(), params: params.value },
  };
}

/**
 * RFC 3261 §25.1 callid = word [ "@" word ], as one native match: the `WORD` chars, with at most
 * one '@' that is neither first nor last. A char loop costs more on the ~20 to 40 chars of a
 * usual Call-ID; the loop in `parseCallId` still reads what fails here, for the exact error.
 * Built from the same chars as `WORD` (escaped for a character class), so the two cannot differ.
 */
const WORD_CLASS = `[${WORD_MARKS.replace(/[\\\]^-]/g, '\\$&')}0-9A-Za-z]`;
const CALL_ID = new RegExp(`^${WORD_CLASS}+(?:@${WORD_CLASS}+)?$`);

export function parseCallId(s: string): SipResult<string> {
  const t = s.trim();
  if (t.length === 0) return sipFail('SIP_BAD_CALL_ID', 'empty');
  if (CALL_ID.test(t)) return { ok: true, value: t };
  let at = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x40) {
      if (++at > 1 || i === 0 || i === t.length - 1) return sipFail('SIP_BAD_CALL_ID', "misplaced '@'");
    } else if (c > 255 || WORD[c] !== 1) {
      return sipFail('SIP_BAD_CALL_ID', 'bad character');
    }
  }
  return { ok: true, value: t };
}
