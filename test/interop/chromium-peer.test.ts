/**
 * The Chromium test peer itself works: headless Debian Chromium opens wss:// with subprotocol
 * `sip` to a plain `ws` server over HTTPS with a self-signed certificate, sends a SIP request and
 * receives the response. This proves test/helpers/chromium.ts before our transport meets a browser.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { makeCertificate } from '../../src/tls/certificates.js';
import { type Chromium, chromiumAlive, launchChromium } from '../helpers/chromium.js';
import { missingPeer } from '../helpers/peers.js';
import { pageWsExchange } from './page-ws.js';
import { header, sipRequest, sipResponse, startLine } from './sip-text.js';

const skip = missingPeer('chromium');

describe('Chromium test peer', { timeout: 60_000 }, () => {
  let server: Server | undefined;
  let wss: WebSocketServer | undefined;
  let port = 0;
  const upgrades: IncomingHttpHeaders[] = [];
  const frames: Array<{ text: string; isBinary: boolean }> = [];
  let browser: Chromium | undefined;

  before(async () => {
    if (skip) return;
    const cert = await makeCertificate({ commonName: '127.0.0.1', altNames: ['127.0.0.1', 'localhost'] });
    server = createServer({ cert: cert.cert, key: cert.key });
    wss = new WebSocketServer({
      server,
      perMessageDeflate: false,
      // RFC 7118 §4.1: the server answers with the `sip` subprotocol
      handleProtocols: (offered) => (offered.has('sip') ? 'sip' : false),
    });
    wss.on('connection', (ws, req) => {
      upgrades.push(req.headers);
      ws.on('message', (data, isBinary) => {
        const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
        frames.push({ text, isBinary });
        ws.send(sipResponse(text, 200, 'OK'));
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    for (const c of wss?.clients ?? []) c.terminate();
    wss?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  test('opens wss:// with subprotocol sip to a self-signed server, sends SIP, gets SIP back', {
    skip,
  }, async () => {
    assert.ok(browser);
    const page = await browser.page();
    try {
      const req = sipRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', callId: 'chromium-peer-1' });
      const result = await pageWsExchange(page, {
        url: `wss://127.0.0.1:${port}/`,
        protocols: ['sip'],
        send: [req],
        expect: 1,
        timeoutMs: 10_000,
      });
      assert.equal(result.error, undefined, `page: ${JSON.stringify(result)} ${browser.console.join('\n')}`);
      assert.equal(result.protocol, 'sip');
      const res = result.received[0] ?? '';
      assert.equal(startLine(res), 'SIP/2.0 200 OK');
      assert.equal(header(res, 'Call-ID'), 'chromium-peer-1');
      // what the server saw: exactly one `sip` offer, one text frame holding the request verbatim
      const up = upgrades.at(-1);
      assert.equal(up?.['sec-websocket-protocol'], 'sip');
      assert.equal(up?.['sec-websocket-version'], '13');
      assert.match(String(up?.['user-agent']), /HeadlessChrome/);
      assert.deepEqual(frames.at(-1), { text: req, isBinary: false });
    } finally {
      await page.close();
    }
  });

  test('close() leaves no Chromium process and removes the profile dir', { skip }, async () => {
    const b = await launchChromium();
    assert.equal(chromiumAlive(b.userDataDir), true);
    await b.close();
    assert.equal(chromiumAlive(b.userDataDir), false);
    assert.equal(existsSync(b.userDataDir), false);
    await b.close(); // idempotent
  });
});
