/**
 * tls_mgm `tls_method`: a TLS version or a range of versions, mapped onto Node's
 * `minVersion` / `maxVersion` (RFC 8446 TLS 1.3, RFC 5246 TLS 1.2, RFC 2246 TLS 1.0).
 *
 * Names as OpenSIPS has them: `SSLv23` (alias `TLSany`), `TLSv1`, `TLSv1_2`, `TLSv1_3`, compared
 * case-insensitively. OpenSIPS compares them by prefix (strncasecmp over the user's length), so
 * `t` or `TLS` would mean TLSv1 there; sipwss accepts whole names only, since a prefix that picks
 * the first table entry is a typo more often than a choice. `tlsv1` (the proto_wss README's
 * example) is the whole name TLSv1, case aside, and means TLS 1.0 exactly.
 *
 * A single name X means exactly X. `LOW-HIGH` sets both bounds; an empty side is open
 * (`-TLSv1` is everything up to TLS 1.0, i.e. TLS 1.0).
 * SSLv23 (and an open lower bound) means "what the TLS library enables": Node's
 * `tls.DEFAULT_MIN_VERSION` (TLS 1.2 on Node 20), which is what OpenSIPS on OpenSSL 3 gets too,
 * because OpenSSL 3 refuses TLS 1.0/1.1 at its default security level. Naming TLSv1 as the lower
 * bound is the explicit request for TLS 1.0 (RFC 8996 deprecates it): the domain's context then
 * runs at OpenSSL security level 0, without which OpenSSL 3 cannot sign a TLS 1.0 handshake.
 */
import tls, { type SecureVersion } from 'node:tls';

export interface MethodRange {
  readonly min: SecureVersion;
  readonly max: SecureVersion;
  /** TLS 1.0 was asked for by name: the context needs OpenSSL security level 0. */
  readonly legacy: boolean;
}

const ORDER: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** null: SSLv23 / TLSany, i.e. the library's bound on that side. */
const NAMES: ReadonlyMap<string, SecureVersion | null> = new Map([
  ['sslv23', null],
  ['tlsany', null],
  ['tlsv1', 'TLSv1'],
  ['tlsv1_2', 'TLSv1.2'],
  ['tlsv1_3', 'TLSv1.3'],
]);

export const METHOD_NAMES = ['SSLv23', 'TLSany', 'TLSv1', 'TLSv1_2', 'TLSv1_3'] as const;

export type MethodParse =
  | { readonly ok: true; readonly value: MethodRange }
  | { readonly ok: false; readonly reason: string };

function lookup(name: string): { ok: true; v: SecureVersion | null } | { ok: false; reason: string } {
  const v = NAMES.get(name.trim().toLowerCase());
  if (v !== undefined) return { ok: true, v };
  return {
    ok: false,
    reason: `unknown method "${name.trim()}" (known: ${METHOD_NAMES.join(', ')}, or a range LOW-HIGH)`,
  };
}

function rank(v: SecureVersion): number {
  return ORDER.indexOf(v);
}

export function parseMethodRange(text: string): MethodParse {
  const libMin = tls.DEFAULT_MIN_VERSION;
  const libMax: SecureVersion = 'TLSv1.3';
  const dash = text.indexOf('-');
  let min: SecureVersion;
  let max: SecureVersion;
  // The lower bound is the library's (empty, or SSLv23/TLSany).
  let lowOpen = false;
  if (dash < 0) {
    if (text.trim() === '') return { ok: false, reason: 'empty method' };
    const one = lookup(text);
    if (!one.ok) return { ok: false, reason: one.reason };
    min = one.v ?? libMin;
    max = one.v ?? libMax;
  } else {
    const lowText = text.slice(0, dash);
    const highText = text.slice(dash + 1);
    if (highText.includes('-')) return { ok: false, reason: `"${text}" has more than one "-"` };
    if (lowText.trim() === '') {
      lowOpen = true;
      min = libMin;
    } else {
      const low = lookup(lowText);
      if (!low.ok) return { ok: false, reason: low.reason };
      lowOpen = low.v === null;
      min = low.v ?? libMin;
    }
    if (highText.trim() === '') {
      max = libMax;
    } else {
      const high = lookup(highText);
      if (!high.ok) return { ok: false, reason: high.reason };
      max = high.v ?? libMax;
    }
  }
  // `-TLSv1`: an open lower bound under a named upper bound below the library's minimum.
  if (lowOpen && rank(max) < rank(min)) min = 'TLSv1';
  if (rank(min) > rank(max)) {
    return { ok: false, reason: `"${text}" is an empty range: ${min} is above ${max}` };
  }
  return { ok: true, value: Object.freeze({ min, max, legacy: rank(min) < rank('TLSv1.2') }) };
}

export function formatMethodRange(r: MethodRange): string {
  return r.min === r.max ? r.min : `${r.min}..${r.max}`;
}
