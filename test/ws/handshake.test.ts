import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Transport } from '../../src/transport/index.js';
import { testPki } from '../helpers/certs.js';
import { RawWsClient } from '../helpers/raw-ws-client.js';
import { staticServerTls } from '../helpers/static-tls.js';

describe('upgrade rejections (RFC 6455 §4.2, RFC 7118 §4)', () => {
  let t: Transport;
  let strict: Transport;
  before(async () => {
    t = await Transport.start({ listen: ['ws:127.0.0.1:0'] });
    strict = await Transport.start({
      listen: ['ws:127.0.0.1:0'],
      params: { ws_resources: '/ws, /sip', ws_origins: 'https://app.example.com', require_origin: 1 },
      http: (req) =>
        req.target === '/'
          ? { status: 200, body: 'hello', headers: { 'Content-Type': 'text/plain' } }
          : undefined,
    });
  });
  after(async () => {
    await t.stop();
    await strict.stop();
  });

  async function answer(
    port: number,
    raw: string,
  ): Promise<{ status: number; headers: Map<string, string>; closed: boolean }> {
    const c = await RawWsClient.connect({ port });
    c.write(raw);
    const a = await c.readHttp();
    const closed = await c.waitClosed(2500);
    c.destroy();
    return { status: a.status, headers: a.headers, closed };
  }
  const req = RawWsClient.request;

  const cases: [string, string, number][] = [
    ['wrong method', req({ method: 'POST' }), 405],
    ['HTTP/1.0', req({}).replace('HTTP/1.1', 'HTTP/1.0'), 505],
    ['no Host', req({ host: null }), 400],
    ['Connection without Upgrade', req({}).replace('Connection: Upgrade', 'Connection: keep-alive'), 400],
    ['key of 15 bytes', req({ key: Buffer.alloc(15).toString('base64') }), 400],
    ['key not base64', req({ key: '!!!!!!!!!!!!!!!!!!!!!!==' }), 400],
    ['no key', req({}).replace(/Sec-WebSocket-Key: .*\r\n/, ''), 400],
    ['version 8', req({ version: '8' }), 426],
    ['no sip subprotocol', req({ protocol: 'foo' }), 400],
    ['no subprotocol at all', req({ protocol: null }), 400],
    ['garbage request line', 'HELLO\r\n\r\n', 400],
    ['not an upgrade (plain GET)', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 426],
    ['body on the GET', req({ extra: ['Content-Length: 5'] }), 400],
    ['headers over 8 KiB', req({ extra: [`X-Pad: ${'a'.repeat(9000)}`] }), 431],
  ];
  for (const [name, raw, status] of cases) {
    test(`${name} → ${status} and close`, async () => {
      const a = await answer(t.listeners[0]!.port, raw);
      assert.equal(a.status, status);
      assert.ok(a.closed, 'connection closed after the answer');
      if (status === 426 && name.startsWith('version'))
        assert.equal(a.headers.get('sec-websocket-version'), '13');
    });
  }

  test('token lists: "keep-alive, Upgrade", "foo, sip", Upgrade case → 101', async () => {
    const raw = req({ protocol: 'foo, sip' })
      .replace('Connection: Upgrade', 'Connection: keep-alive, Upgrade')
      .replace('Upgrade: websocket', 'Upgrade: WebSocket');
    const c = await RawWsClient.connect({ port: t.listeners[0]!.port });
    c.write(raw);
    const a = await c.readHttp();
    assert.equal(a.status, 101);
    assert.equal(a.headers.get('sec-websocket-protocol'), 'sip');
    c.destroy();
  });

  test('any path is served by default (as OpenSIPS), no Origin needed', async () => {
    const c = await RawWsClient.connect({ port: t.listeners[0]!.port });
    assert.equal((await c.upgrade({ path: '/some/where?x=1' })).status, 101);
    c.destroy();
  });

  test('resource allow-list: 404 for others, query ignored', async () => {
    const port = strict.listeners[0]!.port;
    const o = ['Origin: https://app.example.com'];
    assert.equal((await answer(port, req({ path: '/nope', extra: o }))).status, 404);
    const c = await RawWsClient.connect({ port });
    assert.equal((await c.upgrade({ path: '/ws?token=1', extra: o })).status, 101);
    c.destroy();
  });

  test('Origin: 403 when absent with require_origin, 403 when not listed, 101 when listed', async () => {
    const port = strict.listeners[0]!.port;
    assert.equal((await answer(port, req({ path: '/ws' }))).status, 403);
    assert.equal(
      (await answer(port, req({ path: '/ws', extra: ['Origin: https://evil.example'] }))).status,
      403,
    );
    const c = await RawWsClient.connect({ port });
    assert.equal((await c.upgrade({ path: '/sip', extra: ['Origin: https://APP.example.com'] })).status, 101);
    c.destroy();
  });

  test('plain HTTP hook answers GET / with a page; default 426 elsewhere', async () => {
    const port = strict.listeners[0]!.port;
    const c = await RawWsClient.connect({ port });
    c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const a = await c.readHttp();
    assert.equal(a.status, 200);
    assert.ok(await c.waitClosed());
    assert.equal((await answer(port, 'GET /other HTTP/1.1\r\nHost: x\r\n\r\n')).status, 426);
  });

  test('rejections leave nothing in the table', async () => {
    await sleep(50);
    assert.equal(t.connections().length, 0);
    assert.equal(strict.connections().length, 0);
  });
});

describe('upgrade time and read limits', () => {
  test('a silent peer gets 408 after ws_upgrade_timeout; a silent TLS peer is dropped after wss_tls_accept_timeout', async () => {
    const t = await Transport.start({
      listen: ['ws:127.0.0.1:0', 'wss:127.0.0.1:0'],
      tls: await staticServerTls(),
      params: { ws_upgrade_timeout: 150, wss_tls_accept_timeout: 150 },
    });
    try {
      const c = await RawWsClient.connect({ port: t.listeners[0]!.port });
      const t0 = Date.now();
      const a = await c.readHttp(3000);
      assert.equal(a.status, 408);
      assert.ok(await c.waitClosed());
      const dt = Date.now() - t0;
      assert.ok(dt >= 140 && dt < 1500, `408 after ${dt} ms`);
      const { connect } = await import('node:net');
      const s = connect(t.listeners[1]!.port, '127.0.0.1');
      s.on('error', () => {});
      const t1 = Date.now();
      await new Promise((r) => s.on('close', r));
      const dt1 = Date.now() - t1;
      assert.ok(dt1 >= 140 && dt1 < 1500, `TLS dropped after ${dt1} ms`);
      await sleep(20);
      assert.equal(t.connections().length, 0);
    } finally {
      await t.stop();
    }
  });

  test('upgrade request in N reads passes, N+1 reads dropped without answer (ws and wss)', async () => {
    const ca = (await testPki()).ca.cert;
    const t = await Transport.start({
      listen: ['ws:127.0.0.1:0', 'wss:127.0.0.1:0'],
      tls: await staticServerTls(),
      params: { ws_max_msg_chunks: 3, wss_max_msg_chunks: 3 },
    });
    try {
      for (const [i, tls] of [
        [0, undefined],
        [1, { ca }],
      ] as const) {
        const port = t.listeners[i]!.port;
        const ok = await RawWsClient.connect({ port, ...(tls ? { tls } : {}) });
        await ok.writeInPieces(RawWsClient.request({}), 3, 40);
        assert.equal((await ok.readHttp()).status, 101);
        ok.destroy();
        const bad = await RawWsClient.connect({ port, ...(tls ? { tls } : {}) });
        await bad.writeInPieces(RawWsClient.request({}), 4, 40);
        const a = await bad.readHttp();
        assert.equal(a.status, 0, 'no answer');
        assert.ok(bad.closedFlag);
      }
    } finally {
      await t.stop();
    }
  });
});
