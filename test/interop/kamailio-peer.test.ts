/**
 * The Kamailio test peer itself works: a `ws` client talks SIP over WSS (RFC 7118) to it.
 * This proves test/helpers/kamailio.ts before our own transport is tested against it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { type TestPki, testPki } from '../helpers/certs.js';
import { groupAlive, type Kamailio, startKamailio } from '../helpers/kamailio.js';
import { missingPeer } from '../helpers/peers.js';
import { body, header, sipRequest, sipResponse, startLine } from './sip-text.js';
import { connectSip } from './ws-client.js';

const skip = missingPeer('kamailio');

describe('Kamailio test peer', { timeout: 60_000 }, () => {
  let pki: TestPki;
  let kam: Kamailio | undefined;

  before(async () => {
    if (skip) return;
    pki = await testPki();
    kam = await startKamailio({
      certFile: pki.files.serverCert,
      keyFile: pki.files.serverKey,
      plainWs: true,
    });
  });
  after(async () => {
    await kam?.stop();
  });

  test('answers OPTIONS over WSS with 200 OK on the same connection', { skip }, async () => {
    assert.ok(kam);
    const c = await connectSip(kam.url, { ca: pki.ca.cert });
    try {
      // RFC 7118 §4.1: the server must answer with the `sip` subprotocol
      assert.equal(c.ws.protocol, 'sip');
      const req = sipRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', callId: 'kam-options-1' });
      c.send(req);
      const res = await c.next((m) => header(m, 'Call-ID') === 'kam-options-1');
      assert.equal(startLine(res), 'SIP/2.0 200 OK');
      assert.equal(header(res, 'CSeq'), '1 OPTIONS');
      // RFC 3261 §18.2.1 / RFC 3581: the unresolvable .invalid sent-by gets received/rport
      assert.match(header(res, 'Via') ?? '', /\.invalid;.*received=127\.0\.0\.1/);
    } finally {
      await c.close();
    }
  });

  test('echoes a MESSAGE body in its 200 OK', { skip }, async () => {
    assert.ok(kam);
    const c = await connectSip(kam.url, { ca: pki.ca.cert });
    try {
      c.send(
        sipRequest({ method: 'MESSAGE', uri: 'sip:echo@127.0.0.1', callId: 'kam-msg-1', body: 'héllo' }),
      );
      const res = await c.next((m) => header(m, 'Call-ID') === 'kam-msg-1');
      assert.equal(startLine(res), 'SIP/2.0 200 OK');
      assert.equal(body(res), 'héllo');
    } finally {
      await c.close();
    }
  });

  test('relays a MESSAGE to sip:loop@ back over the same connection', { skip }, async () => {
    assert.ok(kam);
    const c = await connectSip(kam.url, { ca: pki.ca.cert });
    try {
      c.send(
        sipRequest({ method: 'MESSAGE', uri: 'sip:loop@127.0.0.1', callId: 'kam-loop-1', body: 'ping' }),
      );
      const looped = await c.next((m) => startLine(m).startsWith('MESSAGE '));
      assert.equal(header(looped, 'Call-ID'), 'kam-loop-1');
      assert.match(header(looped, 'Via') ?? '', new RegExp(`^SIP/2\\.0/WSS 127\\.0\\.0\\.1:${kam.port};`));
      c.send(sipResponse(looped, 200, 'OK'));
      const final = await c.next((m) => startLine(m).startsWith('SIP/2.0 '));
      assert.equal(startLine(final), 'SIP/2.0 200 OK');
      assert.equal(header(final, 'Call-ID'), 'kam-loop-1');
    } finally {
      await c.close();
    }
  });

  test('plain ws:// listener answers OPTIONS too', { skip }, async () => {
    assert.ok(kam?.wsUrl);
    const c = await connectSip(kam.wsUrl);
    try {
      c.send(sipRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', transport: 'WS', callId: 'kam-ws-1' }));
      const res = await c.next((m) => header(m, 'Call-ID') === 'kam-ws-1');
      assert.equal(startLine(res), 'SIP/2.0 200 OK');
    } finally {
      await c.close();
    }
  });

  test('a non-WebSocket HTTP request gets 404, and the subprotocol is required', { skip }, async () => {
    assert.ok(kam);
    const res = await fetch(`http://127.0.0.1:${kam.wsPort}/nothing`);
    assert.equal(res.status, 404);
    await res.body?.cancel();
    // RFC 7118 §4.1: a handshake without the `sip` subprotocol is refused
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(kam?.wsUrl ?? '');
      ws.once('unexpected-response', (_req, r) => {
        resolve(r.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('open', () => {
        ws.terminate();
        reject(new Error('upgrade without subprotocol was accepted'));
      });
      ws.once('error', () => undefined);
    });
    assert.equal(status, 400);
  });

  test('stop() ends every Kamailio process and removes its directory', { skip }, async () => {
    const k = await startKamailio({ certFile: pki.files.serverCert, keyFile: pki.files.serverKey });
    const pid = k.pid;
    assert.ok(pid > 0);
    assert.equal(k.running(), true);
    const t0 = performance.now();
    await k.stop();
    // SIGTERM is enough: the 3 s SIGKILL fallback was not needed
    assert.ok(performance.now() - t0 < 2500, `stop took ${(performance.now() - t0).toFixed(0)} ms`);
    assert.equal(k.running(), false);
    assert.equal(groupAlive(pid), false);
    assert.equal(existsSync(k.dir), false);
    await k.stop(); // idempotent
  });
});
