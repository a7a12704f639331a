/**
 * sipwss as a proxy toward WebSocket servers (issue 4: "a request towards a ws:// / wss:// server
 * destination uses the transport's outbound connection; if its handshake fails the sender gets 503
 * at once, not a timeout"): a client's MESSAGE for a URI with transport=wss reaches Kamailio over
 * an outbound WSS connection and Kamailio's answer comes back; a server that never answers the
 * upgrade gets the sender a 503 within wss_handshake_timeout.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { SipServer } from '../../src/server/server.js';
import { TlsDomains } from '../../src/tls/domains.js';
import { testPki } from '../helpers/certs.js';
import { startKamailio } from '../helpers/kamailio.js';
import { missingPeer } from '../helpers/peers.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function sipwss(): Promise<{ server: SipServer; client: WebSocket; inbox: string[] }> {
  const pki = await testPki();
  const tls = await TlsDomains.fromPem({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert });
  const server = await SipServer.start({
    listen: ['wss:127.0.0.1:0'],
    tls,
    clientTls: tls,
    node: 'outbound',
    transportParams: { wss_handshake_timeout: 100 },
  });
  cleanups.push(() => server.stop());
  const client = new WebSocket(server.urls[0] as string, 'sip', { ca: pki.ca.cert });
  cleanups.push(() => client.terminate());
  await once(client, 'open');
  const inbox: string[] = [];
  client.on('message', (d) => inbox.push(String(d)));
  return { server, client, inbox };
}

function message(ruri: string, callId: string, body: string): string {
  return (
    `MESSAGE ${ruri} SIP/2.0\r\nVia: SIP/2.0/WSS c.invalid;branch=z9hG4bK${callId}\r\nMax-Forwards: 70\r\n` +
    `To: <${ruri.replace(/;.*$/, '')}>\r\nFrom: <sip:alice@127.0.0.1>;tag=a\r\nCall-ID: ${callId}\r\nCSeq: 1 MESSAGE\r\n` +
    `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

async function reply(inbox: string[], ms: number): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const i = inbox.findIndex((m) => m.startsWith('SIP/2.0 ') && !m.startsWith('SIP/2.0 100 '));
    if (i >= 0) return inbox.splice(i, 1)[0] as string;
    if (Date.now() > end) throw new Error(`no final response within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a MESSAGE for sip:…;transport=wss goes to Kamailio over an outbound WSS connection; its 200 comes back', {
  skip: missingPeer('kamailio'),
}, async () => {
  const pki = await testPki();
  const kam = await startKamailio({ certFile: pki.files.serverCert, keyFile: pki.files.serverKey });
  cleanups.push(() => kam.stop());
  const { server, client, inbox } = await sipwss();
  client.send(message(`sip:echo@127.0.0.1:${kam.port};transport=wss`, 'out1', 'ping kamailio'));
  const ok = await reply(inbox, 5000);
  assert.match(ok, /^SIP\/2\.0 200 /);
  assert.match(ok, /\r\nCall-ID: out1\r\n/);
  assert.ok(ok.endsWith('\r\n\r\nping kamailio'), 'Kamailio echoed the body');
  assert.equal(ok.match(/^Via: /gm)?.length, 1, 'our Via was removed on the way back');
  const out = server.transport.connections().filter((c) => c.direction === 'out');
  assert.equal(out.length, 1);
  assert.equal(out[0]?.remote.port, kam.port);
  assert.equal(out[0]?.tls?.verified, true, 'the server certificate was verified against the CA');
});

test('a WebSocket server that never answers the upgrade: the sender gets 503 within the handshake timeout', async () => {
  const held: Socket[] = [];
  const silent = createServer((s) => held.push(s));
  silent.listen(0, '127.0.0.2');
  await once(silent, 'listening');
  cleanups.push(() => {
    for (const s of held) s.destroy();
    silent.close();
  });
  const port = (silent.address() as { port: number }).port;
  const { inbox, client } = await sipwss();
  const t0 = Date.now();
  client.send(message(`sip:svc@127.0.0.2:${port};transport=ws`, 'out2', 'anyone?'));
  const r = await reply(inbox, 3000);
  const took = Date.now() - t0;
  assert.match(r, /^SIP\/2\.0 503 /);
  assert.ok(took < 1000, `503 after ${took} ms (wss_handshake_timeout 100 ms)`);
});
