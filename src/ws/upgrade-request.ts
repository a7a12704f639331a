/**
 * The server side of the opening handshake, pure: find the end of the upgrade request in the bytes
 * read so far, parse it, and check it against RFC 6455 §4.2.1 and RFC 7118 §4 plus the listener's
 * policy (resource and Origin allow-lists). Bad input gives a WsError carrying the HTTP status.
 */
import { fail, ok, type Result } from '../errors.js';
import { isValidKey } from './accept-key.js';
import { WsError } from './errors.js';

/** Headers of an upgrade request are at most this long (request line included). */
export const MAX_UPGRADE_BYTES = 8192;

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Index just past the CRLFCRLF ending the header block, or -1. `from`: bytes already searched. */
export function findHeaderEnd(buf: Buffer, from = 0): number {
  const i = buf.indexOf(CRLFCRLF, Math.max(0, from - 3));
  return i === -1 ? -1 : i + 4;
}

export interface HttpRequest {
  readonly method: string;
  /** Request target as sent (origin-form: path and optional query). */
  readonly target: string;
  readonly versionMajor: number;
  readonly versionMinor: number;
  /** Lower-case names; repeated headers joined with ", " (RFC 9110 §5.3). */
  readonly headers: ReadonlyMap<string, string>;
}

const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/(\d)\.(\d)$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Parses a request head (request line, headers, terminating empty line), RFC 9112 §2-§5. */
export function parseHttpRequest(head: Buffer): Result<HttpRequest, WsError> {
  // latin1: one char per octet, never throws; non-ASCII only matters inside values.
  const text = head.toString('latin1');
  const lines = text.split('\r\n');
  const m = REQUEST_LINE.exec(lines[0] ?? '');
  if (!m) return fail(new WsError('WS_HTTP_MALFORMED', 'bad request line'));
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    if (line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09) {
      // RFC 9112 §5.2: obsolete line folding may be rejected with 400.
      return fail(new WsError('WS_HTTP_MALFORMED', 'obsolete line folding'));
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return fail(new WsError('WS_HTTP_MALFORMED', 'header line without a name'));
    const name = line.slice(0, colon);
    if (!HEADER_NAME.test(name)) return fail(new WsError('WS_HTTP_MALFORMED', 'bad header name'));
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = headers.get(key);
    headers.set(key, prev === undefined ? value : `${prev}, ${value}`);
  }
  return ok({
    method: m[1] as string,
    target: m[2] as string,
    versionMajor: Number(m[3]),
    versionMinor: Number(m[4]),
    headers,
  });
}

function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  for (const part of value.split(',')) {
    if (part.trim().toLowerCase() === token) return true;
  }
  return false;
}

export interface UpgradePolicy {
  /** Allowed request paths; undefined: any (as OpenSIPS). */
  readonly resourceSet: ReadonlySet<string> | undefined;
  /** Allowed Origin values (compared case-insensitively); undefined: any. */
  readonly originSet: ReadonlySet<string> | undefined;
  readonly requireOrigin: boolean;
}

export interface ValidUpgrade {
  readonly key: string;
  readonly path: string;
  readonly host: string;
  readonly origin: string | undefined;
  /** The offered token matched as "sip" (echoed verbatim). */
  readonly protocol: string;
}

/** True when the request asks for a WebSocket upgrade at all (else it is a plain HTTP request). */
export function isWebSocketUpgrade(req: HttpRequest): boolean {
  return hasToken(req.headers.get('upgrade'), 'websocket');
}

/** Checks an upgrade request; the first failure wins, in a fixed order. */
export function validateUpgrade(req: HttpRequest, policy: UpgradePolicy): Result<ValidUpgrade, WsError> {
  const h = req.headers;
  // RFC 6455 §4.2.1 item 1: an HTTP/1.1 or higher GET request.
  if (req.versionMajor !== 1 || req.versionMinor < 1) {
    return fail(new WsError('WS_HTTP_VERSION', `HTTP/${req.versionMajor}.${req.versionMinor}`));
  }
  if (!isWebSocketUpgrade(req)) return fail(new WsError('WS_NOT_UPGRADE'));
  if (req.method !== 'GET') return fail(new WsError('WS_BAD_METHOD', req.method));
  // RFC 6455 §4.2.1 item 2.
  const host = h.get('host');
  if (host === undefined || host === '') return fail(new WsError('WS_NO_HOST'));
  // RFC 6455 §4.2.1 item 4.
  if (!hasToken(h.get('connection'), 'upgrade')) return fail(new WsError('WS_BAD_CONNECTION'));
  const cl = h.get('content-length');
  if (h.has('transfer-encoding') || (cl !== undefined && cl !== '0'))
    return fail(new WsError('WS_HTTP_BODY'));
  // RFC 6455 §4.2.1 item 6, §4.4: anything but 13 gets 426 with the version we speak.
  const version = h.get('sec-websocket-version');
  if (version !== '13') return fail(new WsError('WS_BAD_VERSION', version ?? 'absent'));
  // RFC 6455 §4.2.1 item 5.
  const key = h.get('sec-websocket-key');
  if (key === undefined || !isValidKey(key)) return fail(new WsError('WS_BAD_KEY', key ?? 'absent'));
  // RFC 6455 §4.2.1 item 3: the resource; only origin-form targets.
  if (req.target.charCodeAt(0) !== 0x2f) return fail(new WsError('WS_HTTP_MALFORMED', 'request target'));
  const q = req.target.indexOf('?');
  const path = q === -1 ? req.target : req.target.slice(0, q);
  if (policy.resourceSet && !policy.resourceSet.has(path)) return fail(new WsError('WS_BAD_RESOURCE', path));
  // RFC 6455 §4.2.2 item 4 / §10.2: Origin is a browser header; check it when configured.
  const origin = h.get('origin');
  if (origin === undefined) {
    if (policy.requireOrigin) return fail(new WsError('WS_ORIGIN_REQUIRED'));
  } else if (policy.originSet && !matchesOrigin(policy.originSet, origin)) {
    return fail(new WsError('WS_BAD_ORIGIN', origin));
  }
  // RFC 7118 §4.1: the client offers "sip"; without it this is no SIP WebSocket.
  const protocol = findSip(h.get('sec-websocket-protocol'));
  if (protocol === undefined) return fail(new WsError('WS_NO_SIP_PROTOCOL'));
  return ok({ key, path, host, origin, protocol });
}

function matchesOrigin(set: ReadonlySet<string>, origin: string): boolean {
  if (set.has(origin)) return true;
  const lower = origin.toLowerCase();
  for (const o of set) if (o.toLowerCase() === lower) return true;
  return false;
}

function findSip(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  for (const part of value.split(',')) {
    const t = part.trim();
    // The constant when it is exactly "sip": `ws` keeps the token for the connection's lifetime.
    if (t === 'sip') return 'sip';
    if (t.toLowerCase() === 'sip') return t;
  }
  return undefined;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

/** A complete HTTP/1.1 response that closes the connection; `body` is short text. */
export function httpResponse(status: number, body: string, extra: Record<string, string> = {}): Buffer {
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`];
  for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${v}`);
  const b = Buffer.from(body, 'utf8');
  lines.push(
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${b.length}`,
    'Connection: close',
    '',
    '',
  );
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), b]);
}

/** The answer to a refused upgrade (RFC 6455 §4.2.2, §4.4). */
export function rejectionResponse(err: WsError): Buffer {
  const status = err.outcome.http ?? 400;
  const extra: Record<string, string> = {};
  if (err.code === 'WS_BAD_VERSION') extra['Sec-WebSocket-Version'] = '13';
  if (err.code === 'WS_NOT_UPGRADE') {
    extra['Upgrade'] = 'websocket';
  }
  if (err.code === 'WS_BAD_METHOD') extra['Allow'] = 'GET';
  return httpResponse(status, `${err.message}\n`, extra);
}
