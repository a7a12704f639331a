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
      assert.ok(dt >= 290 && dt < 1300, `failed after ${dt} ms`);
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
      assert.ok(Date.now() - t0 < 1000);
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

describe('outbound details', () => {
  test('IPv6 literal bracketed in Host, resource and subprotocol in the GET', async () => {
    const { createServer: mk } = await import('node:net');
    let head = '';
    const server = mk((s) => {
      s.on('error', () => {});
      s.once('data', (d: Buffer) => {
        head = d.toString('latin1');
        s.destroy();
      });
    });
    await new Promise<void>((r) => server.listen(0, '::1', () => r()));
    const a = server.address();
    const port = typeof a === 'object' && a ? a.port : 0;
    const t = await Transport.start({ params: { ws_resource: '/sipws' } });
    try {
      await assert.rejects(t.sendTo({ proto: 'ws', host: '::1', port }, 'x'), {
        code: 'WS_CLIENT_HANDSHAKE',
      });
      assert.match(head, /^GET \/sipws HTTP\/1\.1\r\n/);
      assert.match(head, new RegExp(`\\r\\nHost: \\[::1\\]:${port}\\r\\n`, 'i'));
      assert.match(head, /\r\nSec-WebSocket-Protocol: sip\r\n/i);
      assert.match(head, /\r\nSec-WebSocket-Version: 13\r\n/i);
      assert.doesNotMatch(head, /Sec-WebSocket-Extensions/i);
    } finally {
      await t.stop();
      server.close();
    }
  });

  test('a wss server that never answers the ClientHello: TLS_HANDSHAKE_TIMEOUT after wss_tls_handshake_timeout', async () => {
    const held: Socket[] = [];
    const { server, port } = await listen((s) => held.push(s));
    const t = await Transport.start({
      clientTls: await staticClientTls(),
      params: { wss_tls_handshake_timeout: 150 },
    });
    try {
      const t0 = Date.now();
      const r = await Promise.allSettled([
        t.sendTo({ url: `wss://127.0.0.1:${port}/` }, 'a'),
        t.sendTo({ url: `wss://127.0.0.1:${port}/` }, 'b'),
      ]);
      const dt = Date.now() - t0;
      for (const x of r) {
        assert.equal(x.status, 'rejected');
        assert.equal((x as PromiseRejectedResult).reason.code, 'TLS_HANDSHAKE_TIMEOUT');
      }
      assert.ok(dt >= 140 && dt < 1200, `${dt} ms`);
      assert.equal(t.connections().length, 0);
    } finally {
      await t.stop();
      for (const s of held) s.destroy();
      server.close();
    }
  });

  test('a closed outbound connection is replaced by a new one on the next send', async () => {
    const srv = await Transport.start({ listen: ['ws:127.0.0.1:0'] });
    const cli = await Transport.start({});
    try {
      const url = `ws://127.0.0.1:${srv.listeners[0]!.port}/`;
      const first = next(srv, 'message');
      await cli.sendTo({ url }, 'one');
      const [m1] = await first;
      const gone = next(cli, 'close');
      srv.close(m1.connectionId, 1001);
      const [, reason] = await gone;
      assert.equal(reason.kind, 'peer-close');
      assert.equal(reason.code, 1001);
      const second = next(srv, 'message');
      await cli.sendTo({ url }, 'two');
      const [m2] = await second;
      assert.notEqual(m2.connectionId, m1.connectionId);
      assert.equal(m2.data.toString(), 'two');
    } finally {
      await cli.stop();
      await srv.stop();
    }
  });

  test('stop() fails sends queued behind a pending handshake with STOPPED', async () => {
    const held: Socket[] = [];
    const { server, port } = await listen((s) => held.push(s));
    const t = await Transport.start({ params: { ws_handshake_timeout: 5000 } });
    try {
      const p = t.sendTo({ url: `ws://127.0.0.1:${port}/` }, 'x');
      await new Promise((r) => setTimeout(r, 50));
      await t.stop();
      await assert.rejects(p, { code: 'STOPPED' });
      await assert.rejects(t.sendTo({ url: `ws://127.0.0.1:${port}/` }, 'x'), { code: 'STOPPED' });
    } finally {
      for (const s of held) s.destroy();
      server.close();
    }
  });

  test('a masked frame from the server fails the client connection (RFC 6455 §5.1)', async () => {
    const { frame } = await import('../helpers/raw-ws-client.js');
    const { server, port } = await listen((s) => {
      s.on('error', () => {});
      s.once('data', (d: Buffer) => {
        const key = /Sec-WebSocket-Key: (.*)\r\n/i.exec(d.toString())?.[1] ?? '';
        const accept = createHash('sha1')
          .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
          .digest('base64');
        s.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: sip\r\n\r\n`,
        );
        setTimeout(() => s.write(frame({ opcode: 1, payload: 'masked', mask: true })), 20);
      });
    });
    const t = await Transport.start({});
    try {
      const closed = next(t, 'close');
      await t.sendTo({ url: `ws://127.0.0.1:${port}/` }, 'x');
      const [, reason] = await closed;
      assert.equal(reason.kind, 'protocol-error');
      assert.equal(reason.code, 1002);
    } finally {
      await t.stop();
      server.close();
    }
  });

  test('messages a server sends in the same segment as its 101 are handed over, in order', async () => {
    const { frame } = await import('../helpers/raw-ws-client.js');
    /** Text of the client's masked frames (short ones: 7-bit length) as the server reads them. */
    const serverGot: string[] = [];
    let pending = Buffer.alloc(0);
    const readFrames = (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 6 && pending.length >= 6 + ((pending[1] as number) & 0x7f)) {
        const len = (pending[1] as number) & 0x7f;
        const mask = pending.subarray(2, 6);
        const body = Buffer.from(pending.subarray(6, 6 + len));
        for (let i = 0; i < len; i++) body[i] = (body[i] as number) ^ (mask[i & 3] as number);
        serverGot.push(body.toString());
        pending = pending.subarray(6 + len);
      }
    };
    const { server, port } = await listen((s) => {
      s.on('error', () => {});
      s.once('data', (d: Buffer) => {
        s.on('data', readFrames);
        const key = /Sec-WebSocket-Key: (.*)\r\n/i.exec(d.toString())?.[1] ?? '';
        const accept = createHash('sha1')
          .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
          .digest('base64');
        // One write: the 101 and two messages right behind it (a server with requests queued).
        s.write(
          Buffer.concat([
            Buffer.from(
              `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: sip\r\n\r\n`,
            ),
            frame({ opcode: 1, payload: 'first', mask: false }),
            frame({ opcode: 1, payload: 'second', mask: false }),
          ]),
        );
      });
    });
    const t = await Transport.start({});
    try {
      const got: string[] = [];
      const dest = { url: `ws://127.0.0.1:${port}/` };
      t.on('message', (m) => {
        got.push(m.data.toString());
        // An answer to what came with the 101 goes out after the send queued behind the handshake.
        void t.sendTo(dest, `re ${m.data.toString()}`).catch(() => {});
      });
      await t.sendTo(dest, 'x');
      const end = Date.now() + 2000;
      while ((got.length < 2 || serverGot.length < 3) && Date.now() < end)
        await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(got, ['first', 'second']);
      assert.deepEqual(serverGot, ['x', 're first', 're second']);
    } finally {
      await t.stop();
      server.close();
    }
  });
});
