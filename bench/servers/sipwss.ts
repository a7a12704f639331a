/**
 * The server under test: the sipwss transport with one WSS listener, echoing every SIP message back
 * on the connection it came from. Loaded dynamically (see test/interop/transport-api.ts) so the
 * bench typechecks before src/transport/ has landed.
 */
import type { ServerTlsProvider } from '../../src/tls/provider.js';
import { loadTransport } from '../../test/interop/transport-api.js';
import type { StartBenchServer } from './types.js';

export const start: StartBenchServer = async ({ cert, key }) => {
  const Transport = await loadTransport();
  const tls: ServerTlsProvider = { serverOptions: () => ({ cert, key }) };
  // All load comes from 127.0.0.1: lift the connection caps (defaults 2048 total, 256 per IP).
  const t = await Transport.start({
    listen: ['wss:127.0.0.1:0'],
    tls,
    params: { tcp_max_connections: 50_000, tcp_max_connections_per_ip: 0 },
  });
  t.on('message', (m) => {
    t.send(m.connectionId, m.data).catch(() => undefined);
  });
  const wss = t.listeners.find((l) => l.proto === 'wss');
  if (!wss) {
    await t.stop();
    throw new Error(`sipwss transport reported no wss listener: ${JSON.stringify(t.listeners)}`);
  }
  return { port: wss.port, stop: () => t.stop() };
};
