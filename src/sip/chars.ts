/**
 * Character classes of RFC 3261 §25.1 as lookup tables over char codes (latin1: one char per
 * byte), so that hot loops test a byte with one array read instead of a regex.
 */

function table(chars: string, ranges: Array<[number, number]> = []): Uint8Array {
  const t = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  for (const [a, b] of ranges) for (let c = a; c <= b; c++) t[c] = 1;
  return t;
}

const ALNUM: Array<[number, number]> = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
];

/** RFC 3261 §25.1 token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = table("-.!%*_+`'~", ALNUM);

/** RFC 3261 §25.1 hostname characters plus IPv4 digits and dots; "_" tolerated as real DNS has it. */
export const HOST = table('-._', ALNUM);

/** RFC 3261 §25.1 word: token characters plus ( ) < > : \ " / [ ] ? { } (besides letters and digits) */
export const WORD_MARKS = '-.!%*_+`\'~()<>:\\"/[]?{}';
export const WORD = table(WORD_MARKS, ALNUM);

export const SP = 0x20;
export const HTAB = 0x09;
export const CR = 0x0d;
export const LF = 0x0a;

export function isWs(c: number): boolean {
  return c === SP || c === HTAB;
}

/** True when `s` is a non-empty RFC 3261 token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255 || TOKEN[c] !== 1) return false;
  }
  return true;
}

export function skipWs(s: string, i: number, end: number = s.length): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c !== SP && c !== HTAB) break;
    i++;
  }
  return i;
}

/** Index after the quoted-string that starts at `i` (a '"'), or -1 if it never closes. RFC 3261 §25.1 */
export function endOfQuoted(s: string, i: number): number {
  // Common case: no quoted-pair before the closing quote; two native searches.
  const close = s.indexOf('"', i + 1);
  if (close === -1) return -1;
  const bs = s.indexOf('\\', i + 1);
  if (bs === -1 || bs > close) return close + 1;
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x5c /* \ */) {
      j++;
      continue;
    }
    if (c === 0x22 /* " */) return j + 1;
  }
  return -1;
}

/** A char above U+00FF; a native scan, far cheaper on V8 than a loop over `charCodeAt`. */
const ABOVE_LATIN1 = /[^\u0000-\u00ff]/;

/** Strings with chars above 0xFF are text: encode them as UTF-8 and return the byte string. */
export function toByteString(s: string): string {
  return ABOVE_LATIN1.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

/** A byte string (latin1) read as UTF-8 text, e.g. for showing a display name. */
export function byteStringToText(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}
