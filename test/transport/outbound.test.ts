import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Transport } from '../../src/transport/index.js';
import { staticClientTls, staticServerTls } from '../helpers/static-tls.js';
import { next } from './util.js';

function listen(handler: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0 });
    }),
  );
}

describe('outbound connections', () => {
  let srv: Transport;
  let cli: Transport;
  before(async () => {
    srv = await Transport.start({
      listen: ['ws:127.0.0.1:0', 'wss:127.0.0.1:0', 'ws:[::1]:0'],
      tls: await staticServerTls(),
    });
    srv.on('message', (m) => {
      srv.send(m.connectionId, `echo ${m.data.toString()}`).catch(() => {});
    });
    cli = await Transport.start({
      clientTls: await staticClientTls(),
      params: { ws_handshake_timeout: 300, wss_handshake_timeout: 300, wss_tls_handshake_timeout: 1000 },
    });
  });
  after(async () => {
    await cli.stop();
    await srv.stop();
  });

  for (const [i, label] of [
    [0, 'ws'],
    [1, 'wss (SNI, verified)'],
    [2, 'ws over IPv6'],
  ] as const) {
    test(`${label}: queued sends go out in order on one reused connection`, async () => {
      const l = srv.listeners[i]!;
      const host = l.family === 'IPv6' ? `[${l.address}]` : l.proto === 'wss' ? 'localhost' : l.address;
      const url = `${l.proto}://${host}:${l.port}/sip`;
      const received: string[] = [];
      const onMsg = (m: { data: Buffer }) => received.push(m.data.toString());
      cli.on('message', onMsg);
      const opened = next(srv, 'connection');
      await Promise.all([1, 2, 3, 4, 5].map((n) => cli.sendTo({ url }, `m${n}`)));
      const [info] = await opened;
      assert.equal(info.resource, '/sip');
      await cli.sendTo({ url }, 'm6');
      for (let k = 0; k < 50 && received.length < 6; k++) await new Promise((r) => setTimeout(r, 10));
      cli.off('message', onMsg);
      assert.deepEqual(received, ['echo m1', 'echo m2', 'echo m3', 'echo m4', 'echo m5', 'echo m6']);
      const outs = cli.connections().filter((c) => c.remote.port === l.port);
      assert.equal(outs.length, 1, 'one connection reused');
      assert.equal(outs[0]?.direction, 'out');
      if (l.proto === 'wss') {
        assert.equal(outs[0]?.tls?.verified, true);
        assert.equal(outs[0]?.tls?.servername, 'localhost');
      }
    });
  }

  test('destination object with proto/host/port and default resource', async () => {
    const l = srv.listeners[0]!;
    const opened = next(srv, 'connection');
    await cli.sendTo({ proto: 'ws', host: '127.0.0.1', port: l.port }, 'x');
    const [info] = await opened;
    assert.equal(info.resource, '/');
  });

  test('a server that never answers the upgrade: every queued send fails within the handshake timeout', async () => {
    const held: Socket[] = [];
    const { server, port } = await listen((s) => held.push(s));
    try {
      const t0 = Date.now();
      const results = await Promise.allSettled(
        [1, 2, 3].map((n) => cli.sendTo({ url: `ws://127.0.0.1:${port}/` }, `m${n}`)),
      );
      const dt = Date.now() - t0;
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        assert.equal((r as PromiseRejectedResult).reason.code, 'WS_CLIENT_HANDSHAKE_TIMEOUT');
        assert.equal((r as PromiseRejectedResult).reason.outcome.sip, 408);
      }
      assert.ok(dt >= 290 && dt < 800, `failed after ${dt} ms`);
      assert.equal(cli.connections().filter((c) => c.remote.port === port).length, 0);
    } finally {
      for (const s of held) s.destroy();
      server.close();
    }
  });

  test('a 101 without Sec-WebSocket-Protocol: sip fails the sends at once', async () => {
    const { server, port } = await listen((s) => {
      s.once('data', (d: Buffer) => {
        const key = /Sec-WebSocket-Key: (.*)\r\n/i.exec(d.toString())?.[1] ?? '';
        const accept = createHash('sha1')
          .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
          .digest('base64');
        s.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
      });
      s.on('error', () => {});
    });
    try {
      const t0 = Date.now();
      await assert.rejects(
        cli.sendTo({ url: `ws://127.0.0.1:${port}/` }, 'x'),
        (e: { code: string; outcome: { sip?: number } }) => {
          assert.equal(e.code, 'WS_CLIENT_HANDSHAKE');
          assert.equal(e.outcome.sip, 503);
          return true;
        },
      );
      assert.ok(Date.now() - t0 < 250);
    } finally {
      server.close();
    }
  });

  test('connection refused → CONNECT_FAILED', async () => {
    const { server, port } = await listen(() => {});
    await new Promise((r) => server.close(r));
    await assert.rejects(cli.sendTo({ url: `ws://127.0.0.1:${port}/` }, 'x'), { code: 'CONNECT_FAILED' });
  });

  test('bad destinations are typed errors', async () => {
    await assert.rejects(cli.sendTo({ url: 'http://x/' }, 'x'), { code: 'DESTINATION_INVALID' });
    await assert.rejects(cli.sendTo({ url: 'not a url' }, 'x'), { code: 'DESTINATION_INVALID' });
  });

  test('TLS server with an untrusted certificate: TLS_HANDSHAKE_FAILED when verify is on', async () => {
    const { createServer: createTls } = await import('node:tls');
    const { testPki } = await import('../helpers/certs.js');
    const pki = await testPki();
    const self = await pki.issue({
      commonName: 'localhost',
      altNames: ['localhost', '127.0.0.1'],
      selfSigned: true,
      usage: 'server',
    });
    const ts = createTls({ key: self.key, cert: self.cert }, (s) => s.on('error', () => {}));
    await new Promise<void>((r) => ts.listen(0, '127.0.0.1', () => r()));
    const a = ts.address();
    const port = typeof a === 'object' && a ? a.port : 0;
    try {
      await assert.rejects(cli.sendTo({ url: `wss://localhost:${port}/` }, 'x'), {
        code: 'TLS_HANDSHAKE_FAILED',
      });
    } finally {
      ts.close();
    }
  });
});
