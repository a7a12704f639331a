/**
 * Interop: headless Debian Chromium, as a WebRTC page would, opens wss:// with subprotocol `sip`
 * to a sipwss transport listener that has a self-signed certificate, sends SIP and receives SIP.
 *
 * The transport is loaded dynamically (test/interop/transport-api.ts): on a branch without
 * src/transport/ these tests fail with a message saying so; they are not skipped for that.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { makeCertificate, type PemKeyPair } from '../../src/tls/certificates.js';
import { type Chromium, launchChromium } from '../helpers/chromium.js';
import { missingPeer } from '../helpers/peers.js';
import { pageWsExchange } from './page-ws.js';
import { header, sipRequest, sipResponse, startLine } from './sip-text.js';
import { loadTransport, type TransportInstance, type TransportMessage } from './transport-api.js';

const skip = missingPeer('chromium');

describe('Chromium → sipwss transport (inbound WSS)', { timeout: 60_000 }, () => {
  let cert: PemKeyPair;
  let t: TransportInstance | undefined;
  let page: HttpsServer | undefined;
  let pageUrl = '';
  let wssUrl = '';
  let browser: Chromium | undefined;
  const received: TransportMessage[] = [];

  before(async () => {
    if (skip) return;
    // self-signed, as `npm start` makes for itself; Chromium runs with --ignore-certificate-errors
    cert = await makeCertificate({ commonName: '127.0.0.1', altNames: ['127.0.0.1', 'localhost'] });
    const Transport = await loadTransport();
    t = await Transport.start({
      listen: ['wss:127.0.0.1:0'],
      tls: { serverOptions: () => ({ cert: cert.cert, key: cert.key }) },
    });
    const listener = t.listeners.find((l) => l.proto === 'wss');
    assert.ok(listener, `no wss listener in ${JSON.stringify(t.listeners)}`);
    wssUrl = `wss://127.0.0.1:${listener.port}/`;
    const transport = t;
    // an echo UAS: 200 OK to every request; then, for OPTIONS, a MESSAGE of its own on that connection
    transport.on('message', (m) => {
      received.push(m);
      const text = m.data.toString('utf8');
      if (startLine(text).startsWith('SIP/2.0 ')) return;
      void (async () => {
        await transport.send(m.connectionId, Buffer.from(sipResponse(text, 200, 'OK')));
        if (startLine(text).startsWith('OPTIONS ')) {
          const callId = `${header(text, 'Call-ID')}-server`;
          await transport.send(
            m.connectionId,
            Buffer.from(
              sipRequest({ method: 'MESSAGE', uri: 'sip:browser@127.0.0.1', callId, body: 'from sipwss' }),
            ),
          );
        }
      })().catch(() => undefined);
    });
    // a real https page, so the upgrade carries a real Origin as in production
    page = createHttpsServer({ cert: cert.cert, key: cert.key }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>sipwss interop</title>');
    });
    await new Promise<void>((resolve) => page?.listen(0, '127.0.0.1', resolve));
    pageUrl = `https://127.0.0.1:${(page.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await t?.stop();
    page?.closeAllConnections();
    await new Promise<void>((resolve) => (page?.listening ? page.close(() => resolve()) : resolve()));
  });

  test('wss:// with subprotocol sip: the browser sends OPTIONS and receives 200 OK and a MESSAGE', {
    skip,
  }, async () => {
    assert.ok(browser);
    const tab = await browser.page(pageUrl);
    try {
      const req = sipRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', callId: 'tc-opt-1' });
      const result = await pageWsExchange(tab, {
        url: wssUrl,
        protocols: ['sip'],
        send: [req],
        expect: 2,
        timeoutMs: 10_000,
      });
      assert.equal(result.error, undefined, `page: ${JSON.stringify(result)}\n${browser.console.join('\n')}`);
      // RFC 7118 §4.1: the server answers with the `sip` subprotocol (Chromium fails the handshake otherwise)
      assert.equal(result.protocol, 'sip');
      const [res, msg] = result.received;
      assert.equal(startLine(res ?? ''), 'SIP/2.0 200 OK');
      assert.equal(header(res ?? '', 'Call-ID'), 'tc-opt-1');
      assert.equal(startLine(msg ?? ''), 'MESSAGE sip:browser@127.0.0.1 SIP/2.0');
      // what the transport handed up: the request verbatim, over WSS
      const got = received.find((m) => header(m.data.toString('utf8'), 'Call-ID') === 'tc-opt-1');
      assert.ok(got);
      assert.equal(got.data.toString('utf8'), req);
      assert.equal(got.transport, 'WSS');
    } finally {
      await tab.close();
    }
  });

  test('SIP reaches the browser in text frames (valid UTF-8 SIP is sent as text)', { skip }, async () => {
    assert.ok(browser);
    const tab = await browser.page(pageUrl);
    try {
      const result = await pageWsExchange(tab, {
        url: wssUrl,
        protocols: ['sip'],
        send: [
          sipRequest({ method: 'MESSAGE', uri: 'sip:echo@127.0.0.1', callId: 'tc-msg-1', body: 'ünïcødé ✓' }),
        ],
        expect: 1,
        timeoutMs: 10_000,
      });
      assert.equal(result.error, undefined, JSON.stringify(result));
      const res = result.received[0] ?? '';
      // shared/notes/field-lessons.md #4: text frames by default (browsers, Wireshark); page-ws marks binary
      assert.ok(!res.startsWith('binary:'), 'the response came in a binary frame');
      assert.equal(startLine(res), 'SIP/2.0 200 OK');
    } finally {
      await tab.close();
    }
  });

  test('three pages in turn: each gets its own connection and its answer', { skip }, async () => {
    assert.ok(browser);
    for (let i = 0; i < 3; i++) {
      const tab = await browser.page(pageUrl);
      try {
        const callId = `tc-re-${i}`;
        const result = await pageWsExchange(tab, {
          url: wssUrl,
          protocols: ['sip'],
          send: [sipRequest({ method: 'MESSAGE', uri: 'sip:echo@127.0.0.1', callId, body: String(i) })],
          expect: 1,
          timeoutMs: 10_000,
        });
        assert.equal(result.error, undefined, JSON.stringify(result));
        assert.equal(header(result.received[0] ?? '', 'Call-ID'), callId);
      } finally {
        await tab.close();
      }
    }
    const ids = new Set(
      received
        .filter((m) => /^tc-re-/.test(header(m.data.toString('utf8'), 'Call-ID') ?? ''))
        .map((m) => m.connectionId),
    );
    assert.equal(ids.size, 3, 'each page opened its own connection');
  });
});
