/**
 * Header names: case-insensitive matching, compact forms (RFC 3261 §7.3.3, RFC 3265, RFC 3515,
 * RFC 3892, RFC 4028, RFC 8224), and splitting of comma-separated values (RFC 3261 §7.3.1).
 */
import { endOfQuoted } from './chars.js';

/** Compact form → canonical key (lower-case full name). */
const COMPACT: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  u: 'allow-events',
  r: 'refer-to',
  b: 'referred-by',
  x: 'session-expires',
  y: 'identity',
};

/** Canonical spelling for rendering a header we add by key. */
const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  'record-route': 'Record-Route',
};

/**
 * Exact spellings seen on the wire → key, so that the common case is one Map lookup without
 * lower-casing (style principle 12). Anything else goes through `headerKey`'s slow path.
 */
const FAST = new Map<string, string>();
{
  const common = [
    'Via',
    'From',
    'To',
    'Call-ID',
    'Call-Id',
    'CSeq',
    'Cseq',
    'Contact',
    'Max-Forwards',
    'Expires',
    'Min-Expires',
    'Content-Length',
    'Content-Type',
    'Route',
    'Record-Route',
    'Path',
    'Supported',
    'Require',
    'Proxy-Require',
    'Unsupported',
    'Allow',
    'User-Agent',
    'Server',
    'Session-Expires',
    'Min-SE',
    'Authorization',
    'Proxy-Authorization',
    'WWW-Authenticate',
    'Proxy-Authenticate',
    'Event',
    'Allow-Events',
    'Subject',
    'Accept',
    'Timestamp',
    'Date',
    'Organization',
    'Reason',
    'Refer-To',
    'Referred-By',
    'P-Asserted-Identity',
  ];
  for (const name of common) {
    const key = name.toLowerCase();
    FAST.set(name, key);
    FAST.set(key, key);
    FAST.set(name.toUpperCase(), key);
  }
  for (const [short, key] of Object.entries(COMPACT)) {
    FAST.set(short, key);
    FAST.set(short.toUpperCase(), key);
  }
}

// Keys of the headers every message carries, by name length, for `headerKeyAt`.
const BY_LENGTH: string[][] = [];
for (const k of [
  'to',
  'via',
  'from',
  'cseq',
  'path',
  'route',
  'allow',
  'call-id',
  'contact',
  'expires',
  'require',
  'supported',
  'user-agent',
  'min-expires',
  'max-forwards',
  'record-route',
  'content-type',
  'content-length',
  'session-expires',
]) {
  (BY_LENGTH[slot(k.length, k.charCodeAt(0))] ??= []).push(k);
}

/** Bucket of a name by its length and first letter (case folded). */
function slot(length: number, c0: number): number {
  return length * 32 + ((c0 | 0x20) & 31);
}
const COMPACT_BY_CODE: Array<string | undefined> = [];
for (const [short, key] of Object.entries(COMPACT)) {
  COMPACT_BY_CODE[short.charCodeAt(0)] = key;
  COMPACT_BY_CODE[short.toUpperCase().charCodeAt(0)] = key;
}

/**
 * `headerKey(s.slice(a, b))` without hashing the name: common names are compared in place,
 * case-insensitively. The name must already be known to be a token (no CR, no '@'), which
 * makes `| 0x20` a safe ASCII lower-casing here.
 */
export function headerKeyAt(s: string, a: number, b: number): string {
  const n = b - a;
  if (n === 1) return COMPACT_BY_CODE[s.charCodeAt(a)] ?? s.slice(a, b).toLowerCase();
  const cands = BY_LENGTH[slot(n, s.charCodeAt(a))];
  if (cands !== undefined) {
    outer: for (const k of cands) {
      for (let i = 0; i < n; i++) {
        if ((s.charCodeAt(a + i) | 0x20) !== k.charCodeAt(i)) continue outer;
      }
      return k;
    }
  }
  return headerKey(s.slice(a, b));
}

/** Canonical key of a header name: lower-case full name, compact forms expanded. */
export function headerKey(name: string): string {
  const k = FAST.get(name);
  if (k !== undefined) return k;
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
}

/** How to spell a header we render from its key ('call-id' → 'Call-ID'). */
export function canonicalName(key: string): string {
  const c = CANONICAL[key];
  if (c !== undefined) return c;
  return key.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
}

/**
 * Headers whose values may be combined with commas (RFC 3261 §7.3.1): only these are split.
 * Authorization-style headers are not lists: their commas separate parameters.
 */
export const LIST_HEADERS: ReadonlySet<string> = new Set([
  'via',
  'contact',
  'route',
  'record-route',
  'path',
  'service-route',
  'supported',
  'require',
  'proxy-require',
  'unsupported',
  'allow',
  'allow-events',
  'accept',
  'accept-encoding',
  'accept-language',
  'content-encoding',
  'content-language',
  'in-reply-to',
  'alert-info',
  'call-info',
  'error-info',
  'warning',
  'reply-to',
  'p-asserted-identity',
]);

/**
 * Splits a header value at commas that are outside quoted strings and <...> (RFC 3261 §7.3.1),
 * trimming each element and dropping empty ones. Returns undefined for an unterminated quote
 * or angle bracket, which the caller reports as malformed.
 */
export function splitList(value: string): string[] | undefined {
  if (value.indexOf(',') === -1) {
    const t = value.trim();
    return t.length === 0 ? [] : [t];
  }
  const out: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const e = endOfQuoted(value, i);
      if (e === -1) return undefined;
      i = e - 1;
    } else if (c === 0x3c /* < */) {
      angle = true;
    } else if (c === 0x3e /* > */) {
      angle = false;
    } else if (c === 0x2c /* , */ && !angle) {
      const t = value.slice(start, i).trim();
      if (t.length > 0) out.push(t);
      start = i + 1;
    }
  }
  if (angle) return undefined;
  const t = value.slice(start).trim();
  if (t.length > 0) out.push(t);
  return out;
}
