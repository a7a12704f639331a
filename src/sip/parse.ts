/**
 * Parses one SIP message whose boundary is known (RFC 3261 §7): one WebSocket message
 * (RFC 7118 §5.1), one UDP datagram (RFC 3261 §18.3), or one message cut from a stream by
 * `SipStreamFramer`. One pass over the header section with the string's native searches
 * (`indexOf` on LF and ':'), which on V8 cost far less than a loop over chars; names are looked
 * up whole in a table; typed values wait until they are asked for.
 *
 * The message's body is a view of the input buffer (no copy): do not reuse that buffer.
 */
import { CR, isWs, LF, TOKEN } from './chars.js';
import { type SipResult, sipFail } from './errors.js';
import { headerKey, knownHeaderKeyAt, splitList, USUAL_KEYS, USUAL_NAMES, usualHeaderAt } from './headers.js';
import { DEFAULT_LIMITS, type SipLimits } from './limits.js';
import { type HeaderOffsets, SipMessage, STRIDE, valueEnd, valueStart } from './message.js';
import { knownMethod, parseContentLength } from './scalars.js';

/**
 * How the message boundary was found, which decides what Content-Length must be:
 * - 'websocket': RFC 7118 §5.1: optional; when present it must equal the body length.
 * - 'datagram': RFC 3261 §18.3: optional; bytes beyond it are discarded; fewer is an error.
 * - 'stream': the framer already cut the body by Content-Length (RFC 3261 §18.3, mandatory).
 */
export type ParseMode = 'websocket' | 'datagram' | 'stream';

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const SCRATCH_KEYS: string[] = [];
const SCRATCH_OFFS: HeaderOffsets = [];

/** Messages up to this size are decoded whole; larger ones only up to the end of the head. */
const SMALL = 4096;

// Bits for the headers every message needs (RFC 3261 §8.1.1; Max-Forwards is tolerated when
// missing, as a proxy adds it: §16.6 step 3).
const H_VIA = 1;
const H_FROM = 2;
const H_TO = 4;
const H_CALLID = 8;
const H_CSEQ = 16;
const H_ALL = H_VIA | H_FROM | H_TO | H_CALLID | H_CSEQ;
/** Keys from `knownHeaderKeyAt` are interned, so these compare by pointer first. */
function requiredBit(key: string): number {
  switch (key.length) {
    case 2:
      return key === 'to' ? H_TO : 0;
    case 3:
      return key === 'via' ? H_VIA : 0;
    case 4:
      return key === 'from' ? H_FROM : key === 'cseq' ? H_CSEQ : 0;
    case 7:
      return key === 'call-id' ? H_CALLID : 0;
    default:
      return 0;
  }
}
const MISSING_NAMES: Array<[number, string]> = [
  [H_VIA, 'Via'],
  [H_FROM, 'From'],
  [H_TO, 'To'],
  [H_CALLID, 'Call-ID'],
  [H_CSEQ, 'CSeq'],
];

/**
 * What `parseHead` found besides the message, passed back outside the result so that the
 * success path allocates nothing more (parsing is synchronous, so these are never shared):
 * where the empty line ending the head starts in the decoded string, and Content-Length.
 */
let headEmptyLine = 0;
let headContentLength: number | undefined;

export function parseMessage(
  buf: Buffer,
  limits: SipLimits = DEFAULT_LIMITS,
  mode: ParseMode = 'websocket',
): SipResult<SipMessage> {
  const len = buf.length;
  if (len > limits.maxMessageSize) return sipFail('SIP_TOO_LARGE', `${len} bytes`);
  // RFC 3261 §7.5: CRLFs before the start line are ignored.
  let start = 0;
  while (start + 1 < len && buf[start] === CR && buf[start + 1] === LF) start += 2;
  if (start >= len || (start + 1 === len && buf[start] === CR)) return sipFail('SIP_EMPTY');
  // The message as a byte string. Small messages are decoded whole, and the line scan finds
  // the empty line that ends the head; large ones are searched first so that a big body is
  // not decoded for nothing.
  let s: string;
  if (len - start <= SMALL) s = buf.toString('latin1', start, len);
  else {
    const headEnd = buf.indexOf(CRLFCRLF, start);
    if (headEnd === -1) return sipFail('SIP_NO_HEADER_END');
    s = buf.toString('latin1', start, headEnd + 4);
  }
  const r = parseHead(s, limits);
  if (!r.ok) {
    // A message without the empty line is reported as such, whatever else is wrong before it.
    if (r.error.code !== 'SIP_NO_HEADER_END' && s.indexOf('\r\n\r\n') === -1)
      return sipFail('SIP_NO_HEADER_END');
    return r;
  }
  const contentLength = headContentLength;
  const bodyStart = start + headEmptyLine + 2;
  const available = len - bodyStart;
  let bodyLen = available;
  if (contentLength !== undefined) {
    if (contentLength > available)
      return sipFail('SIP_BODY_MISMATCH', `Content-Length ${contentLength}, ${available} bytes`);
    if (contentLength < available) {
      // RFC 3261 §18.3: extra datagram bytes are discarded. RFC 7118 §5.1: over WebSocket the
      // message is exactly one frame, so a wrong Content-Length is an error.
      if (mode !== 'datagram')
        return sipFail('SIP_BODY_MISMATCH', `Content-Length ${contentLength}, ${available} bytes`);
      bodyLen = contentLength;
    }
  } else if (mode === 'stream') {
    return sipFail('SIP_MISSING_CONTENT_LENGTH');
  }
  if (bodyLen > 0) r.value.body = buf.subarray(bodyStart, bodyStart + bodyLen);
  return r;
}

/**
 * Start line and header lines of `s`, up to the first empty line (RFC 3261 §7: the first
 * CRLFCRLF ends the head); sets `headEmptyLine` and `headContentLength`. Returns
 * SIP_NO_HEADER_END when the lines run out first. The message keeps `s` and reads only its
 * head.
 */
function parseHead(s: string, limits: SipLimits): SipResult<SipMessage> {
  // Lines end in CRLF (RFC 3261 §7); a bare LF is malformed. Searching one char is faster.
  const lf = s.indexOf('\n');
  if (lf === -1) return sipFail('SIP_NO_HEADER_END');
  const e = lf - 1;
  if (e < 0 || s.charCodeAt(e) !== CR) return sipFail('SIP_BAD_START_LINE', 'bare LF');
  const line = s.slice(0, e);
  const isResponse = line.startsWith('SIP/');
  if (e > limits.maxHeaderLineLength) {
    return sipFail(isResponse ? 'SIP_HEADER_TOO_LONG' : 'SIP_URI_TOO_LONG', `start line of ${e} bytes`);
  }
  const start = isResponse ? parseStatusLine(line) : parseRequestLine(line);
  if (!start.ok) return start;

  // Collected in module-level scratch arrays (parsing is synchronous, so never shared), then
  // copied once at the exact size: no growing and re-growing per message.
  const keys = SCRATCH_KEYS;
  const offs = SCRATCH_OFFS;
  let count = 0;
  let pos = e + 2;
  let seen = 0;
  let vias = 0;
  let contentLength: number | undefined;
  let nextComma = -1;
  const maxLine = limits.maxHeaderLineLength;
  const maxHeaders = limits.maxHeaders;
  for (;;) {
    const next = s.indexOf('\n', pos);
    if (next === -1) return sipFail('SIP_NO_HEADER_END');
    let lineEnd = next - 1;
    if (s.charCodeAt(lineEnd) !== CR) return sipFail('SIP_BAD_HEADER', 'bare LF');
    if (lineEnd === pos) break;
    // HCOLON = *( SP / HTAB ) ":" SWS (RFC 3261 §25.1)
    let colon: number;
    let nameEnd: number;
    let key: string | undefined;
    const usual = usualHeaderAt(s, pos);
    if (usual !== -1) {
      key = USUAL_KEYS[usual]!;
      nameEnd = pos + USUAL_NAMES[usual]!.length;
      colon = nameEnd;
    } else {
      colon = s.indexOf(':', pos);
      if (colon === -1 || colon > lineEnd) {
        return sipFail(
          'SIP_BAD_HEADER',
          isWs(s.charCodeAt(pos)) ? 'line starts with whitespace' : 'no colon',
        );
      }
      nameEnd = colon;
      while (nameEnd > pos && isWs(s.charCodeAt(nameEnd - 1))) nameEnd--;
      if (nameEnd === pos) return sipFail('SIP_BAD_HEADER', 'empty header name');
      // Common names are recognised in place (which also proves them tokens); others are checked.
      key = knownHeaderKeyAt(s, pos, nameEnd);
      if (key === undefined) {
        for (let i = pos; i < nameEnd; i++) {
          if (TOKEN[s.charCodeAt(i)] !== 1) return sipFail('SIP_BAD_HEADER', 'bad character in header name');
        }
        key = headerKey(s.slice(pos, nameEnd));
      }
    }
    let folded = 0;
    // RFC 3261 §7.3.1: a line starting with SP or HTAB continues the previous header.
    while (isWs(s.charCodeAt(lineEnd + 2))) {
      const more = s.indexOf('\n', lineEnd + 2);
      if (more === -1) return sipFail('SIP_NO_HEADER_END');
      lineEnd = more - 1;
      if (s.charCodeAt(lineEnd) !== CR) return sipFail('SIP_BAD_HEADER', 'bare LF');
      folded = 1;
    }
    if (lineEnd - pos > maxLine) return sipFail('SIP_HEADER_TOO_LONG', `${lineEnd - pos} bytes`);
    if (count >= maxHeaders) return sipFail('SIP_TOO_MANY_HEADERS', `more than ${maxHeaders}`);
    // The value is trimmed when first read (`SipMessage`), not here: most lines never are.
    keys[count] = key;
    const b = count * STRIDE;
    offs[b] = pos;
    offs[b + 1] = nameEnd;
    offs[b + 2] = colon * 2 + folded;
    offs[b + 3] = lineEnd;
    count++;
    const bit = requiredBit(key);
    if (bit !== 0) {
      seen |= bit;
      if (bit === H_VIA) {
        // The next comma, found once per run of Via lines (O(n) overall). Whitespace around
        // the value holds none, so the untrimmed bounds do.
        if (nextComma <= colon) {
          nextComma = s.indexOf(',', colon + 1);
          if (nextComma === -1) nextComma = s.length;
        }
        if (nextComma >= lineEnd) vias++;
        else {
          const vs = valueStart(s, colon, lineEnd);
          const parts = splitList(s.slice(vs, valueEnd(s, vs, lineEnd)));
          if (parts === undefined) return sipFail('SIP_BAD_VIA', 'unbalanced quotes or <>');
          vias += parts.length;
        }
        if (vias > limits.maxVia) return sipFail('SIP_TOO_MANY_VIA', `more than ${limits.maxVia}`);
      }
    } else if (key === 'content-length') {
      const vs = valueStart(s, colon, lineEnd);
      const ve = valueEnd(s, vs, lineEnd);
      const cl = folded === 1 ? undefined : digitsIn(s, vs, ve);
      let value: number;
      if (cl !== undefined) value = cl;
      else {
        const r = parseContentLength(
          folded === 1 ? s.slice(vs, ve).replace(/[ \t]*\r\n[ \t]+/g, ' ') : s.slice(vs, ve),
        );
        if (!r.ok) return r;
        value = r.value;
      }
      // Two different Content-Length values cannot both frame the body.
      if (contentLength !== undefined && contentLength !== value)
        return sipFail('SIP_DUPLICATE_HEADER', 'Content-Length');
      contentLength = value;
    }
    pos = lineEnd + 2;
  }
  if (seen !== H_ALL) {
    for (const [bit, name] of MISSING_NAMES)
      if ((seen & bit) === 0) return sipFail('SIP_MISSING_HEADER', name);
  }
  headEmptyLine = pos;
  headContentLength = contentLength;
  const st = start.value;
  const msg = new SipMessage({
    kind: st.kind,
    method: st.method,
    requestUri: st.requestUri,
    status: st.status,
    reason: st.reason,
    startLineRaw: line,
    raw: { src: s, keys: keys.slice(0, count), offs: offs.slice(0, count * STRIDE) },
    // Every Content-Length line holds this value (two different ones failed above).
    knownContentLength: { ok: true, value: contentLength },
  });
  return { ok: true, value: msg };
}

/**
 * `s[a, b)` as a Content-Length when it is 1 to 9 plain digits (what every client sends), else
 * undefined and the caller goes through `parseContentLength` for the exact error.
 */
function digitsIn(s: string, a: number, b: number): number | undefined {
  if (b <= a || b - a > 9) return undefined;
  let n = 0;
  for (let i = a; i < b; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n;
}

interface StartLine {
  readonly kind: 'request' | 'response';
  readonly method: string;
  readonly requestUri: string;
  readonly status: number;
  readonly reason: string;
}

/** RFC 3261 §7.1 Request-Line = Method SP Request-URI SP SIP-Version CRLF */
function parseRequestLine(line: string): SipResult<StartLine> {
  const sp1 = line.indexOf(' ');
  if (sp1 <= 0) return sipFail('SIP_BAD_START_LINE', 'no method');
  const method = line.slice(0, sp1);
  if (!knownMethod(method)) {
    for (let i = 0; i < sp1; i++) {
      if (TOKEN[line.charCodeAt(i)] !== 1) return sipFail('SIP_BAD_METHOD');
    }
  }
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp2 === -1) return sipFail('SIP_BAD_START_LINE', 'no SIP version');
  const uri = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (uri.length === 0 || uri.charCodeAt(0) === 0x3c /* < */)
    return sipFail('SIP_BAD_START_LINE', 'bad Request-URI');
  const v = checkVersion(version);
  if (!v.ok) return v;
  // Other characters are checked when the Request-URI is parsed (`SipMessage.uri`).
  return {
    ok: true,
    value: { kind: 'request', method, requestUri: uri, status: 0, reason: '' },
  };
}

/** RFC 3261 §7.2 Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF */
function parseStatusLine(line: string): SipResult<StartLine> {
  const sp1 = line.indexOf(' ');
  if (sp1 === -1) return sipFail('SIP_BAD_START_LINE', 'no status code');
  const v = checkVersion(line.slice(0, sp1));
  if (!v.ok) return v;
  const code = line.slice(sp1 + 1, sp1 + 4);
  if (!/^[1-6]\d\d$/.test(code)) return sipFail('SIP_BAD_STATUS', code);
  // The SP before an empty Reason-Phrase is required by the grammar; tolerate its absence.
  if (line.length > sp1 + 4 && line.charCodeAt(sp1 + 4) !== 0x20) {
    return sipFail('SIP_BAD_STATUS', 'status code longer than 3 digits');
  }
  return {
    ok: true,
    value: {
      kind: 'response',
      method: '',
      requestUri: '',
      status: Number(code),
      reason: line.slice(sp1 + 5),
    },
  };
}

/** RFC 3261 §7.1: SIP-Version is "SIP/2.0", case-insensitive; others get 505. */
function checkVersion(v: string): SipResult<void> {
  if (v === 'SIP/2.0' || v.toUpperCase() === 'SIP/2.0') return { ok: true, value: undefined };
  if (/^SIP\/\d+\.\d+$/i.test(v)) return sipFail('SIP_BAD_VERSION', v);
  return sipFail('SIP_BAD_START_LINE', 'bad SIP version');
}
