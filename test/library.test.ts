/** The README's library example, run as written (with test certificates): it must stay true. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import WebSocket from 'ws';
import { TlsDomains, Transport } from '../src/index.js';
import { testPki } from './helpers/certs.js';

test('README example: a transport from the package entry point echoes a SIP message over WSS', async () => {
  const pki = await testPki();
  const { cert, key } = pki.server;
  const reply = (data: Buffer) =>
    Buffer.from(data.toString('latin1').replace(/^OPTIONS/, 'SIP/2.0 200 OK'), 'latin1');
  const tls = await TlsDomains.fromPem({ cert, key });
  const t = await Transport.start({ listen: ['wss:127.0.0.1:0'], tls, params: { wss_max_msg_chunks: 8 } });
  try {
    t.on('message', (m) => {
      void t.send(m.connectionId, reply(m.data));
    });
    const port = t.listeners[0]?.port;
    const ws = new WebSocket(`wss://127.0.0.1:${port}/`, 'sip', { ca: pki.ca.cert });
    await once(ws, 'open');
    ws.send('OPTIONS sip:x SIP/2.0\r\n\r\n');
    const [data] = await once(ws, 'message');
    assert.equal(String(data), 'SIP/2.0 200 OK sip:x SIP/2.0\r\n\r\n');
    ws.close();
  } finally {
    await t.stop();
  }
});
