import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Transport } from '../../src/transport/index.js';
import { frame, RawWsClient } from '../helpers/raw-ws-client.js';
import { next } from './util.js';

async function withTransport(
  params: Record<string, unknown>,
  fn: (t: Transport, port: number) => Promise<void>,
) {
  const t = await Transport.start({ listen: ['ws:127.0.0.1:0'], params });
  try {
    await fn(t, t.listeners[0]!.port);
  } finally {
    await t.stop();
  }
}

describe('limits and timeouts', () => {
  test('ws_max_msg_chunks: a message in N reads passes, N+1 reads drops the connection silently', async () => {
    await withTransport({ ws_max_msg_chunks: 3 }, async (t, port) => {
      const msg = frame({ opcode: 1, payload: 'OPTIONS sip:x SIP/2.0\r\n\r\n' });
      const ok = await RawWsClient.open({ port });
      const got = next(t, 'message');
      await ok.writeInPieces(msg, 3, 40);
      assert.equal((await got)[0].data.toString(), 'OPTIONS sip:x SIP/2.0\r\n\r\n');
      ok.destroy();
      const bad = await RawWsClient.open({ port });
      const closed = next(t, 'close');
      await bad.writeInPieces(msg, 4, 40);
      assert.ok(await bad.waitClosed());
      assert.equal(await bad.next(100), undefined, 'no Close frame');
      assert.equal((await closed)[1].kind, 'too-many-chunks');
    });
  });

  test('ws_msg_timeout: a started message not finished in time → close 1008', async () => {
    await withTransport({ ws_msg_timeout: 150, ws_max_msg_chunks: 10 }, async (t, port) => {
      const c = await RawWsClient.open({ port });
      const closed = next(t, 'close');
      c.send({ opcode: 1, fin: false, payload: 'INVITE ' });
      const t0 = Date.now();
      assert.equal(await c.expectClose(), 1008);
      const dt = Date.now() - t0;
      c.destroy();
      assert.ok(dt >= 140 && dt < 1500, `${dt} ms`);
      assert.equal((await closed)[1].kind, 'msg-timeout');
    });
  });

  test('ws ping keepalive: idle peer pinged; one that answers stays, one that does not is closed', async () => {
    await withTransport({ ws_ping_interval: 100, ws_ping_timeout: 100 }, async (t, port) => {
      const alive = await RawWsClient.open({ port });
      const aliveId = t.connections()[0]!.id;
      let pings = 0;
      const answer = (async () => {
        for (;;) {
          const f = await alive.next(5000).catch(() => undefined);
          if (!f) return;
          if (f.opcode === 9) {
            pings++;
            alive.send({ opcode: 10, payload: f.payload });
          }
        }
      })();
      // Deaf: a raw client that never answers pings.
      const deaf = await RawWsClient.open({ port });
      const [info, reason] = await next(t, 'close', 2000);
      assert.notEqual(info.id, aliveId);
      assert.equal(reason.kind, 'ping-timeout');
      assert.ok(await deaf.waitClosed());
      await sleep(250);
      assert.ok(pings >= 2, `answered ${pings} pings`);
      assert.equal(alive.closedFlag, false);
      assert.ok(t.connection(aliveId));
      alive.destroy();
      await answer;
    });
  });

  test('tcp_connection_lifetime: an idle connection is closed with 1001', async () => {
    await withTransport({ tcp_connection_lifetime: 1, ws_ping_interval: 0 }, async (t, port) => {
      const c = await RawWsClient.open({ port });
      const closed = next(t, 'close', 3000);
      assert.equal(await c.expectClose(3000), 1001);
      c.destroy();
      assert.equal((await closed)[1].kind, 'idle-timeout');
    });
  });

  test('tcp_max_connections and tcp_max_connections_per_ip refuse at accept', async () => {
    await withTransport({ tcp_max_connections: 2 }, async (t, port) => {
      const a = await RawWsClient.open({ port });
      const b = await RawWsClient.open({ port });
      const c = await RawWsClient.connect({ port });
      assert.ok(await c.waitClosed(), 'third refused');
      assert.equal(t.connections().length, 2);
      assert.equal(t.counters()['refused.limit'], 1);
      a.destroy();
      b.destroy();
    });
    await withTransport({ tcp_max_connections_per_ip: 1 }, async (t, port) => {
      const a = await RawWsClient.open({ port });
      const c = await RawWsClient.connect({ port });
      assert.ok(await c.waitClosed(), 'second from the same IP refused');
      a.destroy();
      await sleep(30);
      assert.equal(t.connections().length, 0);
      const d = await RawWsClient.open({ port });
      d.destroy();
    });
  });

  test('a peer that stops reading: send buffer cap closes it and fails its pending sends', async () => {
    await withTransport({ ws_send_buffer: 64 * 1024, ws_send_timeout: 60_000 }, async (t, port) => {
      const c = await RawWsClient.open({ port });
      c.socket.pause();
      await sleep(20);
      const id = t.connections()[0]!.id;
      const big = Buffer.alloc(60_000, 0x61);
      const sends: Promise<unknown>[] = [];
      const results: string[] = [];
      for (let i = 0; i < 200; i++) {
        const p = t.send(id, big);
        sends.push(
          p.then(
            () => results.push('ok'),
            (e: { code: string }) => results.push(e.code),
          ),
        );
        if (results.includes('SEND_BUFFER_FULL')) break;
        await sleep(0);
      }
      await Promise.all(sends);
      assert.ok(results.includes('SEND_BUFFER_FULL'), results.join(','));
      await assert.rejects(t.send(id, 'x'), { code: 'CONNECTION_GONE' });
      c.destroy();
    });
  });

  test('ws_send_timeout: sends stuck behind a non-reading peer fail with SEND_TIMEOUT', async () => {
    await withTransport({ ws_send_buffer: 256 * 1024 * 1024, ws_send_timeout: 200 }, async (t, port) => {
      const c = await RawWsClient.open({ port });
      c.socket.pause();
      await sleep(30);
      const id = t.connections()[0]!.id;
      const big = Buffer.alloc(1024 * 1024, 0x61);
      const sends = Array.from({ length: 16 }, () =>
        t.send(id, big).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        ),
      );
      const t0 = Date.now();
      const res = await Promise.all(sends);
      assert.ok(res.includes('SEND_TIMEOUT'), res.join(','));
      assert.ok(Date.now() - t0 < 2000);
      c.destroy();
    });
  });

  test('ws_send_timeout: a backlog left by sends already handed over that stops moving closes the connection', async () => {
    await withTransport({ ws_send_buffer: 256 * 1024 * 1024, ws_send_timeout: 200 }, async (t, port) => {
      const c = await RawWsClient.open({ port });
      c.socket.pause();
      await sleep(30);
      const id = t.connections()[0]!.id;
      const closed = next(t, 'close', 3000);
      // One send, taken while the socket was not backed up: it resolves at once, and leaves more
      // than the kernel buffers take queued in the socket, where it stays (the peer reads nothing).
      await t.send(id, Buffer.alloc(32 * 1024 * 1024, 0x61));
      const t0 = Date.now();
      const [, reason] = await closed;
      assert.equal(reason.kind, 'send-timeout');
      const dt = Date.now() - t0;
      assert.ok(dt >= 150 && dt < 2000, `${dt} ms`);
      c.destroy();
    });
  });

  test('1,000 connect/abort cycles (TCP only, mid-upgrade, open) leave the table empty', async () => {
    await withTransport({}, async (t, port) => {
      const req = RawWsClient.request({});
      for (let i = 0; i < 1000; i += 50) {
        await Promise.all(
          Array.from({ length: 50 }, async (_, j) => {
            const kind = (i + j) % 3;
            if (kind === 0) {
              const s = connect(port, '127.0.0.1');
              s.on('error', () => {});
              await new Promise((r) => s.once('connect', r));
              s.destroy();
            } else if (kind === 1) {
              const c = await RawWsClient.connect({ port });
              c.write(req.slice(0, 30));
              await sleep(1);
              c.socket.resetAndDestroy();
            } else {
              const c = await RawWsClient.open({ port });
              c.sendText('REGISTER');
              c.destroy();
            }
          }),
        );
      }
      for (let k = 0; k < 50 && t.connections().length > 0; k++) await sleep(20);
      assert.equal(t.connections().length, 0);
    });
  });
});
