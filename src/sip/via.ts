/**
 * Via (RFC 3261 §20.42, §18.2.1; RFC 3581 rport; RFC 7118 §5 WS/WSS; RFC 5118 IPv6).
 * `head` keeps "SIP/2.0/WSS host:port" exactly as written: the sent-by is never rewritten,
 * only parameters are added or changed.
 */
import { isWs, skipWs, TOKEN } from './chars.js';
import { type SipResult, sipFail } from './errors.js';
import { Params, parseHeaderParamList } from './parameters.js';
import { parsePort, validHost, validIpv6, validScannedHost } from './uri.js';

export class Via {
  /** "SIP/2.0/WSS k0eiuqlo5c47.invalid" as written, through the end of sent-by. */
  readonly head: string;
  readonly protocolName: string;
  readonly protocolVersion: string;
  /** Upper-cased: UDP, TCP, TLS, SCTP, WS, WSS or another token. */
  readonly transport: string;
  /** As written; IPv6 keeps its brackets. `.invalid` names (RFC 7118 §5.2) are kept as is. */
  readonly host: string;
  readonly port: number | undefined;
  params: Params;

  constructor(
    head: string,
    parts: {
      protocolName: string;
      protocolVersion: string;
      transport: string;
      host: string;
      port: number | undefined;
    },
    params: Params,
  ) {
    this.head = head;
    this.protocolName = parts.protocolName;
    this.protocolVersion = parts.protocolVersion;
    this.transport = parts.transport;
    this.host = parts.host;
    this.port = parts.port;
    this.params = params;
  }

  get branch(): string | undefined {
    return this.params.get('branch');
  }

  get received(): string | undefined {
    return this.params.get('received');
  }

  get maddr(): string | undefined {
    return this.params.get('maddr');
  }

  get alias(): boolean {
    return this.params.has('alias');
  }

  /** RFC 3581: `rport` present, with or without a value. */
  get hasRport(): boolean {
    return this.params.has('rport');
  }

  /** RFC 3581: the rport value a server filled in, if any. */
  get rport(): number | undefined {
    const v = this.params.get('rport');
    return v === undefined || v === '' ? undefined : parsePort(v);
  }

  /**
   * RFC 3261 §17.2.3: branch starts with the magic cookie z9hG4bK and has an identifier after
   * it; the cookie alone (RFC 4475 §3.2.1) is not a usable transaction id.
   */
  get rfc3261Branch(): boolean {
    const b = this.branch;
    return b !== undefined && b.length > 7 && b.startsWith('z9hG4bK');
  }

  /** Host without brackets, lower-cased. */
  get address(): string {
    const h = this.host.charCodeAt(0) === 0x5b ? this.host.slice(1, -1) : this.host;
    return h.toLowerCase();
  }

  clone(): Via {
    return new Via(this.head, this, this.params.clone());
  }

  toString(): string {
    return this.head + this.params.toString();
  }
}

/** `HOST` chars (letters, digits, - . _); always matches, possibly nothing. */
const HOST_RUN = /[-._0-9A-Za-z]*/y;

/**
 * One Via value (already split from its list). RFC 3261 §25.1:
 * via-parm = sent-protocol LWS sent-by *( SEMI via-params ); sent-protocol = name SLASH version
 * SLASH transport, with LWS allowed around each SLASH.
 */
export function parseVia(s: string): SipResult<Via> {
  let i = skipWs(s, 0);
  const start = i;
  let name = 'SIP';
  let version = '2.0';
  // One copy and a native compare: V8 inlines `startsWith` as a loop over chars.
  if (s.slice(i, i + 8) === 'SIP/2.0/') {
    // Fast path: what every client sends.
    i += 8;
  } else {
    name = readToken(s, i);
    if (name === '') return sipFail('SIP_BAD_VIA', 'no protocol name');
    i = skipWs(s, i + name.length);
    if (s.charCodeAt(i) !== 0x2f) return sipFail('SIP_BAD_VIA', "expected '/'");
    i = skipWs(s, i + 1);
    version = readToken(s, i);
    if (version === '') return sipFail('SIP_BAD_VIA', 'no protocol version');
    i = skipWs(s, i + version.length);
    if (s.charCodeAt(i) !== 0x2f) return sipFail('SIP_BAD_VIA', "expected '/'");
    i = skipWs(s, i + 1);
  }
  const transport = upperTransport(readToken(s, i));
  if (transport === '') return sipFail('SIP_BAD_VIA', 'no transport');
  i += transport.length;
  if (!isWs(s.charCodeAt(i))) return sipFail('SIP_BAD_VIA', 'no space before sent-by');
  i = skipWs(s, i);
  const hostStart = i;
  let host: string;
  if (s.charCodeAt(i) === 0x5b /* [ */) {
    const close = s.indexOf(']', i);
    if (close === -1) return sipFail('SIP_BAD_VIA', 'unterminated IPv6 reference');
    i = close + 1;
    if (!validIpv6(s.slice(hostStart + 1, close))) return sipFail('SIP_BAD_VIA', 'bad IPv6 address');
    host = s.slice(hostStart, i);
  } else {
    // The run of HOST chars, found natively.
    HOST_RUN.lastIndex = i;
    HOST_RUN.test(s);
    i = HOST_RUN.lastIndex;
    host = s.slice(hostStart, i);
    if (!validScannedHost(host)) return sipFail('SIP_BAD_VIA', 'bad sent-by host');
  }
  let port: number | undefined;
  let j = skipWs(s, i);
  if (s.charCodeAt(j) === 0x3a /* : */) {
    j = skipWs(s, j + 1);
    let k = j;
    while (k < s.length && s.charCodeAt(k) >= 0x30 && s.charCodeAt(k) <= 0x39) k++;
    port = parsePort(s.slice(j, k));
    if (port === undefined) return sipFail('SIP_BAD_VIA', 'bad sent-by port');
    i = k;
  }
  // Split at once: every parameter is checked below.
  const list = parseHeaderParamList(s, i, 'Via');
  if (typeof list === 'string') return sipFail('SIP_BAD_VIA', list);
  // RFC 3261 §20.42 / §25.1: ttl 0-255, received an address, rport a port, branch a token;
  // RFC 5118 §4.5 allows an IPv6 received in brackets. One pass over the parameters.
  for (const { name: pn, value } of list) {
    switch (pn.length) {
      case 8:
        if (pn.toLowerCase() === 'received' && (value === undefined || !validReceived(value))) {
          return sipFail('SIP_BAD_VIA', 'bad received');
        }
        break;
      case 5:
        if (pn.toLowerCase() === 'rport' && value !== undefined && parsePort(value) === undefined) {
          return sipFail('SIP_BAD_VIA', 'bad rport');
        }
        break;
      case 3:
        if (pn.toLowerCase() === 'ttl' && (value === undefined || !/^\d{1,3}$/.test(value))) {
          return sipFail('SIP_BAD_VIA', 'bad ttl');
        }
        break;
      case 6:
        if (value === undefined && pn.toLowerCase() === 'branch')
          return sipFail('SIP_BAD_VIA', 'empty branch');
        break;
    }
  }
  return {
    ok: true,
    value: new Via(
      s.slice(start, i),
      { protocolName: name, protocolVersion: version, transport, host, port },
      new Params(list),
    ),
  };
}

/** Transport names upper-cased, without allocating for the usual ones. */
function upperTransport(t: string): string {
  switch (t) {
    case 'WSS':
    case 'WS':
    case 'UDP':
    case 'TCP':
    case 'TLS':
    case 'SCTP':
      return t;
    default:
      return t.toUpperCase();
  }
}

function readToken(s: string, i: number): string {
  let j = i;
  while (j < s.length && TOKEN[s.charCodeAt(j)] === 1) j++;
  return s.slice(i, j);
}

function validReceived(v: string): boolean {
  if (v.charCodeAt(0) === 0x5b) return v.endsWith(']') && validIpv6(v.slice(1, -1));
  if (v.indexOf(':') !== -1) return validIpv6(v);
  return validHost(v);
}

/** How a `received` value is written for an address: IPv6 in brackets (RFC 5118 §4.5). */
export function receivedValue(address: string): string {
  return address.indexOf(':') !== -1 && address.charCodeAt(0) !== 0x5b ? `[${address}]` : address;
}
