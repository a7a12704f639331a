/**
 * Sends of one event-loop turn go out together (src/transport/connection.ts, holdUntilTurnEnds):
 * one socket write for all of them, in order, and nothing held back when the connection closes in
 * the same turn.
 */
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Transport } from '../../src/transport/index.js';
import { RawWsClient } from '../helpers/raw-ws-client.js';

describe('sends coalesced per event-loop turn', () => {
  let t: Transport;
  let port: number;
  /** What each incoming message asks: "N" sends N messages in one turn; "N+close" then closes. */
  before(async () => {
    t = await Transport.start({ listen: ['ws:127.0.0.1:0'] });
    t.on('message', (m) => {
      const [count, then] = m.data.toString().split('+');
      for (let i = 1; i <= Number(count); i++) t.send(m.connectionId, `message ${i}`).catch(() => {});
      if (then === 'close') t.close(m.connectionId, 4000);
    });
    port = t.listeners[0]!.port;
  });
  after(() => t.stop());

  /** Counts socket writes (one per `_write`, one per `_writev` whatever its chunk count). */
  function countWrites(): { writes: () => number; restore: () => void } {
    const proto = Socket.prototype as unknown as Record<'_write' | '_writev', (...a: unknown[]) => unknown>;
    const write = proto._write;
    const writev = proto._writev;
    let n = 0;
    proto._write = function (this: unknown, ...a: unknown[]) {
      n++;
      return write.apply(this, a);
    };
    proto._writev = function (this: unknown, ...a: unknown[]) {
      n++;
      return writev.apply(this, a);
    };
    return {
      writes: () => n,
      restore: () => {
        proto._write = write;
        proto._writev = writev;
      },
    };
  }

  test('three sends in one turn: one socket write, three messages in order', async () => {
    const c = await RawWsClient.open({ port });
    const spy = countWrites();
    try {
      c.sendText('3');
      const got: string[] = [];
      for (let i = 0; i < 3; i++) got.push((await c.next())?.payload.toString() ?? '');
      assert.deepEqual(got, ['message 1', 'message 2', 'message 3']);
      // The client's own write of "3" is one; the server's three messages are one more.
      assert.equal(spy.writes(), 2);
    } finally {
      spy.restore();
      c.destroy();
    }
  });

  test('sends and a close in one turn: the messages arrive before the Close frame', async () => {
    const c = await RawWsClient.open({ port });
    c.sendText('2+close');
    assert.equal((await c.next())?.payload.toString(), 'message 1');
    assert.equal((await c.next())?.payload.toString(), 'message 2');
    assert.equal(await c.expectClose(), 4000);
    c.destroy();
  });
});
