/**
 * A response to a request as a UAS or a stateless proxy builds one (RFC 3261 §8.2.6):
 * Via (all values, same order), From, Call-ID and CSeq copied unchanged (untouched lines keep
 * their bytes), To copied with a tag added when the request had none and the status is not 100,
 * Timestamp copied into 100 (§8.2.6.1).
 */
import { randomBytes } from 'node:crypto';

// RFC 3261 §19.3: a tag must be globally unique and random enough to be unguessable across
// restarts: a random per-process prefix plus a counter, instead of the CSPRNG per response.
const TAG_PREFIX = randomBytes(6).toString('hex');
let tagCounter = 0;
function newTag(): string {
  tagCounter = (tagCounter + 1) % 0x7fffffff;
  return `${TAG_PREFIX}${tagCounter.toString(36)}`;
}

import { toByteString } from './chars.js';
import { type SipResult, sipFail } from './errors.js';
import { headerKey } from './headers.js';
import { COPY_FIRST_LINE, COPY_LINE, type SipMessage, SKIP_LINE } from './message.js';
import type { NameAddr } from './name-addr.js';

export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  421: 'Extension Required',
  423: 'Interval Too Brief',
  430: 'Flow Failed',
  439: 'First Hop Lacks Outbound Support',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
};

export interface ResponseOptions {
  /** To tag to add when the request's To has none (default: 10 random hex chars). */
  readonly toTag?: string;
  /** Extra headers, appended in order. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  /**
   * The extra headers' values are byte strings that start and end with a non-space (built from
   * the request, digits and ASCII, as the registrar's are): added as given, not scanned.
   */
  readonly byteHeaders?: boolean;
  readonly body?: Buffer | string;
  readonly contentType?: string;
}

/** RFC 3261 §8.2.6.2: Via (every line), From, Call-ID, CSeq, and the (first) To. */
function copiedKey(key: string): number {
  switch (key) {
    case 'via':
    case 'from':
    case 'call-id':
    case 'cseq':
      return COPY_LINE;
    case 'to':
      return COPY_FIRST_LINE;
    default:
      return SKIP_LINE;
  }
}

/** RFC 3261 §8.2.6.1: a 100 (Trying) also copies Timestamp. */
function copiedKey100(key: string): number {
  return key === 'timestamp' ? COPY_LINE : copiedKey(key);
}

/**
 * What a response to `req` with `status` puts in place of the request's To value: the value with
 * our tag (RFC 3261 §8.2.6.2: the UAS adds one unless the request had one; 100 Trying may omit
 * it), or undefined when the To is copied as it is. Fails as a response cannot be built: `req` is
 * a response, or has no To. Throws on a status outside 100-699.
 */
function taggedTo(req: SipMessage, status: number, opts: ResponseOptions): SipResult<string | undefined> {
  if (!req.isRequest) return sipFail('SIP_BAD_START_LINE', 'createResponse needs a request');
  if (!Number.isInteger(status) || status < 100 || status > 699) throw new RangeError(`bad status ${status}`);
  if (status === 100) return req.has('to') ? NO_TAG : sipFail('SIP_MISSING_HEADER', 'To');
  // From 101 up the To is read for its tag, which also reports it missing (as 'To').
  const parsed = req.to();
  if (!parsed.ok) return parsed;
  const to: NameAddr = parsed.value;
  if (to.tag !== undefined) return NO_TAG;
  // Every part is a byte string (read from the request, or encoded here) and the value ends in
  // the tag, trimmed: the joined value needs no scan (see `replaceFirstLine`).
  const tag = opts.toTag === undefined ? newTag() : toByteString(opts.toTag).trimEnd();
  return {
    ok: true,
    value: `${to.displayName === undefined ? '' : `${to.displayName} `}<${to.uri}>${to.params.toString()};tag=${tag}`,
  };
}

const NO_TAG: SipResult<string | undefined> = { ok: true, value: undefined };

function reasonPhrase(status: number, reason: string | undefined): string {
  return reason ?? REASON_PHRASES[status] ?? (status < 200 ? 'Provisional' : 'Unknown');
}

export function createResponse(
  req: SipMessage,
  status: number,
  reason?: string,
  opts: ResponseOptions = {},
): SipResult<SipMessage> {
  const tagged = taggedTo(req, status, opts);
  if (!tagged.ok) return tagged;
  const res = req.responseWith(
    status,
    reasonPhrase(status, reason),
    status === 100 ? copiedKey100 : copiedKey,
  );
  if (tagged.value !== undefined) {
    const r = res.replaceFirstLine('to', tagged.value, true);
    if (!r.ok) return r;
  }
  const extra = opts.headers;
  if (extra !== undefined) {
    if (opts.byteHeaders === true) for (const [name, value] of extra) res.addBytes(name, value);
    else for (const [name, value] of extra) res.add(name, value);
  }
  if (opts.body !== undefined) {
    res.body = typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : opts.body;
    if (opts.contentType !== undefined) res.add('Content-Type', opts.contentType);
  }
  return { ok: true, value: res };
}

/**
 * `serialize(createResponse(req, status, reason, opts))` in one pass: the same bytes, without
 * building the response as a message first. For a response sent as it is built (a UAS's or a
 * stateless proxy's own), which nothing reads or changes before it goes out.
 */
export function responseBytes(
  req: SipMessage,
  status: number,
  reason?: string,
  opts: ResponseOptions = {},
): SipResult<Buffer> {
  const tagged = taggedTo(req, status, opts);
  if (!tagged.ok) return tagged;
  const lines = req.renderCopiedLines(status === 100 ? copiedKey100 : copiedKey, tagged.value);
  let head = `SIP/2.0 ${status} ${reasonPhrase(status, reason)}\r\n${lines}`;
  const extra = opts.headers;
  // serialize writes one Content-Length for the body, named as a given one was (e.g. `l`).
  let clName = 'Content-Length';
  let clGiven = false;
  if (extra !== undefined) {
    // As `addBytes` (kept as given) or `add` (encoded, trimmed) would store them.
    for (const [name, value] of extra) {
      if ((name.length === 14 || name.length === 1) && headerKey(name) === 'content-length') {
        if (!clGiven) clName = name;
        clGiven = true;
        continue;
      }
      head += `${name}: ${opts.byteHeaders === true ? value : toByteString(value).trim()}\r\n`;
    }
  }
  let body = EMPTY_BODY;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : opts.body;
    if (opts.contentType !== undefined) head += `Content-Type: ${toByteString(opts.contentType).trim()}\r\n`;
  }
  // RFC 3261 §20.14: Content-Length always written, matching the body.
  head += `${clName}: ${body.length}\r\n\r\n`;
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, 'latin1');
  if (body.length > 0) body.copy(out, head.length);
  return { ok: true, value: out };
}

const EMPTY_BODY: Buffer = Buffer.alloc(0);
