/**
 * Real TLS on loopback for the tls_mgm tests: a server built from `domains.serverOptions(local)`
 * that applies `checkPeer` and echoes data, and a client attempt that reports what it saw.
 * Every wait is bounded.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls, { type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { TlsDomains } from '../../src/tls/domains.js';
import type { LocalAddress } from '../../src/tls/provider.js';

export interface TestServer {
  readonly server: tls.Server;
  readonly local: LocalAddress;
  readonly port: number;
  /** Errors from refused handshakes (tlsClientError) and checkPeer refusals, in order. */
  readonly refusals: Error[];
  close(): Promise<void>;
}

export async function serve(domains: TlsDomains, host = '127.0.0.1', port = 0): Promise<TestServer> {
  // The listener address is known only once bound: bind a probe first when asked for port 0.
  let bound = port;
  if (bound === 0) {
    const probe = tls.createServer();
    probe.listen(0, host);
    await once(probe, 'listening');
    bound = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
  }
  const local = { address: host, port: bound };
  const refusals: Error[] = [];
  const sockets = new Set<TLSSocket>();
  const server = tls.createServer(domains.serverOptions(local));
  server.on('tlsClientError', (err) => refusals.push(err));
  server.on('secureConnection', (socket) => {
    socket.on('error', () => undefined);
    const refused = domains.checkPeer(socket, local);
    if (refused) {
      refusals.push(refused);
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (d) => socket.write(d));
  });
  const unsubscribe = domains.onReload(() => server.setSecureContext(domains.serverOptions(local)));
  server.listen(bound, host);
  await once(server, 'listening');
  return {
    server,
    local,
    port: bound,
    refusals,
    close: async () => {
      unsubscribe();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface Attempt {
  /** Handshake done and the server echoed our data. */
  readonly ok: boolean;
  readonly protocol: string | null;
  /** Subject CN of the certificate the server presented. */
  readonly serverCn: string | undefined;
  readonly error: string | undefined;
  /** The connected socket, left open when `keep` was asked and the attempt succeeded. */
  readonly socket: TLSSocket | undefined;
}

export async function attempt(
  port: number,
  opts: ConnectionOptions,
  { keep = false, host = '127.0.0.1', timeoutMs = 3000 } = {},
): Promise<Attempt> {
  const socket = tls.connect({ host, port, ...opts });
  let serverCn: string | undefined;
  let protocol: string | null = null;
  const result = await new Promise<{ ok: boolean; error?: string }>((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: 'timeout' }), timeoutMs);
    const done = (r: { ok: boolean; error?: string }) => {
      clearTimeout(timer);
      resolve(r);
    };
    socket.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, error: e.code ?? e.message }));
    socket.on('close', () => done({ ok: false, error: 'closed' }));
    socket.on('secureConnect', () => {
      protocol = socket.getProtocol();
      const cn = socket.getPeerCertificate().subject?.CN;
      serverCn = Array.isArray(cn) ? cn[0] : cn;
      // TLS 1.3 client certificates are checked after the client's Finished: an echo proves the
      // server really accepted us.
      socket.write('ping');
      socket.once('data', (d) =>
        done(String(d) === 'ping' ? { ok: true } : { ok: false, error: 'bad echo' }),
      );
    });
  });
  if (!keep || !result.ok) socket.destroy();
  return {
    ok: result.ok,
    protocol,
    serverCn,
    error: result.error,
    socket: keep && result.ok ? socket : undefined,
  };
}

/** Round trip on an open connection: resolves with the echoed text. */
export async function echo(socket: TLSSocket, text: string): Promise<string> {
  socket.write(text);
  let timer: NodeJS.Timeout | undefined;
  try {
    const [d] = (await Promise.race([
      once(socket, 'data'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('echo timeout')), 2000);
      }),
    ])) as [Buffer];
    return String(d);
  } finally {
    clearTimeout(timer);
  }
}
