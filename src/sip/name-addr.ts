/**
 * name-addr / addr-spec with header parameters (RFC 3261 §20.10, §20.20, §20.39, §25.1): the
 * values of From, To, Contact, Route, Record-Route, Path. The URI is kept as written and parsed
 * on demand; parameters after the URI belong to the header, not the URI.
 */
import { endOfQuoted, isWs, skipWs, TOKEN } from './chars.js';
import { type SipResult, sipFail } from './errors.js';
import { Params, parseHeaderParams, parseHeaderParamsNow } from './parameters.js';
import { checkUri, parseUri, type Uri } from './uri.js';

export class NameAddr {
  /** As written: a quoted-string with its quotes, or tokens; undefined when absent. */
  displayName: string | undefined;
  /** The URI as written between < and > (or the bare addr-spec). */
  uri: string;
  params: Params;
  /** Written as `<uri>`; a rendered value always uses brackets (RFC 3261 §20.10 allows both). */
  bracketed: boolean;
  private parsed: SipResult<Uri> | undefined;

  constructor(uri: string, params: Params = new Params(), displayName?: string, bracketed = true) {
    this.uri = uri;
    this.params = params;
    this.displayName = displayName;
    this.bracketed = bracketed;
  }

  /** The URI parsed (cached; `uri` is read at first call). */
  parsedUri(): SipResult<Uri> {
    if (this.parsed === undefined) this.parsed = parseUri(this.uri);
    return this.parsed;
  }

  /**
   * Whether the URI is well-formed, as `parsedUri` would find it, without building it when it
   * was not parsed yet: validation checks URIs that are often never read (From, Contact).
   */
  validUri(): SipResult<void> {
    const p = this.parsed;
    if (p === undefined) return checkUri(this.uri);
    return p.ok ? { ok: true, value: undefined } : p;
  }

  get tag(): string | undefined {
    return this.params.get('tag');
  }

  /** The display name without quotes and escapes (a byte string, like all header text). */
  get displayText(): string | undefined {
    const d = this.displayName;
    if (d === undefined || d.charCodeAt(0) !== 0x22) return d;
    return d.slice(1, -1).replace(/\\(.)/g, '$1');
  }

  toString(): string {
    const name = this.displayName === undefined ? '' : `${this.displayName} `;
    // An addr-spec with parameters must be bracketed to keep them on the header (RFC 3261 §20).
    if (!this.bracketed && this.displayName === undefined) return `${this.uri}${this.params.toString()}`;
    return `${name}<${this.uri}>${this.params.toString()}`;
  }
}

/**
 * One name-addr or addr-spec with its parameters (one element of a list, already split).
 * RFC 3261 §25.1: name-addr = [ display-name ] LAQUOT addr-spec RAQUOT;
 * display-name = *(token LWS) / quoted-string.
 */
export function parseNameAddr(s: string): SipResult<NameAddr> {
  return readNameAddr(s, parseHeaderParams);
}

/** `parseNameAddr` with the header parameters read by `params` (checked only, or split now). */
function readNameAddr(s: string, params: (s: string, i: number) => SipResult<Params>): SipResult<NameAddr> {
  let i = skipWs(s, 0);
  let display: string | undefined;
  const c = s.charCodeAt(i);
  if (c === 0x22 /* " */) {
    const e = endOfQuoted(s, i);
    if (e === -1) return sipFail('SIP_BAD_NAME_ADDR', 'unterminated quoted display name');
    display = s.slice(i, e);
    i = skipWs(s, e);
    if (s.charCodeAt(i) !== 0x3c) return sipFail('SIP_BAD_NAME_ADDR', "display name not followed by '<'");
  } else if (c !== 0x3c) {
    // Tokens then '<', or a bare addr-spec: look for '<' before any ';' or ':'.
    let j = i;
    while (j < s.length && (TOKEN[s.charCodeAt(j)] === 1 || isWs(s.charCodeAt(j)))) j++;
    if (s.charCodeAt(j) === 0x3c) {
      display = s.slice(i, j).trimEnd();
      if (display.length === 0) display = undefined;
      i = j;
    }
  }
  if (s.charCodeAt(i) === 0x3c /* < */) {
    const gt = s.indexOf('>', i + 1);
    if (gt === -1) return sipFail('SIP_BAD_NAME_ADDR', "no closing '>'");
    const uri = s.slice(i + 1, gt);
    if (uri.length === 0 || hasWsOrAngle(uri)) return sipFail('SIP_BAD_NAME_ADDR', 'bad URI in <>');
    const ps = params(s, gt + 1);
    if (!ps.ok) return ps;
    return { ok: true, value: new NameAddr(uri, ps.value, display, true) };
  }
  // RFC 3261 §20: an addr-spec without <> ends at the first ';' (those are header params) or LWS.
  let end = i;
  while (end < s.length) {
    const ch = s.charCodeAt(end);
    if (ch === 0x3b || isWs(ch)) break;
    if (ch === 0x3c || ch === 0x3e || ch === 0x22) return sipFail('SIP_BAD_NAME_ADDR', 'stray character');
    // RFC 3261 §20: a URI with a comma, question mark or semicolon must be in <> (RFC 4475 §3.1.2.13).
    if (ch === 0x3f || ch === 0x2c) return sipFail('SIP_BAD_NAME_ADDR', "'?' or ',' in a URI without <>");
    end++;
  }
  const uri = s.slice(i, end);
  if (uri.length === 0 || uri.indexOf(':') === -1) return sipFail('SIP_BAD_NAME_ADDR', 'no URI');
  const ps = params(s, end);
  if (!ps.ok) return ps;
  return { ok: true, value: new NameAddr(uri, ps.value, undefined, false) };
}

/** Native searches beat a char loop here; '>' cannot occur (the URI ends at the first one). */
function hasWsOrAngle(s: string): boolean {
  return s.indexOf(' ') !== -1 || s.indexOf('<') !== -1 || s.indexOf('\t') !== -1;
}

/** A Contact value: a name-addr, or `*` (RFC 3261 §10.2.2, only with Expires 0 in REGISTER). */
export type Contact =
  | { readonly star: true; readonly params: Params }
  | (NameAddr & { readonly star?: false });

export function parseContact(s: string): SipResult<Contact> {
  const i = skipWs(s, 0);
  if (s.charCodeAt(i) === 0x2a /* * */) {
    const params = parseHeaderParams(s, i + 1);
    if (!params.ok) return params;
    return { ok: true, value: { star: true, params: params.value } };
  }
  // A registrar reads every Contact parameter (expires, +sip.instance, reg-id, q): split now.
  return readNameAddr(s, parseHeaderParamsNow);
}

/** RFC 3261 §20.10 expires, q; RFC 5626 +sip.instance, reg-id, ob; RFC 5627 pub-gruu. */
export function contactExpires(c: NameAddr): number | undefined {
  const v = c.params.get('expires');
  if (v === undefined) return undefined;
  const n = upTo10Digits(v);
  return n === undefined ? undefined : Math.min(n, 0xffffffff);
}

export function contactQ(c: NameAddr): number | undefined {
  const v = c.params.get('q');
  if (v === undefined || !/^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(v)) return undefined;
  return Number(v);
}

/** `+sip.instance` without its quotes and angle brackets: `urn:uuid:...`. */
export function contactInstance(c: NameAddr): string | undefined {
  const v = c.params.get('+sip.instance');
  if (v === undefined) return undefined;
  let s = v;
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) s = s.slice(1, -1);
  if (s.startsWith('<') && s.endsWith('>')) s = s.slice(1, -1);
  return s;
}

export function contactRegId(c: NameAddr): number | undefined {
  const v = c.params.get('reg-id');
  return v === undefined ? undefined : upTo10Digits(v);
}

/** The value of 1 to 10 ASCII digits (`/^\d{1,10}$/`), else undefined; read without a regex. */
function upTo10Digits(v: string): number | undefined {
  const n = v.length;
  if (n === 0 || n > 10) return undefined;
  let x = 0;
  for (let i = 0; i < n; i++) {
    const d = v.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return undefined;
    x = x * 10 + d;
  }
  return x;
}

export function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}
