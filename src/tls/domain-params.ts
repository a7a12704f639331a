/**
 * From tls_mgm parameter lines to TLS domain descriptions (no file is read here).
 *
 * `server_domain` / `client_domain` declare domains by name; every per-domain parameter is
 * `"[name]value"`. As in OpenSIPS, the `[name]` lines may come before or after the declaration:
 * all declarations are collected first. A value without `[name]` (or with `[default]`) belongs to
 * the implicit `default` server and client domains, which exist only when such a value is given;
 * they are matched last among equals (see domain-matching.ts). Server-only parameters
 * (`require_cert`) given without `[name]` apply to the default server domain only.
 */
import { isAbsolute, resolve } from 'node:path';
import {
  type AddressEntry,
  type NamePattern,
  parseAddressList,
  parseNamePatterns,
} from './domain-matching.js';
import { type CfgSource, TlsError } from './errors.js';
import { type MethodRange, parseMethodRange } from './method-range.js';
import { paramSpec, TLS_MGM } from './params.js';

export interface TlsParam {
  readonly name: string;
  readonly value: string | number;
  readonly source?: CfgSource;
}

export type DomainSide = 'server' | 'client';

export const DEFAULT_DOMAIN = 'default';

/** Where a piece of TLS material comes from: a file (tls_mgm) or PEM text (fromPem). */
export interface MaterialRef {
  readonly param: string;
  readonly source?: CfgSource;
  readonly path?: string;
  readonly pem?: string;
}

export interface DomainConfig {
  readonly name: string;
  readonly side: DomainSide;
  readonly implicit: boolean;
  readonly order: number;
  readonly certificate?: MaterialRef;
  readonly privateKey?: MaterialRef;
  readonly caList?: MaterialRef;
  readonly caDir?: MaterialRef;
  readonly crlDir?: MaterialRef;
  readonly dhParams?: MaterialRef;
  readonly crlCheckAll: boolean;
  readonly method: MethodRange;
  readonly methodText: string;
  readonly verifyCert: boolean;
  readonly requireCert: boolean;
  readonly ciphersList?: string;
  readonly ecCurve?: string;
  readonly matchIp: readonly AddressEntry[];
  readonly matchSipDomain: readonly NamePattern[];
  /** Where each parameter of this domain was given, for error messages. */
  readonly sources: Readonly<Record<string, CfgSource>>;
}

const DOMAIN_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const SERVER_ONLY = new Set(['require_cert']);

interface RawValue {
  readonly value: string;
  readonly source?: CfgSource;
}

interface Draft {
  readonly name: string;
  readonly side: DomainSide;
  readonly implicit: boolean;
  readonly order: number;
  readonly source?: CfgSource;
  readonly values: Map<string, RawValue>;
}

function src(source: CfgSource | undefined): { source?: CfgSource } {
  return source ? { source } : {};
}

/** Splits `"[name]value"`; `name` undefined when the value has no `[...]` prefix. */
export function splitDomainValue(
  param: string,
  raw: string,
  source?: CfgSource,
): { name: string | undefined; value: string } {
  if (!raw.startsWith('[')) return { name: undefined, value: raw };
  const close = raw.indexOf(']');
  if (close < 0) {
    throw new TlsError('TLS_BAD_VALUE', `"${raw}": "[" without "]" (expected "[domain]value")`, {
      param,
      ...src(source),
    });
  }
  const name = raw.slice(1, close);
  if (!DOMAIN_NAME.test(name)) {
    throw new TlsError('TLS_BAD_VALUE', `"[${name}]" is not a domain name (letters, digits, "_", "-", ".")`, {
      param,
      ...src(source),
    });
  }
  return { name, value: raw.slice(close + 1) };
}

function parseFlag(param: string, domain: string, v: RawValue): boolean {
  const t = v.value.trim();
  if (t === '0') return false;
  if (t === '1') return true;
  throw new TlsError('TLS_BAD_VALUE', `"${v.value}" is not 0 or 1`, { param, domain, ...src(v.source) });
}

export interface ParseOptions {
  /** Directory relative file names are resolved against (the cfg file's). Default: cwd. */
  readonly baseDir?: string;
}

/** Validates tls_mgm parameters and returns the domains they describe, in declaration order. */
export function parseDomains(params: readonly TlsParam[], opts: ParseOptions = {}): DomainConfig[] {
  const baseDir = opts.baseDir ?? process.cwd();
  const drafts: Draft[] = [];
  const find = (side: DomainSide, name: string) => drafts.find((d) => d.side === side && d.name === name);
  const perDomain: { name: string | undefined; param: string; value: RawValue }[] = [];

  for (const p of params) {
    const spec = paramSpec(p.name);
    if (!spec) {
      throw new TlsError('TLS_UNKNOWN_PARAM', `known: ${TLS_MGM.params.map((s) => s.name).join(', ')}`, {
        param: p.name,
        ...src(p.source),
      });
    }
    const text = String(p.value);
    if (p.name === 'server_domain' || p.name === 'client_domain') {
      const side: DomainSide = p.name === 'server_domain' ? 'server' : 'client';
      const name = text.trim();
      if (!DOMAIN_NAME.test(name)) {
        throw new TlsError(
          'TLS_BAD_VALUE',
          `"${text}" is not a domain name (letters, digits, "_", "-", "."; addresses go in match_ip_address)`,
          { param: p.name, ...src(p.source) },
        );
      }
      if (name === DEFAULT_DOMAIN) {
        throw new TlsError(
          'TLS_BAD_VALUE',
          `"${DEFAULT_DOMAIN}" is the implicit domain's name and cannot be declared`,
          {
            param: p.name,
            ...src(p.source),
          },
        );
      }
      const dup = find(side, name);
      if (dup) {
        const first = dup.source ? ` (first at ${dup.source.file}:${dup.source.line})` : '';
        throw new TlsError('TLS_DUPLICATE', `${side} domain "${name}" declared twice${first}`, {
          param: p.name,
          domain: name,
          ...src(p.source),
        });
      }
      drafts.push({ name, side, implicit: false, order: drafts.length, values: new Map(), ...src(p.source) });
      continue;
    }
    const split = splitDomainValue(p.name, text, p.source);
    perDomain.push({
      name: split.name === DEFAULT_DOMAIN ? undefined : split.name,
      param: p.name,
      value: { value: split.value, ...src(p.source) },
    });
  }

  const implicit = (side: DomainSide): Draft => {
    let d = find(side, DEFAULT_DOMAIN);
    if (!d) {
      d = { name: DEFAULT_DOMAIN, side, implicit: true, order: drafts.length, values: new Map() };
      drafts.push(d);
    }
    return d;
  };

  for (const entry of perDomain) {
    let targets: Draft[];
    if (entry.name === undefined) {
      targets = SERVER_ONLY.has(entry.param)
        ? [implicit('server')]
        : [implicit('server'), implicit('client')];
    } else {
      const name = entry.name;
      targets = drafts.filter((d) => d.name === name && !d.implicit);
      if (targets.length === 0) {
        throw new TlsError(
          'TLS_UNKNOWN_DOMAIN',
          `"[${name}]": no server_domain or client_domain "${name}" is declared`,
          { param: entry.param, domain: name, ...src(entry.value.source) },
        );
      }
      if (SERVER_ONLY.has(entry.param)) {
        targets = targets.filter((d) => d.side === 'server');
        if (targets.length === 0) {
          throw new TlsError(
            'TLS_BAD_VALUE',
            `applies to server domains only; "${name}" is a client domain`,
            {
              param: entry.param,
              domain: name,
              ...src(entry.value.source),
            },
          );
        }
      }
    }
    for (const d of targets) {
      const prev = d.values.get(entry.param);
      if (prev) {
        const first = prev.source ? ` (first at ${prev.source.file}:${prev.source.line})` : '';
        throw new TlsError('TLS_DUPLICATE', `given twice for this domain${first}`, {
          param: entry.param,
          domain: d.name,
          ...src(entry.value.source),
        });
      }
      d.values.set(entry.param, entry.value);
    }
  }

  return drafts.map((d) => finish(d, baseDir));
}

function finish(d: Draft, baseDir: string): DomainConfig {
  const domain = d.name;
  const get = (param: string) => d.values.get(param);
  const fileRef = (param: string): MaterialRef | undefined => {
    const v = get(param);
    if (!v) return undefined;
    const t = v.value.trim();
    if (t === '') throw new TlsError('TLS_BAD_VALUE', 'empty path', { param, domain, ...src(v.source) });
    return Object.freeze({ param, path: isAbsolute(t) ? t : resolve(baseDir, t), ...src(v.source) });
  };
  const text = (param: string): string | undefined => {
    const v = get(param);
    if (!v) return undefined;
    const t = v.value.trim();
    if (t === '') throw new TlsError('TLS_BAD_VALUE', 'empty value', { param, domain, ...src(v.source) });
    return t;
  };

  const methodRaw = get('tls_method');
  const methodText = methodRaw?.value.trim() ?? 'SSLv23';
  const method = parseMethodRange(methodText);
  if (!method.ok) {
    throw new TlsError('TLS_BAD_METHOD', method.reason, {
      param: 'tls_method',
      domain,
      ...src(methodRaw?.source),
    });
  }

  const ipRaw = get('match_ip_address');
  const ips = parseAddressList(ipRaw?.value ?? '*');
  if (!ips.ok) {
    throw new TlsError('TLS_BAD_VALUE', ips.reason, {
      param: 'match_ip_address',
      domain,
      ...src(ipRaw?.source),
    });
  }
  const namesRaw = get('match_sip_domain');
  const names = parseNamePatterns(namesRaw?.value ?? '*');
  if (!names.ok) {
    throw new TlsError('TLS_BAD_VALUE', names.reason, {
      param: 'match_sip_domain',
      domain,
      ...src(namesRaw?.source),
    });
  }

  const verifyRaw = get('verify_cert');
  const requireRaw = get('require_cert');
  const requireCert = requireRaw ? parseFlag('require_cert', domain, requireRaw) : false;
  let verifyCert: boolean;
  if (verifyRaw) {
    verifyCert = parseFlag('verify_cert', domain, verifyRaw);
    if (requireCert && !verifyCert) {
      throw new TlsError(
        'TLS_BAD_VALUE',
        'require_cert=1 with verify_cert=0: a certificate cannot be required unverified',
        {
          param: 'require_cert',
          domain,
          ...src(requireRaw?.source),
        },
      );
    }
  } else {
    // Ours: server domains let browsers in; require_cert implies verification. Client domains verify.
    verifyCert = d.side === 'client' || requireCert;
  }

  const crlRaw = get('crl_check_all');
  const crlCheckAll = crlRaw ? parseFlag('crl_check_all', domain, crlRaw) : true;
  const crlDir = fileRef('crl_dir');
  if (crlDir && !crlCheckAll) {
    throw new TlsError(
      'TLS_UNSUPPORTED',
      'crl_check_all=0 (leaf only) with crl_dir: Node.js checks every certificate of the chain whenever CRLs are loaded; set crl_check_all to 1 and provide a CRL for each CA level',
      { param: 'crl_check_all', domain, ...src(crlRaw?.source) },
    );
  }

  const certificate = fileRef('certificate');
  const privateKey = fileRef('private_key');
  if (certificate && !privateKey) {
    throw new TlsError('TLS_NO_CERTIFICATE', `${d.side} domain has a certificate but no private_key`, {
      param: 'private_key',
      domain,
      ...src(certificate.source),
    });
  }
  if (privateKey && !certificate) {
    throw new TlsError('TLS_NO_CERTIFICATE', `${d.side} domain has a private_key but no certificate`, {
      param: 'certificate',
      domain,
      ...src(privateKey.source),
    });
  }
  if (d.side === 'server' && !certificate) {
    throw new TlsError('TLS_NO_CERTIFICATE', 'a server domain needs "certificate" and "private_key"', {
      param: 'certificate',
      domain,
      ...src(d.source),
    });
  }

  const opt = <K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } =>
    (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };

  return Object.freeze({
    name: d.name,
    side: d.side,
    implicit: d.implicit,
    order: d.order,
    ...opt('certificate', certificate),
    ...opt('privateKey', privateKey),
    ...opt('caList', fileRef('ca_list')),
    ...opt('caDir', fileRef('ca_dir')),
    ...opt('crlDir', crlDir),
    ...opt('dhParams', fileRef('dh_params')),
    crlCheckAll,
    method: method.value,
    methodText,
    verifyCert,
    requireCert,
    ...opt('ciphersList', text('ciphers_list')),
    ...opt('ecCurve', text('ec_curve')),
    matchIp: Object.freeze(ips.value),
    matchSipDomain: Object.freeze(names.value),
    sources: Object.freeze(
      Object.fromEntries([...d.values].flatMap(([k, v]) => (v.source ? [[k, v.source] as const] : []))),
    ),
  });
}
