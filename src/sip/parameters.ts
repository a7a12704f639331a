/**
 * Ordered `;name=value` parameters (RFC 3261 §25.1 generic-param, uri-parameter). Names compare
 * case-insensitively; spelling and order are kept so that a re-rendered value differs from the
 * original only where it was changed.
 */
import { endOfQuoted, skipWs, TOKEN } from './chars.js';
import { type SipResult, sipFail } from './errors.js';

export interface Param {
  readonly name: string;
  /** undefined: the parameter has no value (`;lr`, `;rport`). */
  readonly value: string | undefined;
}

/** Marks a `Params` whose list is not split yet (never handed out, so never changed). */
const UNSPLIT: Param[] = [];

export class Params {
  private _list: Param[];
  /** A received parameter section already proven well-formed, split on first use. */
  private raw: string;
  private rawStart: number;

  constructor(list: Param[] = []) {
    this._list = list;
    this.raw = '';
    this.rawStart = 0;
  }

  /**
   * Parameters that `HEADER_PARAMS` accepted in `s` from `i`: most are never read (a proxy
   * forwards Contact and Record-Route parameters untouched), so they are split when first used.
   */
  static received(s: string, i: number): Params {
    const p = new Params(UNSPLIT);
    p.raw = s;
    p.rawStart = i;
    return p;
  }

  /** In order, as written. */
  get list(): Param[] {
    let l = this._list;
    if (l === UNSPLIT) {
      const r = parseHeaderParamList(this.raw, this.rawStart, 'parameter');
      // Cannot fail: the section matched HEADER_PARAMS, the same grammar.
      l = typeof r === 'string' ? [] : r;
      this._list = l;
      this.raw = '';
    }
    return l;
  }

  private index(name: string): number {
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!.name;
      if (p === name || (p.length === name.length && equalsIgnoreCase(p, name))) return i;
    }
    return -1;
  }

  has(name: string): boolean {
    return this.index(name) !== -1;
  }

  /** The value; '' for a parameter without one; undefined when absent. */
  get(name: string): string | undefined {
    const i = this.index(name);
    return i === -1 ? undefined : (this.list[i]!.value ?? '');
  }

  /** Sets (in place, keeping position) or appends. `value` undefined: a parameter without value. */
  set(name: string, value?: string): void {
    const i = this.index(name);
    if (i === -1) this.list.push({ name, value });
    else this.list[i] = { name: this.list[i]!.name, value };
  }

  delete(name: string): boolean {
    const i = this.index(name);
    if (i === -1) return false;
    this.list.splice(i, 1);
    return true;
  }

  get size(): number {
    return this.list.length;
  }

  clone(): Params {
    return new Params(this.list.slice());
  }

  /** `;a=b;c`, or '' when empty. */
  toString(): string {
    let out = '';
    for (const p of this.list) out += p.value === undefined ? `;${p.name}` : `;${p.name}=${p.value}`;
    return out;
  }
}

/**
 * `parseHeaderParams`'s grammar as one regular expression, so that a well-formed section is
 * checked in one native pass instead of a loop over chars: WS* ( ";" WS* token WS*
 * ( "=" WS* ( 1*(token / ":") / quoted-string / "[" *not-"]" "]" ) WS* )? )* to the end.
 */
const HEADER_PARAMS =
  /[ \t]*(?:;[ \t]*[-.!%*_+`'~0-9A-Za-z]+[ \t]*(?:=[ \t]*(?:[-.!%*_+`'~0-9A-Za-z:]+|"[^"\\]*(?:\\[\s\S][^"\\]*)*"|\[[^\]]*\])[ \t]*)?)*$/y;

/**
 * Header parameters from `s[i..]`, which must be at a ';' or the end (after optional LWS):
 * `*( SEMI generic-param )`, LWS allowed around ';' and '=' (RFC 3261 §7.3.1, §25.1).
 * gen-value = token / host / quoted-string; IPv6 references in brackets are accepted as host.
 * A well-formed section is checked at once and split when first read (`Params.received`).
 */
export function parseHeaderParams(s: string, i: number, what = 'parameter'): SipResult<Params> {
  if (i >= s.length) return { ok: true, value: new Params([]) };
  HEADER_PARAMS.lastIndex = i;
  if (HEADER_PARAMS.test(s)) return { ok: true, value: Params.received(s, i) };
  const r = parseHeaderParamList(s, i, what);
  if (typeof r === 'string') return sipFail('SIP_BAD_PARAM', r);
  return { ok: true, value: new Params(r) };
}

/**
 * `parseHeaderParams` split at once (`parseHeaderParamList` accepts the same grammar), for values
 * whose parameters are read anyway (a REGISTER's Contact: expires, +sip.instance, reg-id, q):
 * one pass over them instead of a check and then a split.
 */
export function parseHeaderParamsNow(s: string, i: number, what = 'parameter'): SipResult<Params> {
  if (i >= s.length) return { ok: true, value: new Params([]) };
  const r = parseHeaderParamList(s, i, what);
  if (typeof r === 'string') return sipFail('SIP_BAD_PARAM', r);
  return { ok: true, value: new Params(r) };
}

/**
 * The parameter list split at once, or what is wrong with it (the detail of a SIP_BAD_PARAM),
 * for callers that read every parameter anyway (Via), and for a `Params.received` section when
 * first read. One pass over the chars with native searches for quoted values: on V8 this costs
 * less than a sticky regular expression per parameter (a match array and captures each).
 */
export function parseHeaderParamList(s: string, i: number, what: string): Param[] | string {
  const list: Param[] = [];
  const n = s.length;
  i = skipWs(s, i);
  while (i < n) {
    if (s.charCodeAt(i) !== 0x3b /* ; */) return `${what}: expected ';' at ${i}`;
    i = skipWs(s, i + 1);
    const nameStart = i;
    while (i < n && TOKEN[s.charCodeAt(i)] === 1) i++;
    if (i === nameStart) return `${what}: empty parameter name`;
    const name = s.slice(nameStart, i);
    i = skipWs(s, i);
    let value: string | undefined;
    if (i < n && s.charCodeAt(i) === 0x3d /* = */) {
      i = skipWs(s, i + 1);
      const vStart = i;
      const c = s.charCodeAt(i);
      if (c === 0x22 /* " */) {
        const e = endOfQuoted(s, i);
        if (e === -1) return `${what}: unterminated quoted value`;
        i = e;
      } else if (c === 0x5b /* [ */) {
        const e = s.indexOf(']', i);
        if (e === -1) return `${what}: unterminated IPv6 reference`;
        i = e + 1;
      } else {
        // token / host: ':' admits an unbracketed IPv6 received (RFC 3261 §20.42, RFC 5118 §4.5).
        while (i < n && (TOKEN[s.charCodeAt(i)] === 1 || s.charCodeAt(i) === 0x3a)) i++;
      }
      if (i === vStart) return `${what}: empty value for ${name}`;
      value = s.slice(vStart, i);
      i = skipWs(s, i);
    }
    list.push({ name, value });
  }
  return list;
}

/**
 * URI parameters (RFC 3261 §19.1.1): `;name[=value]` with no LWS and no quoting, up to the end of
 * `s`. Characters are checked by the URI parser; here we only split.
 */
export function parseUriParams(s: string): Params {
  const list: Param[] = [];
  if (s.length === 0) return new Params(list);
  let i = 0;
  while (i <= s.length) {
    let j = s.indexOf(';', i);
    if (j === -1) j = s.length;
    if (j > i) {
      const part = s.slice(i, j);
      const eq = part.indexOf('=');
      list.push(
        eq === -1 ? { name: part, value: undefined } : { name: part.slice(0, eq), value: part.slice(eq + 1) },
      );
    }
    i = j + 1;
  }
  return new Params(list);
}

/** ASCII case-insensitive equality of two strings of equal length, without allocating. */
export function equalsIgnoreCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0x41 && x <= 0x5a) x |= 0x20;
    if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    if (x !== y) return false;
  }
  return true;
}
