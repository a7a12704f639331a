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
 * The same string, internalized as V8 does for property names (and literals): keys compare with
 * each other and with literals like 'via' by pointer, not char by char.
 */
function intern(s: string): string {
  return Object.keys({ [s]: 0 })[0]!;
}

const BY_SHAPE: string[][] = [];

/** Usual spellings of common names (and compact forms), and their keys, for `usualHeaderAt`. */
export const USUAL_NAMES: string[] = [];
export const USUAL_KEYS: string[] = [];
/** Indexes into USUAL_NAMES by first char code (ASCII). */
const USUAL_BY_FIRST: number[][] = [];
for (let c = 0; c < 128; c++) USUAL_BY_FIRST.push([]);
function addUsual(name: string, key: string): void {
  const c = name.charCodeAt(0);
  if (USUAL_NAMES.includes(name) || c >= 128) return;
  USUAL_BY_FIRST[c]!.push(USUAL_NAMES.length);
  USUAL_NAMES.push(name);
  USUAL_KEYS.push(key);
}

/**
 * Index in USUAL_NAMES of the name that starts the header line at `a` when it is written the
 * usual way and followed at once by ':' (which is then the line's first colon); else -1. Most
 * lines are found so, without searching for the colon (RFC 3261 §7.3.1).
 */
export function usualHeaderAt(s: string, a: number): number {
  const cands = USUAL_BY_FIRST[s.charCodeAt(a)];
  if (cands === undefined) return -1;
  for (let k = 0; k < cands.length; k++) {
    const u = cands[k]!;
    const name = USUAL_NAMES[u]!;
    const n = name.length;
    if (s.charCodeAt(a + n) === 0x3a && (n === 1 || s.slice(a, a + n) === name)) return u;
  }
  return -1;
}

/** Compact form by its char (either case) → key; undefined for any other char. */
const COMPACT_BY_CODE: Array<string | undefined> = new Array(256).fill(undefined);
for (const [short, key] of Object.entries(COMPACT)) {
  COMPACT_BY_CODE[short.charCodeAt(0)] = key;
  COMPACT_BY_CODE[short.toUpperCase().charCodeAt(0)] = key;
}

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
    'Service-Route',
    'Content-Disposition',
    'Content-Encoding',
    'Accept-Encoding',
    'Accept-Language',
    'MIME-Version',
    'Mime-Version',
    'Retry-After',
    'Warning',
    'Priority',
    'Call-Info',
    'Alert-Info',
    'Privacy',
    'RAck',
    'RSeq',
    'Replaces',
    'Flow-Timer',
  ];
  for (const name of common) {
    const key = intern(name.toLowerCase());
    FAST.set(name, key);
    FAST.set(key, key);
    FAST.set(name.toUpperCase(), key);
    (BY_SHAPE[shape(name.length, name.charCodeAt(0))] ??= []).push(name, key);
    addUsual(name, key);
  }
  for (const [short, key] of Object.entries(COMPACT)) addUsual(short, key);
  for (const [short, key] of Object.entries(COMPACT)) {
    FAST.set(short, key);
    FAST.set(short.toUpperCase(), key);
  }
}

/**
 * Where a name may be found in place by `knownHeaderKeyAt`: by length and first letter (case
 * folded), the usual spellings and their keys, alternating.
 */
function shape(length: number, c0: number): number {
  return length * 32 + ((c0 | 0x20) & 31);
}

/**
 * `headerKey(s.slice(a, b))` for the names in `FAST`, found in place without a string or a hash
 * per name: the usual spelling is compared natively, other spellings ASCII
 * case-insensitively. Returns undefined for other names: the caller then validates the name as
 * a token and uses `headerKey`. Compact forms are looked up by their one char.
 */
export function knownHeaderKeyAt(s: string, a: number, b: number): string | undefined {
  const n = b - a;
  const c0 = s.charCodeAt(a);
  if (n === 1) return COMPACT_BY_CODE[c0];
  const cands = BY_SHAPE[shape(n, c0)];
  if (cands === undefined) return undefined;
  // One copy and a native compare beat `startsWith`, which V8 inlines as a loop over chars.
  const name = s.slice(a, b);
  for (let k = 0; k < cands.length; k += 2) if (name === cands[k]) return cands[k + 1];
  outer: for (let k = 1; k < cands.length; k += 2) {
    const key = cands[k]!;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(a + i);
      const kc = key.charCodeAt(i);
      // Keys hold only a-z, digits and '-': only letters may differ by case.
      if (c !== kc && (kc < 0x61 || (c | 0x20) !== kc)) continue outer;
    }
    return key;
  }
  return undefined;
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
    // Values from the parser are already trimmed; trim only when needed.
    const n = value.length;
    if (n === 0) return [];
    const first = value.charCodeAt(0);
    const last = value.charCodeAt(n - 1);
    if (first > 0x20 && last > 0x20) return [value];
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
