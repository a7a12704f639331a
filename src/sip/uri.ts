/**
 * SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966). Components are kept as written
 * (escapes included) so that a URI renders back exactly; `unescape` decodes for comparison.
 * Other schemes parse as an `OtherUri`: a request for one is well-formed but answered 416
 * (RFC 3261 §8.2.2.1), which is the caller's decision.
 */
import { HOST } from './chars.js';
import { type SipResult, sipFail } from './errors.js';
import { Params, parseUriParams } from './parameters.js';

function table(chars: string): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

// RFC 3261 §25.1: unreserved = alphanum / mark; mark = - _ . ! ~ * ' ( )
const MARK = "-_.!~*'()";
/** user = 1*( unreserved / escaped / user-unreserved ), user-unreserved = & = + $ , ; ? / */
const USER = table(`${MARK}&=+$,;?/`);
/** password = *( unreserved / escaped / & = + $ , ) */
const PASSWORD = table(`${MARK}&=+$,`);
/** paramchar = param-unreserved / unreserved / escaped; param-unreserved = [ ] / : & + $ */
const PARAM = table(`${MARK}[]/:&+$`);
/** hnv-unreserved = [ ] / ? : + $ ; headers are hname=hvalue joined with & */
const HEADERS = table(`${MARK}[]/?:+$=&`);
/** scheme = ALPHA *( ALPHA / DIGIT / + / - / . ) */
const SCHEME = table('+-.');
/** tel (RFC 3966): visual separators, digits, *#, and params. Checked loosely. */
const TEL = table(`${MARK}+*#;=%/:[]&$,?`);
/** Generic absolute URI characters (RFC 3986 unreserved, reserved, '%'). */
const GENERIC = table(`${MARK}%:/?#[]@!$&'()*+,;=`);

function allIn(s: string, t: Uint8Array, escapes: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 /* % */ && escapes) {
      if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
      i += 2;
      continue;
    }
    if (c > 255 || t[c] !== 1) return false;
  }
  return true;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

export type HostType = 'ipv4' | 'ipv6' | 'domain';

export class SipUri {
  readonly kind = 'sip' as const;
  scheme: 'sip' | 'sips';
  /** As written, escapes kept; undefined when there is no userinfo. */
  user: string | undefined;
  password: string | undefined;
  /** As written; an IPv6 reference keeps its brackets. */
  host: string;
  hostType: HostType;
  port: number | undefined;
  params: Params;
  /** `?a=b&c=d` headers, as written, without the '?'; '' when none. */
  headers: string;

  constructor(init: {
    scheme: 'sip' | 'sips';
    user?: string | undefined;
    password?: string | undefined;
    host: string;
    /** How `host` is written, when the caller has classified it already (the parser). */
    hostType?: HostType;
    port?: number | undefined;
    params?: Params;
    headers?: string;
  }) {
    this.scheme = init.scheme;
    this.user = init.user;
    this.password = init.password;
    this.host = init.host;
    this.hostType = init.hostType ?? hostTypeOf(init.host);
    this.port = init.port;
    this.params = init.params ?? new Params();
    this.headers = init.headers ?? '';
  }

  /** Host without IPv6 brackets, lower-cased (RFC 3261 §19.1.4: host compares case-insensitively). */
  get address(): string {
    const h = this.hostType === 'ipv6' ? this.host.slice(1, -1) : this.host;
    return h.toLowerCase();
  }

  /** The `transport` parameter lower-cased, if any. */
  get transport(): string | undefined {
    return this.params.get('transport')?.toLowerCase();
  }

  toString(): string {
    let s = `${this.scheme}:`;
    if (this.user !== undefined) {
      s += this.user;
      if (this.password !== undefined) s += `:${this.password}`;
      s += '@';
    }
    s += this.host;
    if (this.port !== undefined) s += `:${this.port}`;
    s += this.params.toString();
    if (this.headers.length > 0) s += `?${this.headers}`;
    return s;
  }
}

export class TelUri {
  readonly kind = 'tel' as const;
  readonly scheme = 'tel' as const;
  /** The subscriber number as written (global '+...' or local). */
  number: string;
  params: Params;

  constructor(number: string, params: Params = new Params()) {
    this.number = number;
    this.params = params;
  }

  toString(): string {
    return `tel:${this.number}${this.params.toString()}`;
  }
}

export class OtherUri {
  readonly kind = 'other' as const;
  /** Lower-cased scheme. */
  readonly scheme: string;
  readonly raw: string;

  constructor(scheme: string, raw: string) {
    this.scheme = scheme;
    this.raw = raw;
  }

  toString(): string {
    return this.raw;
  }
}

export type Uri = SipUri | TelUri | OtherUri;

export function hostTypeOf(host: string): HostType {
  if (host.charCodeAt(0) === 0x5b) return 'ipv6';
  return allDigitsOrDots(host) ? 'ipv4' : 'domain';
}

/** RFC 3261 §25.1 host = hostname / IPv4address / IPv6reference. */
export function validHost(host: string): boolean {
  if (host.length === 0) return false;
  if (host.charCodeAt(0) === 0x5b) {
    if (host.charCodeAt(host.length - 1) !== 0x5d) return false;
    return validIpv6(host.slice(1, -1));
  }
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c > 255 || HOST[c] !== 1) return false;
  }
  return allDigitsOrDots(host) ? validIpv4(host) : true;
}

/** RFC 3261 §25.1 IPv4address: four decimal octets of 1-3 digits, each at most 255 (no regex: hot path). */
export function validIpv4(s: string): boolean {
  let octets = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || value > 255 || ++octets > 4) return false;
      digits = 0;
      value = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (++digits > 3) return false;
      value = value * 10 + (c - 0x30);
    } else {
      return false;
    }
  }
  return octets === 4;
}

function allDigitsOrDots(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x2e && (c < 0x30 || c > 0x39)) return false;
  }
  return true;
}

/**
 * `validHost` for a host already scanned with the `HOST` table (letters, digits, - . _): only
 * the IPv4 form needs checking.
 */
export function validScannedHost(host: string): boolean {
  if (host.length === 0) return false;
  return allDigitsOrDots(host) ? validIpv4(host) : true;
}

/** RFC 3261 §25.1 IPv6address, including an IPv4 tail and one '::'. */
export function validIpv6(a: string): boolean {
  if (a.length < 2 || a.length > 45) return false;
  let tail = a;
  let groupsNeeded = 8;
  const lastColon = a.lastIndexOf(':');
  if (a.indexOf('.') !== -1) {
    const v4 = a.slice(lastColon + 1);
    if (!validIpv4(v4)) return false;
    tail = a.slice(0, lastColon + 1);
    if (tail.endsWith(':') && !tail.endsWith('::')) tail = tail.slice(0, -1);
    groupsNeeded = 6;
  }
  const dbl = tail.indexOf('::');
  if (dbl !== -1 && tail.indexOf('::', dbl + 1) !== -1) return false;
  const parts =
    dbl === -1 ? tail.split(':') : [...tail.slice(0, dbl).split(':'), ...tail.slice(dbl + 2).split(':')];
  const groups = parts.filter((p) => p.length > 0);
  if (dbl === -1 && groups.length !== parts.length) return false;
  for (const g of groups) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
  return dbl === -1 ? groups.length === groupsNeeded : groups.length < groupsNeeded;
}

/** Port digits to a number in 0..65535, or undefined. */
export function parsePort(s: string): number | undefined {
  if (s.length === 0 || s.length > 5) return undefined;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  return n <= 65535 ? n : undefined;
}

/** Parses an absolute URI: SIP/SIPS fully, tel loosely, any other scheme as `OtherUri`. */
export function parseUri(s: string): SipResult<Uri> {
  // The usual schemes, written in lower case, are recognised in place (no slice, no scan).
  const sipScheme = sipSchemeAt(s);
  if (sipScheme !== undefined) return readSipRest(sipScheme, s, sipScheme.length + 1, true);
  const colon = s.indexOf(':');
  if (colon <= 0) return sipFail('SIP_BAD_URI', 'no scheme');
  const c0 = s.charCodeAt(0) | 0x20;
  if (c0 < 0x61 || c0 > 0x7a || !allIn(s.slice(1, colon), SCHEME, false))
    return sipFail('SIP_BAD_URI', 'bad scheme');
  const scheme = s.slice(0, colon).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') return readSipRest(scheme, s, colon + 1, true);
  const rest = s.slice(colon + 1);
  if (scheme === 'tel') return parseTelRest(rest);
  if (rest.length === 0 || !allIn(rest, GENERIC, true)) return sipFail('SIP_BAD_URI', `bad ${scheme} URI`);
  return { ok: true, value: new OtherUri(scheme, s) };
}

/** 'sip' or 'sips' when `s` starts with `sip:` or `sips:` exactly (lower case); else undefined. */
function sipSchemeAt(s: string): 'sip' | 'sips' | undefined {
  if (s.charCodeAt(0) !== 0x73 || s.charCodeAt(1) !== 0x69 || s.charCodeAt(2) !== 0x70) return undefined;
  const c3 = s.charCodeAt(3);
  if (c3 === 0x3a /* : */) return 'sip';
  return c3 === 0x73 /* s */ && s.charCodeAt(4) === 0x3a ? 'sips' : undefined;
}

/** Like `parseUri` but only SIP/SIPS URIs succeed; tel and others fail with 416. */
export function parseSipUri(s: string): SipResult<SipUri> {
  const r = parseUri(s);
  if (!r.ok) return r;
  if (r.value.kind !== 'sip') return sipFail('SIP_UNSUPPORTED_URI_SCHEME', r.value.scheme);
  return { ok: true, value: r.value };
}

const OK: SipResult<undefined> = Object.freeze({ ok: true as const, value: undefined });

/**
 * The part of a SIP or SIPS URI after `scheme:`, which starts at `b` in `s`, read in place: it
 * is checked with offsets, and only when `build` is set are the components sliced out and the
 * URI built (else the value is undefined: the URI is well-formed).
 */
function readSipRest(scheme: 'sip' | 'sips', s: string, b: number, build: true): SipResult<SipUri>;
function readSipRest(scheme: 'sip' | 'sips', s: string, b: number, build: false): SipResult<undefined>;
function readSipRest(
  scheme: 'sip' | 'sips',
  s: string,
  b: number,
  build: boolean,
): SipResult<SipUri | undefined> {
  // RFC 3261 §19.1.1: SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ].
  // '@' cannot appear unescaped after the userinfo, so the first '@' ends it.
  const n = s.length;
  let i = b;
  const at = s.indexOf('@', b);
  let pc = -1;
  if (at !== -1) {
    pc = s.indexOf(':', b);
    if (pc > at) pc = -1;
    const userEnd = pc === -1 ? at : pc;
    // RFC 3261 §19.1.1: the user part may be empty only in a tel-subscriber-less form; reject ''.
    if (userEnd === b || !allInRange(s, b, userEnd, USER, userEnd))
      return sipFail('SIP_BAD_URI', 'bad user part');
    if (pc !== -1 && !allInRange(s, pc + 1, at, PASSWORD, at)) return sipFail('SIP_BAD_URI', 'bad password');
    i = at + 1;
  }
  let hostEnd: number;
  let hostType: HostType;
  if (s.charCodeAt(i) === 0x5b /* [ */) {
    const close = s.indexOf(']', i);
    if (close === -1) return sipFail('SIP_BAD_URI', 'unterminated IPv6 reference');
    hostEnd = close + 1;
    if (!validIpv6(s.slice(i + 1, close))) return sipFail('SIP_BAD_URI', 'bad host');
    hostType = 'ipv6';
  } else {
    // One pass: the host runs to ':', ';', '?' or the end; every char of it must be a HOST char
    // (RFC 3261 §25.1 hostname / IPv4address), and all digits and dots must be an IPv4 address:
    // four octets of 1-3 digits, each at most 255 (`validIpv4`, checked on the way).
    let digitsOrDots = true;
    let dots = 0;
    let octetDigits = 0;
    let octet = 0;
    let octetsOk = true;
    for (hostEnd = i; hostEnd < n; hostEnd++) {
      const c = s.charCodeAt(hostEnd);
      if (c === 0x3a || c === 0x3b || c === 0x3f) break; // : ; ?
      if (c > 255 || HOST[c] !== 1) return sipFail('SIP_BAD_URI', 'bad host');
      if (c >= 0x30 && c <= 0x39) {
        octetDigits++;
        octet = octet * 10 + (c - 0x30);
      } else if (c === 0x2e) {
        if (octetDigits === 0 || octetDigits > 3 || octet > 255) octetsOk = false;
        dots++;
        octetDigits = 0;
        octet = 0;
      } else digitsOrDots = false;
    }
    if (hostEnd === i) return sipFail('SIP_BAD_URI', 'bad host');
    if (digitsOrDots && !(octetsOk && dots === 3 && octetDigits > 0 && octetDigits <= 3 && octet <= 255))
      return sipFail('SIP_BAD_URI', 'bad host');
    hostType = digitsOrDots ? 'ipv4' : 'domain';
  }
  let port: number | undefined;
  let j = hostEnd;
  if (s.charCodeAt(j) === 0x3a /* : */) {
    let k = j + 1;
    while (k < n && s.charCodeAt(k) >= 0x30 && s.charCodeAt(k) <= 0x39) k++;
    port = parsePort(s.slice(j + 1, k));
    if (port === undefined) return sipFail('SIP_BAD_URI', 'bad port');
    j = k;
  }
  const q = s.indexOf('?', j);
  const paramEnd = q === -1 ? n : q;
  if (paramEnd > j && s.charCodeAt(j) !== 0x3b) return sipFail('SIP_BAD_URI', 'junk after host');
  const params = paramEnd > j ? checkParams(s, j + 1, paramEnd) : PARAMS_OK;
  if (params === BAD_PARAM) return sipFail('SIP_BAD_URI', 'bad parameter');
  if (q !== -1 && q + 1 < n && !allInRange(s, q + 1, n, HEADERS, n))
    return sipFail('SIP_BAD_URI', 'bad headers');
  if (params === EMPTY_PARAM_NAME) return sipFail('SIP_BAD_URI', 'empty parameter name');
  if (!build) return OK;
  return {
    ok: true,
    value: new SipUri({
      scheme,
      user: at === -1 ? undefined : s.slice(b, pc === -1 ? at : pc),
      password: pc === -1 ? undefined : s.slice(pc + 1, at),
      host: s.slice(i, hostEnd),
      hostType,
      port,
      params: paramEnd > j ? parseUriParams(s.slice(j + 1, paramEnd)) : new Params([]),
      headers: q === -1 ? '' : s.slice(q + 1),
    }),
  };
}

const PARAMS_OK = 0;
const BAD_PARAM = 1;
const EMPTY_PARAM_NAME = 2;

/**
 * The URI parameters in `s[from, to)` (after the first ';'), in one pass: BAD_PARAM for a char
 * outside paramchar / ';' / '=' or a short escape, else EMPTY_PARAM_NAME when a parameter has an
 * empty name (as `parseUriParams` splits them, empty segments are skipped, so only a segment
 * that starts with '=' has one), else PARAMS_OK.
 */
function checkParams(s: string, from: number, to: number): number {
  let emptyName = false;
  let prev = 0x3b; // the ';' before `from`
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 /* % */) {
      if (i + 2 >= to || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return BAD_PARAM;
      i += 2;
    } else if (c > 255 || PARAM_OR_SEMI[c] !== 1) return BAD_PARAM;
    else if (c === 0x3d /* = */ && prev === 0x3b) emptyName = true;
    prev = c;
  }
  return emptyName ? EMPTY_PARAM_NAME : PARAMS_OK;
}

// The usual SIP URI after `sip:` as one regular expression (RFC 3261 §19.1.1, §25.1), built from
// the tables above: [ user [ ":" password ] "@" ] host [ ":" port ] *( ";" param ) [ "?" headers ].
// It accepts only what `readSipRest` accepts: a host of digits and dots only as an IPv4 address
// (octets 0-255, 1-3 digits), a port of 1-4 digits, no parameter with an empty name. Runs of
// chars with escapes are written `[c]*(?:%HH[c]*)*` (no alternation per char, which is slow),
// and each part ends where the next one's first char is not allowed: a match never backtracks far.
const ESC = '%[0-9A-Fa-f]{2}';
/** Chars of class `c` and escapes: `count` '*' any, '+' at least one. */
function escaped(c: string, count: '*' | '+'): string {
  const run = `[${c}]*(?:${ESC}[${c}]*)*`;
  return count === '*' ? run : `(?:[${c}]|${ESC})${run}`;
}
const USER_C = "-_.!~*'()A-Za-z0-9&=+$,;?/";
const PASSWORD_C = "-_.!~*'()A-Za-z0-9&=+$,";
const PARAM_C = "-_.!~*'()A-Za-z0-9[\\]/:&+$";
const HEADERS_C = "-_.!~*'()A-Za-z0-9[\\]/?:+$=&";
const OCTET = '(?:[01]?[0-9]?[0-9]|2[0-4][0-9]|25[0-5])';
const USUAL_SIP_REST = new RegExp(
  `(?:${escaped(USER_C, '+')}(?::${escaped(PASSWORD_C, '*')})?@)?` +
    `(?:[0-9.]*[-_A-Za-z][-._A-Za-z0-9]*|(?:${OCTET}\\.){3}${OCTET})(?::[0-9]{1,4})?` +
    // A parameter's first char is not '=' (an empty name); '=' may follow.
    `(?:;(?:(?:[${PARAM_C}]|${ESC})${escaped(`${PARAM_C}=`, '*')})?)*` +
    `(?:\\?${escaped(HEADERS_C, '*')})?$`,
  'y',
);
/** Longer URIs are read char by char: the expression is kept to what it matches quickly. */
const USUAL_MAX = 256;

/**
 * `parseUri` without building the URI when it is a SIP or SIPS URI: for values that must be
 * well-formed (RFC 3261 §16.3 step 1) but are not read (From, Contact of a REGISTER). Fails
 * exactly as `parseUri` does.
 */
export function checkUri(s: string): SipResult<void> {
  const sipScheme = sipSchemeAt(s);
  if (sipScheme === undefined) {
    const r = parseUri(s);
    return r.ok ? OK : r;
  }
  // The usual URI is proven well-formed in one native match; any other is read char by char,
  // which finds what is wrong with it.
  if (s.length <= USUAL_MAX) {
    USUAL_SIP_REST.lastIndex = sipScheme.length + 1;
    if (USUAL_SIP_REST.test(s)) return OK;
  }
  return readSipRest(sipScheme, s, sipScheme.length + 1, false);
}

/**
 * `allIn(s.slice(from, to), t, true)` without the slice: an escape's hex digits are read from
 * `s` only before `limit` (the end of that slice, or a char that is not a hex digit).
 */
function allInRange(s: string, from: number, to: number, t: Uint8Array, limit: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 /* % */) {
      if (i + 2 >= limit || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
      i += 2;
      continue;
    }
    if (c > 255 || t[c] !== 1) return false;
  }
  return true;
}

const PARAM_OR_SEMI = (() => {
  const t = PARAM.slice();
  t[0x3b] = 1;
  t[0x3d] = 1;
  return t;
})();

function parseTelRest(rest: string): SipResult<TelUri> {
  // RFC 3966 §3: telephone-subscriber *( par ); checked loosely: no spaces, known characters.
  if (rest.length === 0 || !allIn(rest, TEL, true)) return sipFail('SIP_BAD_URI', 'bad tel URI');
  const semi = rest.indexOf(';');
  const number = semi === -1 ? rest : rest.slice(0, semi);
  if (number.length === 0) return sipFail('SIP_BAD_URI', 'empty tel number');
  return { ok: true, value: new TelUri(number, parseUriParams(semi === -1 ? '' : rest.slice(semi + 1))) };
}

/** Decodes %HH escapes (RFC 3261 §19.1.2) for comparing URI components. */
export function unescapeUri(s: string): string {
  if (s.indexOf('%') === -1) return s;
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}
