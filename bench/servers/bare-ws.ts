/**
 * The ceiling: the `ws` package over Node's own TLS, no SIP work at all. Any Node implementation of
 * SIP over WSS pays at least this much per handshake, message and connection.
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { StartBenchServer } from './types.js';

export const start: StartBenchServer = async ({ cert, key }) => {
  const server = createServer({ cert, key });
  const wss = new WebSocketServer({
    server,
    perMessageDeflate: false,
    // RFC 7118 §4.1: answer with the `sip` subprotocol (clients fail without it)
    handleProtocols: (offered) => (offered.has('sip') ? 'sip' : false),
  });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async stop() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
