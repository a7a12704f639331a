/**
 * `listen` / `socket` values, in OpenSIPS socket syntax (cfg.y `socket_def`):
 *
 *   proto:host[:port] [as host[:port]] [use_workers N] [tag NAME] [anycast] [frag] [reuse_port] ...
 *
 * host is an IPv4 address, an IPv6 address in brackets, a host or interface name, or `*` (all
 * addresses). sipwss implements `ws` and `wss` and the advertised address (`as`); every other
 * protocol or extra is valid OpenSIPS but refused here with a message saying why, instead of being
 * ignored.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ConfigError, type Source } from './errors.js';
import type { Token } from './lexer.js';

export type ListenProto = 'ws' | 'wss';

export interface HostPort {
  /** IPv6 without brackets; `*` for all addresses. */
  readonly host: string;
  /** Absent: the module's default (`wss_port` / `ws_port`). */
  readonly port: number | undefined;
}

export interface ListenSpec extends HostPort {
  readonly proto: ListenProto;
  /** `as host[:port]`: the address written into Via / Record-Route instead of the bound one. */
  readonly advertised?: HostPort;
  /** Which global introduced it (`socket` is OpenSIPS ≥ 3.1's name for `listen`). */
  readonly keyword: 'listen' | 'socket';
  readonly source: Source;
}

interface Extra {
  readonly takesArg: boolean;
  /** Why sipwss refuses it; undefined: supported. */
  readonly refusal?: string;
}

/** Keywords that may follow a socket definition, case-insensitive as in cfg.lex. */
export const LISTEN_EXTRAS: Readonly<Record<string, Extra>> = {
  as: { takesArg: true },
  use_workers: { takesArg: true, refusal: 'sipwss runs in one process with no worker pool per socket' },
  use_children: { takesArg: true, refusal: 'sipwss runs in one process with no worker pool per socket' },
  use_auto_scaling_profile: { takesArg: true, refusal: 'sipwss has no process auto-scaling' },
  tag: { takesArg: true, refusal: 'socket tags are used by routing scripts, which sipwss does not run' },
  anycast: { takesArg: false, refusal: 'anycast sockets are a UDP feature' },
  frag: { takesArg: false, refusal: 'fragmentation control is a UDP feature' },
  reuse_port: { takesArg: false, refusal: 'SO_REUSEPORT sharing between processes is not implemented' },
  accept_subdomain: { takesArg: false, refusal: 'not implemented' },
};

const SUPPORTED: ReadonlySet<string> = new Set(['ws', 'wss']);
const OPENSIPS_PROTOS: ReadonlySet<string> = new Set([
  'udp',
  'tcp',
  'tls',
  'sctp',
  'hep_udp',
  'hep_tcp',
  'hep_tls',
  'bin',
  'bins',
  'smpp',
  'msrp',
  'msrps',
  'ipsec',
  'bond',
]);

export interface ListenExtraToken {
  readonly keyword: Token;
  readonly arg: Token | undefined;
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
const USAGE = 'expected proto:host[:port], e.g. wss:10.0.0.1:443 or wss:[2001:db8::1]';

export function parseListen(
  keyword: 'listen' | 'socket',
  value: string,
  valueSource: Source,
  extras: readonly ListenExtraToken[],
  file: string,
): { spec?: ListenSpec; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const bad = (detail: string, at: Source = valueSource): void => {
    errors.push(new ConfigError('CONFIG_BAD_LISTEN', at, `${keyword}: ${detail}`, keyword));
  };
  const colon = value.indexOf(':');
  const proto = colon === -1 ? '' : value.slice(0, colon).toLowerCase();
  if (colon === -1 || !/^[a-z_]+$/.test(proto)) {
    bad(`"${value}" has no protocol: ${USAGE}`);
    return { errors };
  }
  if (!SUPPORTED.has(proto)) {
    if (OPENSIPS_PROTOS.has(proto)) {
      errors.push(
        new ConfigError(
          'CONFIG_UNSUPPORTED',
          valueSource,
          `${keyword}: protocol "${proto}" is not served by sipwss (only ws and wss)`,
          keyword,
        ),
      );
    } else {
      bad(`unknown protocol "${proto}" (sipwss serves ws and wss)`);
    }
    return { errors };
  }
  const main = parseHostPort(value.slice(colon + 1));
  if (typeof main === 'string') {
    bad(`"${value}": ${main}`);
    return { errors };
  }
  let advertised: HostPort | undefined;
  for (const x of extras) {
    const name = x.keyword.text.toLowerCase();
    const at: Source = { file, line: x.keyword.line, column: x.keyword.column };
    const def = LISTEN_EXTRAS[name];
    if (!def) continue; // the parser only attaches known extras
    if (def.refusal) {
      errors.push(
        new ConfigError(
          'CONFIG_UNSUPPORTED',
          at,
          `${keyword}: "${name}" is refused: ${def.refusal}`,
          keyword,
        ),
      );
      continue;
    }
    if (!x.arg || x.arg.kind === 'punct') {
      bad('"as" needs an address: as host[:port]', at);
      continue;
    }
    if (advertised) {
      bad('"as" given twice', at);
      continue;
    }
    const adv = parseHostPort(x.arg.text);
    if (typeof adv === 'string') {
      bad(`advertised address "${x.arg.text}": ${adv}`, { file, line: x.arg.line, column: x.arg.column });
      continue;
    }
    if (adv.host === '*') {
      bad('the advertised address cannot be "*"', { file, line: x.arg.line, column: x.arg.column });
      continue;
    }
    if (adv.port === 0) {
      bad('the advertised port cannot be 0', { file, line: x.arg.line, column: x.arg.column });
      continue;
    }
    advertised = adv;
  }
  if (errors.length > 0) return { errors };
  const spec: ListenSpec = {
    proto: proto as ListenProto,
    host: main.host,
    port: main.port,
    ...(advertised ? { advertised: Object.freeze(advertised) } : {}),
    keyword,
    source: valueSource,
  };
  return { spec: Object.freeze(spec), errors };
}

/** `host[:port]`; returns a reason string when malformed. */
export function parseHostPort(text: string): HostPort | string {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return 'missing "]" after the IPv6 address';
    host = text.slice(1, close);
    if (!isIPv6(host)) return `"${host}" is not an IPv6 address`;
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return `unexpected "${rest}" after "]"`;
      portText = rest.slice(1);
    }
  } else {
    const parts = text.split(':');
    if (parts.length > 2) {
      return isIPv6(text) ? 'an IPv6 address needs brackets: [addr] or [addr]:port' : USAGE;
    }
    host = parts[0]!;
    portText = parts[1];
    if (host === '') return `missing host: ${USAGE}`;
    if (host !== '*') {
      if (/^[0-9.]+$/.test(host)) {
        if (!isIPv4(host)) return `"${host}" is not an IPv4 address`;
      } else if (!HOSTNAME.test(host)) {
        return `"${host}" is not a valid host name`;
      }
    }
  }
  if (portText === undefined) return { host, port: undefined };
  if (!/^[0-9]{1,5}$/.test(portText)) {
    return portText === 'any'
      ? 'port "any" is not supported: omit the port to use the module default'
      : `"${portText}" is not a port number`;
  }
  const port = Number(portText);
  // Port 0 binds a free port (tests, ephemeral servers); the transport reports the real one.
  if (port > 65535) return `port ${port} is outside 0-65535`;
  return { host, port };
}
