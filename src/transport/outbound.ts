/**
 * Client side: sipwss opening a WebSocket connection to a ws:// or wss:// destination. TCP connect,
 * TLS (with SNI, verification per the ClientTlsProvider), then the RFC 6455 §4.1 client handshake
 * done by `ws` (subprotocol "sip" required back, Accept checked, extensions refused), each bounded in
 * time. Sends queued behind it go out in order, or all fail at once with the handshake's error.
 */
import { lookup } from 'node:dns/promises';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';
import type { ClientTlsProvider } from '../tls/provider.js';
import { WsError } from '../ws/errors.js';
import { CLOSE_GRACE_MS } from './connection.js';
import { TransportError } from './errors.js';
import type { ProtoPolicy, TransportParams } from './options.js';
import type { Destination, WsProto } from './types.js';

export interface OutDest {
  readonly proto: WsProto;
  /** Host without brackets. */
  readonly host: string;
  readonly port: number;
  readonly resource: string;
  readonly sipDomain: string | undefined;
  /** Reuse key: proto, host, port, resource. */
  readonly key: string;
}

export function normalizeDestination(dest: Destination, params: Readonly<TransportParams>): OutDest {
  let proto: WsProto;
  let host: string;
  let port: number | undefined;
  let resource: string | undefined;
  let sipDomain: string | undefined;
  if ('url' in dest) {
    let u: URL;
    try {
      u = new URL(dest.url);
    } catch {
      throw new TransportError('DESTINATION_INVALID', dest.url);
    }
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
      throw new TransportError('DESTINATION_INVALID', `${dest.url}: scheme must be ws: or wss:`);
    }
    if (u.hash || u.username || u.password) {
      throw new TransportError('DESTINATION_INVALID', `${dest.url}: no fragment or user info`);
    }
    proto = u.protocol === 'wss:' ? 'wss' : 'ws';
    host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    port = u.port ? Number(u.port) : undefined;
    resource = (u.pathname || '/') + u.search;
  } else {
    if (dest.proto !== 'ws' && dest.proto !== 'wss') {
      throw new TransportError('DESTINATION_INVALID', `proto must be ws or wss`);
    }
    proto = dest.proto;
    host = dest.host.startsWith('[') ? dest.host.slice(1, -1) : dest.host;
    port = dest.port;
    resource = dest.resource;
    sipDomain = dest.sipDomain;
  }
  if (!host) throw new TransportError('DESTINATION_INVALID', 'empty host');
  port ??= proto === 'wss' ? params.wss_port : params.ws_port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TransportError('DESTINATION_INVALID', `port ${port}`);
  }
  resource ??= proto === 'wss' ? params.wss_resource : params.ws_resource;
  if (!resource.startsWith('/')) throw new TransportError('DESTINATION_INVALID', `resource ${resource}`);
  const key = `${proto}|${host.toLowerCase()}|${port}|${resource}`;
  return { proto, host, port, resource, sipDomain, key };
}

/** Resolves a destination host to one address. */
export async function resolveHost(host: string): Promise<{ address: string; family: 4 | 6 }> {
  const fam = isIP(host);
  if (fam) return { address: host, family: fam as 4 | 6 };
  try {
    const r = await lookup(host);
    return { address: r.address, family: r.family as 4 | 6 };
  } catch (e) {
    throw new TransportError('CONNECT_FAILED', `cannot resolve ${host}`, { cause: e });
  }
}

/** Races a promise-producing setup against a deadline; `onTimeout` cleans up. */
function withTimeout<T>(
  ms: number,
  start: (resolve: (v: T) => void, reject: (e: Error) => void) => void,
  timeoutError: () => Error,
  onTimeout: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      onTimeout();
      reject(timeoutError());
    }, ms);
    start(
      (v) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export function tcpConnect(address: string, port: number, timeoutMs: number): Promise<Socket> {
  const sock = netConnect({ host: address, port, noDelay: true });
  sock.on('error', noop);
  return withTimeout<Socket>(
    timeoutMs,
    (resolve, reject) => {
      sock.once('connect', () => resolve(sock));
      sock.once('error', (e) =>
        reject(new TransportError('CONNECT_FAILED', `${address}:${port}`, { cause: e })),
      );
    },
    () => new TransportError('CONNECT_TIMEOUT', `${address}:${port} after ${timeoutMs} ms`),
    () => sock.destroy(),
  ).catch((e) => {
    sock.destroy();
    throw e;
  });
}

export function tlsHandshake(
  raw: Socket,
  dest: OutDest,
  address: string,
  provider: ClientTlsProvider,
  timeoutMs: number,
): Promise<TLSSocket> {
  const hostname = isIP(dest.host) ? undefined : dest.host;
  const opts = provider.clientOptions({
    address,
    port: dest.port,
    ...(hostname ? { hostname } : {}),
    ...(dest.sipDomain ? { sipDomain: dest.sipDomain } : {}),
  });
  // SNI (RFC 6066 §3) when connecting by name, unlike OpenSIPS; never for IP literals.
  const servername = opts.servername ?? hostname;
  const sock = tlsConnect({ ...opts, socket: raw, ...(servername ? { servername } : {}) });
  sock.on('error', noop);
  return withTimeout<TLSSocket>(
    timeoutMs,
    (resolve, reject) => {
      sock.once('secureConnect', () => resolve(sock));
      sock.once('error', (e) => reject(new TransportError('TLS_HANDSHAKE_FAILED', e.message, { cause: e })));
      sock.once('close', () => reject(new TransportError('TLS_HANDSHAKE_FAILED', 'connection closed')));
    },
    () => new TransportError('TLS_HANDSHAKE_TIMEOUT', `after ${timeoutMs} ms`),
    () => sock.destroy(),
  ).catch((e) => {
    sock.destroy();
    raw.destroy();
    throw e;
  });
}

/** A WebSocket just opened, and the messages that came with the server's 101. */
export interface OpenedWebSocket {
  readonly ws: WebSocket;
  /**
   * Messages `ws` read from the bytes that followed the 101 in the same read (a server with
   * requests queued for us), before the connection could listen: the caller hands them over first.
   */
  readonly early: Array<{ readonly data: Buffer; readonly binary: boolean }>;
  /** Stops collecting into `early` (once the connection listens itself). */
  readonly stopCollecting: () => void;
}

/** RFC 6455 §4.1 client handshake over an established stream, by `ws`, bounded by `timeoutMs`. */
export function clientHandshake(
  stream: Socket | TLSSocket,
  dest: OutDest,
  policy: Readonly<ProtoPolicy>,
  timeoutMs: number,
): Promise<OpenedWebSocket> {
  // IPv6 literals bracketed in the URL, hence in Host (RFC 6455 §4.1 item 4, RFC 3986 §3.2.2).
  const h = isIP(dest.host) === 6 ? `[${dest.host}]` : dest.host;
  const url = `${dest.proto}://${h}:${dest.port}${dest.resource}`;
  let ws: WebSocket;
  try {
    ws = new WebSocket(url, ['sip'], {
      createConnection: () => stream,
      perMessageDeflate: false,
      maxPayload: policy.max_msg_size,
      followRedirects: false,
      autoPong: true,
      allowSynchronousEvents: true,
      maxFragments: policy.max_fragments,
      closeTimeout: CLOSE_GRACE_MS,
    } as WebSocket.ClientOptions);
  } catch (e) {
    stream.destroy();
    return Promise.reject(new WsError('WS_CLIENT_HANDSHAKE', (e as Error).message, { cause: e }));
  }
  // `ws` parses what came after the 101 on the next tick, before the promise below settles.
  const early: Array<{ data: Buffer; binary: boolean }> = [];
  const collect = (data: Buffer, binary: boolean) => early.push({ data, binary });
  ws.on('message', collect);
  const stopCollecting = () => ws.removeListener('message', collect);
  return withTimeout<OpenedWebSocket>(
    timeoutMs,
    (resolve, reject) => {
      ws.once('open', () => {
        ws.removeListener('error', noop);
        // RFC 7118 §4.1: ws already refused a 101 without our subprotocol; double-check.
        if (ws.protocol !== 'sip') {
          reject(new WsError('WS_CLIENT_HANDSHAKE', `server chose subprotocol "${ws.protocol}"`));
          return;
        }
        resolve({ ws, early, stopCollecting });
      });
      ws.once('error', (e) => reject(new WsError('WS_CLIENT_HANDSHAKE', e.message, { cause: e })));
      ws.once('unexpected-response', (_req, res) => {
        reject(new WsError('WS_CLIENT_HANDSHAKE', `server answered ${res.statusCode}`));
      });
      ws.once('close', () => reject(new WsError('WS_CLIENT_HANDSHAKE', 'connection closed')));
      ws.on('error', noop);
    },
    () => new WsError('WS_CLIENT_HANDSHAKE_TIMEOUT', `after ${timeoutMs} ms`),
    () => ws.terminate(),
  ).catch((e) => {
    ws.terminate();
    stream.destroy();
    throw e;
  });
}

function noop(): void {}
