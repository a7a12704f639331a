/**
 * Interop: the sipwss transport's outbound side against a real Kamailio (Debian 5.6), and its
 * outbound handshake timeout against a server that never answers.
 *
 * The transport is loaded dynamically (test/interop/transport-api.ts): on a branch without
 * src/transport/ these tests fail with a message saying so; they are not skipped for that.
 */
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { ClientTlsProvider, ServerTlsProvider } from '../../src/tls/provider.js';
import { type TestPki, testPki } from '../helpers/certs.js';
import { type Kamailio, startKamailio } from '../helpers/kamailio.js';
import { missingPeer } from '../helpers/peers.js';
import { body, header, sipRequest, sipResponse, startLine } from './sip-text.js';
import { type Inbox, loadTransport, messageInbox, type TransportInstance } from './transport-api.js';

const skip = missingPeer('kamailio');

function providers(pki: TestPki): { tls: ServerTlsProvider; clientTls: ClientTlsProvider } {
  return {
    tls: { serverOptions: () => ({ cert: pki.server.cert, key: pki.server.key }) },
    // trust the test CA only; Kamailio's certificate names 127.0.0.1 (checked by Node)
    clientTls: { clientOptions: () => ({ ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key }) },
  };
}

describe('sipwss transport → Kamailio (outbound WSS)', { timeout: 60_000 }, () => {
  let pki: TestPki;
  let kam: Kamailio | undefined;
  let t: TransportInstance | undefined;
  let inbox: Inbox;

  before(async () => {
    if (skip) return;
    pki = await testPki();
    kam = await startKamailio({
      certFile: pki.files.serverCert,
      keyFile: pki.files.serverKey,
      plainWs: true,
    });
    const Transport = await loadTransport();
    t = await Transport.start({ listen: ['wss:127.0.0.1:0', 'ws:127.0.0.1:0'], ...providers(pki) });
    inbox = messageInbox(t);
  });
  after(async () => {
    await t?.stop();
    await kam?.stop();
  });

  test('sendTo(wss://kamailio) carries OPTIONS and the 200 OK comes back on that connection', {
    skip,
  }, async () => {
    assert.ok(t && kam);
    const req = sipRequest({
      method: 'OPTIONS',
      uri: `sip:127.0.0.1:${kam.port};transport=ws`,
      callId: 'tk-opt-1',
    });
    await t.sendTo({ url: kam.url }, Buffer.from(req));
    const res = await inbox.next((text) => header(text, 'Call-ID') === 'tk-opt-1');
    const text = res.data.toString('utf8');
    assert.equal(startLine(text), 'SIP/2.0 200 OK', `Kamailio log:\n${kam.log().slice(-2000)}`);
    assert.equal(header(text, 'CSeq'), '1 OPTIONS');
    assert.equal(res.transport, 'WSS');
  });

  test('a second sendTo to the same URL reuses the connection', { skip }, async () => {
    assert.ok(t && kam);
    await t.sendTo(
      { url: kam.url },
      Buffer.from(sipRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', callId: 'tk-re-1' })),
    );
    const first = await inbox.next((text) => header(text, 'Call-ID') === 'tk-re-1');
    await t.sendTo(
      { url: kam.url },
      Buffer.from(sipRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', callId: 'tk-re-2' })),
    );
    const second = await inbox.next((text) => header(text, 'Call-ID') === 'tk-re-2');
    assert.equal(second.connectionId, first.connectionId);
  });

  test('MESSAGE echo: Kamailio answers 200 OK with the body sent', { skip }, async () => {
    assert.ok(t && kam);
    const req = sipRequest({
      method: 'MESSAGE',
      uri: 'sip:echo@127.0.0.1',
      callId: 'tk-msg-1',
      body: 'hello kamailio ✓',
    });
    await t.sendTo({ url: kam.url }, Buffer.from(req));
    const res = await inbox.next((text) => header(text, 'Call-ID') === 'tk-msg-1');
    const text = res.data.toString('utf8');
    assert.equal(startLine(text), 'SIP/2.0 200 OK');
    assert.equal(body(text), 'hello kamailio ✓');
  });

  test('a request from Kamailio arrives on our outbound connection and send() answers it', {
    skip,
  }, async () => {
    assert.ok(t && kam);
    // Kamailio relays MESSAGE sip:loop@ back to its sender over the same connection (RFC 5923-style reuse)
    const req = sipRequest({
      method: 'MESSAGE',
      uri: 'sip:loop@127.0.0.1',
      callId: 'tk-loop-1',
      body: 'round',
    });
    await t.sendTo({ url: kam.url }, Buffer.from(req));
    const looped = await inbox.next(
      (text) => startLine(text).startsWith('MESSAGE ') && header(text, 'Call-ID') === 'tk-loop-1',
    );
    assert.equal(looped.transport, 'WSS');
    await t.send(looped.connectionId, Buffer.from(sipResponse(looped.data.toString('utf8'), 200, 'OK')));
    const final = await inbox.next(
      (text) => startLine(text).startsWith('SIP/2.0 ') && header(text, 'Call-ID') === 'tk-loop-1',
    );
    assert.equal(startLine(final.data.toString('utf8')), 'SIP/2.0 200 OK');
    assert.equal(final.connectionId, looped.connectionId);
  });

  test('sendTo(ws://kamailio) works over plain WebSocket too', { skip }, async () => {
    assert.ok(t && kam?.wsUrl);
    const req = sipRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', transport: 'WS', callId: 'tk-ws-1' });
    await t.sendTo({ url: kam.wsUrl }, Buffer.from(req));
    const res = await inbox.next((text) => header(text, 'Call-ID') === 'tk-ws-1');
    assert.equal(startLine(res.data.toString('utf8')), 'SIP/2.0 200 OK');
    assert.equal(res.transport, 'WS');
  });
});

/**
 * (c) of issue 3. Needs no peer, so it is not skipped with Kamailio: OpenSIPS waits
 * `wss_handshake_timeout` ms (default 100) for the 101 (opensips-reference.md §3); sipwss must
 * reject the sendTo() promise by then instead of dropping the message silently as OpenSIPS does.
 */
describe('sipwss transport: outbound handshake timeout', { timeout: 30_000 }, () => {
  const TIMEOUT_MS = 100;
  // shared 2-core test machine: generous for scheduling, small against the timeout itself
  const MARGIN_MS = 400;
  let pki: TestPki;
  let t: TransportInstance | undefined;
  let tcp: TcpServer | undefined;
  let tls: TlsServer | undefined;
  const held: Socket[] = [];
  const closedAt: number[] = [];

  const hold = (s: Socket) => {
    held.push(s);
    s.on('error', () => undefined);
    s.on('close', () => closedAt.push(performance.now()));
    s.resume(); // read and discard, so that the peer's FIN/RST is noticed
  };
  const listen = (srv: TcpServer | TlsServer) =>
    new Promise<number>((resolve) => {
      srv.listen(0, '127.0.0.1', () => {
        const a = srv.address();
        resolve(typeof a === 'object' && a !== null ? a.port : 0);
      });
    });

  before(async () => {
    pki = await testPki();
    tcp = createTcpServer(hold); // accepts, never says a word (not even TLS)
    // completes TLS, then never answers the HTTP upgrade
    tls = createTlsServer({ cert: pki.server.cert, key: pki.server.key }, hold);
    const Transport = await loadTransport();
    t = await Transport.start({
      listen: ['wss:127.0.0.1:0'],
      ...providers(pki),
      params: { wss_handshake_timeout: TIMEOUT_MS },
    });
  });
  after(async () => {
    await t?.stop();
    for (const s of held) s.destroy();
    await Promise.all(
      [tcp, tls].map(
        (srv) => new Promise<void>((resolve) => (srv?.listening ? srv.close(() => resolve()) : resolve())),
      ),
    );
  });

  async function expectTimeout(url: string): Promise<void> {
    assert.ok(t);
    const req = Buffer.from(sipRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1' }));
    const started = performance.now();
    const closedBefore = closedAt.length;
    await assert.rejects(t.sendTo({ url }, req));
    const elapsed = performance.now() - started;
    assert.ok(
      elapsed >= TIMEOUT_MS * 0.8,
      `rejected after ${elapsed.toFixed(0)} ms: before the timeout, so not for it`,
    );
    assert.ok(
      elapsed <= TIMEOUT_MS + MARGIN_MS,
      `rejected after ${elapsed.toFixed(0)} ms, wss_handshake_timeout is ${TIMEOUT_MS} ms`,
    );
    // and the half-open connection is not kept: the server side sees it closed
    const deadline = performance.now() + MARGIN_MS;
    while (closedAt.length === closedBefore && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(closedAt.length > closedBefore, 'the transport left the timed-out connection open');
  }

  test('a TLS server that never answers the upgrade: sendTo rejects within wss_handshake_timeout', async () => {
    assert.ok(tls);
    const port = await listen(tls);
    await expectTimeout(`wss://127.0.0.1:${port}/`);
  });

  test('a TCP server that never answers at all: sendTo rejects within wss_handshake_timeout', async () => {
    assert.ok(tcp);
    const port = await listen(tcp);
    await expectTimeout(`wss://127.0.0.1:${port}/`);
  });
});
