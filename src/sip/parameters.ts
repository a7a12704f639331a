/**
 * Ordered `;name=value` parameters (RFC 3261 §25.1 generic-param, uri-parameter). Names compare
 * case-insensitively; spelling and order are kept so that a re-rendered value differs from the
 * original only where it was changed.
 */
import { endOfQuoted, isWs, skipWs, TOKEN } from './chars.js';
import { type SipResult, sipFail } from './errors.js';

export interface Param {
  readonly name: string;
  /** undefined: the parameter has no value (`;lr`, `;rport`). */
  readonly value: string | undefined;
}

export class Params {
  readonly list: Param[];

  constructor(list: Param[] = []) {
    this.list = list;
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
 * Header parameters from `s[i..]`, which must be at a ';' or the end (after optional LWS):
 * `*( SEMI generic-param )`, LWS allowed around ';' and '=' (RFC 3261 §7.3.1, §25.1).
 * gen-value = token / host / quoted-string; IPv6 references in brackets are accepted as host.
 */
export function parseHeaderParams(s: string, i: number, what = 'parameter'): SipResult<Params> {
  const list: Param[] = [];
  const n = s.length;
  i = skipWs(s, i);
  while (i < n) {
    if (s.charCodeAt(i) !== 0x3b /* ; */) return sipFail('SIP_BAD_PARAM', `${what}: expected ';' at ${i}`);
    i = skipWs(s, i + 1);
    const nameStart = i;
    while (i < n && TOKEN[s.charCodeAt(i)] === 1) i++;
    if (i === nameStart) return sipFail('SIP_BAD_PARAM', `${what}: empty parameter name`);
    const name = s.slice(nameStart, i);
    i = skipWs(s, i);
    let value: string | undefined;
    if (i < n && s.charCodeAt(i) === 0x3d /* = */) {
      i = skipWs(s, i + 1);
      const vStart = i;
      const c = s.charCodeAt(i);
      if (c === 0x22 /* " */) {
        const e = endOfQuoted(s, i);
        if (e === -1) return sipFail('SIP_BAD_PARAM', `${what}: unterminated quoted value`);
        i = e;
      } else if (c === 0x5b /* [ */) {
        const e = s.indexOf(']', i);
        if (e === -1) return sipFail('SIP_BAD_PARAM', `${what}: unterminated IPv6 reference`);
        i = e + 1;
      } else {
        while (i < n && TOKEN[s.charCodeAt(i)] === 1) i++;
      }
      if (i === vStart) return sipFail('SIP_BAD_PARAM', `${what}: empty value for ${name}`);
      value = s.slice(vStart, i);
      i = skipWs(s, i);
    }
    list.push({ name, value });
  }
  return { ok: true, value: new Params(list) };
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

export function hasWs(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isWs(s.charCodeAt(i))) return true;
  return false;
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
