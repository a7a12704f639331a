/**
 * How tls_mgm picks a TLS domain (modules/tls_mgm/tls_domain.c): first by address, then by name.
 *
 *  - `match_ip_address`: the domains that list the exact `IP:port` (server: the local listener
 *    address; client: the destination) are the candidates; when none does, the domains listing
 *    `*` are. An exact entry never falls back to `*` domains, as in OpenSIPS.
 *  - `match_sip_domain`: among the candidates, the name (server: the SNI host name, RFC 6066 §3;
 *    client: the request's SIP domain) is matched against fnmatch-style patterns, case-insensitive
 *    (host names are, RFC 4343). `none` matches the absence of a name; `*` matches any name and
 *    none. The most specific matching pattern wins: a literal name, then a wildcard pattern with
 *    more literal characters, then `*`. Ties go to a declared domain over the implicit `default`,
 *    then to the first declared.
 *
 * Patterns are compiled once at load; matching runs per handshake over a handful of domains.
 */
import { isIP } from 'node:net';

export type AddressEntry =
  | { readonly kind: 'any' }
  | { readonly kind: 'addr'; readonly address: string; readonly port: number };

export type NamePattern =
  | { readonly kind: 'any' }
  | { readonly kind: 'none' }
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'glob'; readonly text: string; readonly re: RegExp; readonly literals: number };

export interface Matchable {
  readonly matchIp: readonly AddressEntry[];
  readonly matchSipDomain: readonly NamePattern[];
  /** The implicit `default` domain: loses ties to a declared one. */
  readonly implicit: boolean;
  /** Declaration order: earlier wins ties. */
  readonly order: number;
}

export type ListParse<T> =
  | { readonly ok: true; readonly value: readonly T[] }
  | { readonly ok: false; readonly reason: string };

/** Canonical text of an IP address, IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as IPv4. */
export function normalizeIp(ip: string): string {
  let a = ip.trim();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  const lower = a.toLowerCase();
  if (lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4) return lower.slice(7);
  if (isIP(a) === 6) {
    // The WHATWG URL parser serialises IPv6 in the RFC 5952 canonical form.
    const canonical = new URL(`http://[${a}]/`).hostname.slice(1, -1);
    return canonical.startsWith('::ffff:') && canonical.includes('.') ? canonical.slice(7) : canonical;
  }
  return a;
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** `match_ip_address`: "IP:port, [IPv6]:port, *". */
export function parseAddressList(text: string): ListParse<AddressEntry> {
  const out: AddressEntry[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') return { ok: false, reason: `empty entry in "${text}"` };
    if (item === '*') {
      out.push({ kind: 'any' });
      continue;
    }
    let host: string;
    let portText: string;
    const v6 = /^\[([^\]]+)\]:(.*)$/.exec(item);
    if (v6) {
      host = v6[1] ?? '';
      portText = v6[2] ?? '';
      if (isIP(host) !== 6) return { ok: false, reason: `"${item}" is not [IPv6]:port` };
    } else {
      const colon = item.lastIndexOf(':');
      if (colon < 0) return { ok: false, reason: `"${item}" has no port (IP:port, [IPv6]:port or *)` };
      host = item.slice(0, colon);
      portText = item.slice(colon + 1);
      if (isIP(host) !== 4) {
        return {
          ok: false,
          reason: `"${item}" is not IPv4:port ([IPv6]:port for IPv6; host names are not allowed)`,
        };
      }
    }
    const port = parsePort(portText);
    if (port === undefined) return { ok: false, reason: `"${item}" has a bad port` };
    out.push({ kind: 'addr', address: normalizeIp(host), port });
  }
  return { ok: true, value: out };
}

const GLOB_CHARS = /^[a-z0-9.\-_*?[\]!^]+$/;

function globToRegExp(glob: string): { re: RegExp; literals: number } | undefined {
  let src = '^';
  let literals = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') src += '.*';
    else if (c === '?') src += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) return undefined;
      let body = glob.slice(i + 1, end);
      let neg = '';
      if (body.startsWith('!') || body.startsWith('^')) {
        neg = '^';
        body = body.slice(1);
      }
      if (body === '' || !/^[a-z0-9.\-_]+$/.test(body)) return undefined;
      src += `[${neg}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else if (c === ']' || c === '!' || c === '^') {
      return undefined;
    } else {
      src += c.replace(/[.\\+()|{}$]/g, '\\$&');
      literals++;
    }
  }
  try {
    return { re: new RegExp(`${src}$`), literals };
  } catch {
    return undefined; // e.g. a reversed range in a class: [z-a]
  }
}

/** `match_sip_domain`: "sip.example.com, *.example.com, *, none". */
export function parseNamePatterns(text: string): ListParse<NamePattern> {
  const out: NamePattern[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim().toLowerCase();
    if (item === '') return { ok: false, reason: `empty entry in "${text}"` };
    if (item === '*') out.push({ kind: 'any' });
    else if (item === 'none') out.push({ kind: 'none' });
    else if (!GLOB_CHARS.test(item))
      return { ok: false, reason: `"${raw.trim()}" is not a host name pattern` };
    else if (!/[*?[]/.test(item)) {
      if (!/^[a-z0-9._-]+$/.test(item))
        return { ok: false, reason: `"${raw.trim()}" is not a host name pattern` };
      out.push({ kind: 'literal', text: item });
    } else {
      const g = globToRegExp(item);
      if (!g) return { ok: false, reason: `"${raw.trim()}" is not a valid wildcard pattern` };
      out.push({ kind: 'glob', text: item, re: g.re, literals: g.literals });
    }
  }
  return { ok: true, value: out };
}

/** How specific a pattern's match of `name` is; -1: no match. `name` undefined: no name sent. */
function patternScore(p: NamePattern, name: string | undefined): number {
  switch (p.kind) {
    case 'any':
      return 0;
    case 'none':
      return name === undefined ? 1_000_000 : -1;
    case 'literal':
      return name === p.text ? 500_000 : -1;
    case 'glob':
      return name !== undefined && p.re.test(name) ? 1 + p.literals : -1;
  }
}

/** A SNI / SIP domain name as compared: lower case, no trailing dot; empty means none. */
export function normalizeName(name: string | false | null | undefined): string | undefined {
  if (typeof name !== 'string') return undefined;
  const n = name.trim().toLowerCase().replace(/\.$/, '');
  return n === '' ? undefined : n;
}

/** The domains that an address selects: exact `IP:port` entries, else `*` entries. */
export function candidatesFor<D extends Matchable>(
  domains: readonly D[],
  address: string,
  port: number,
): D[] {
  const ip = normalizeIp(address);
  const exact = domains.filter((d) =>
    d.matchIp.some((e) => e.kind === 'addr' && e.address === ip && e.port === port),
  );
  if (exact.length > 0) return exact;
  return domains.filter((d) => d.matchIp.some((e) => e.kind === 'any'));
}

/** The best domain for `name` among `candidates`, or undefined when no pattern matches. */
export function bestByName<D extends Matchable>(
  candidates: readonly D[],
  name: string | undefined,
): D | undefined {
  let best: D | undefined;
  let bestScore = -1;
  for (const d of candidates) {
    let score = -1;
    for (const p of d.matchSipDomain) score = Math.max(score, patternScore(p, name));
    if (score < 0) continue;
    if (
      best === undefined ||
      score > bestScore ||
      (score === bestScore && best.implicit && !d.implicit) ||
      (score === bestScore && best.implicit === d.implicit && d.order < best.order)
    ) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

export function selectDomain<D extends Matchable>(
  domains: readonly D[],
  address: string,
  port: number,
  name: string | undefined,
): D | undefined {
  return bestByName(candidatesFor(domains, address, port), name);
}

export function formatAddressList(list: readonly AddressEntry[]): string {
  return list
    .map((e) =>
      e.kind === 'any'
        ? '*'
        : e.address.includes(':')
          ? `[${e.address}]:${e.port}`
          : `${e.address}:${e.port}`,
    )
    .join(',');
}

export function formatNamePatterns(list: readonly NamePattern[]): string {
  return list.map((p) => (p.kind === 'any' ? '*' : p.kind === 'none' ? 'none' : p.text)).join(',');
}
