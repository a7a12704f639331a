/**
 * The receive fast path (src/ws/single-frame.ts): a read that is exactly one whole masked
 * text/binary frame is unmasked here; anything else is left untouched for `ws` (RFC 6455 §5.2,
 * §5.3, §8.1). Then, over real connections, reads taken by the fast path and reads handed to `ws`
 * interleave in order, and the errors `ws` reports still close with their codes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as wsModule from 'ws';
import { Transport } from '../../src/transport/index.js';
import { isBinaryFrame, singleDataFrame } from '../../src/ws/single-frame.js';
import { frame, RawWsClient } from '../helpers/raw-ws-client.js';

const MAX = 65_536;

describe('single data frame fast path', () => {
  for (const size of [1, 31, 32, 125, 126, 1000, 65_535]) {
    test(`${size}-byte text frame: unmasked in place`, () => {
      const text = 'a'.repeat(size);
      const f = frame({ opcode: 1, payload: text });
      const payload = singleDataFrame(f, MAX);
      assert.equal(payload?.toString(), text);
      assert.equal(isBinaryFrame(f), false);
    });
  }

  test('binary frame, not UTF-8: taken, binary', () => {
    const f = frame({ opcode: 2, payload: Buffer.from([0xc3, 0x28, 0xff]) });
    assert.deepEqual([...(singleDataFrame(f, MAX) ?? [])], [0xc3, 0x28, 0xff]);
    assert.equal(isBinaryFrame(f), true);
  });

  const leftToWs: [string, Buffer][] = [
    ['unmasked (§5.3: ws closes 1002)', frame({ opcode: 1, payload: 'x', mask: false })],
    ['FIN=0, a first fragment', frame({ opcode: 1, payload: 'x', fin: false })],
    ['a continuation frame', frame({ opcode: 0, payload: 'x' })],
    ['a ping', frame({ opcode: 9, payload: 'x' })],
    ['a close', frame({ opcode: 8, payload: Buffer.from([0x03, 0xe8]) })],
    ['RSV1 set', frame({ opcode: 1, payload: 'x', rsv: 4 })],
    ['a reserved opcode', frame({ opcode: 3, payload: 'x' })],
    ['an empty message', frame({ opcode: 1, payload: '' })],
    ['a 64-bit length', frame({ opcode: 1, payload: 'x', lenBits: 64 })],
    ['a frame cut short', frame({ opcode: 1, payload: 'hello' }).subarray(0, 9)],
    [
      'two frames in one read',
      Buffer.concat([frame({ opcode: 1, payload: 'a' }), frame({ opcode: 1, payload: 'b' })]),
    ],
    ['larger than the maximum (ws closes 1009)', frame({ opcode: 1, payload: 'x'.repeat(200) })],
    [
      'text that is not UTF-8 (§8.1: ws closes 1007)',
      frame({ opcode: 1, payload: Buffer.from([0xc3, 0x28]) }),
    ],
  ];
  for (const [what, f] of leftToWs) {
    test(`left to ws, bytes untouched: ${what}`, () => {
      const before = Buffer.from(f);
      assert.equal(singleDataFrame(f, 100), undefined);
      assert.deepEqual(f, before);
    });
  }

  describe('over a real connection', () => {
    let t: Transport;
    let port: number;
    const got: string[] = [];
    before(async () => {
      t = await Transport.start({ listen: ['ws:127.0.0.1:0'], params: { ws_max_msg_size: 1024 } });
      t.on('message', (m) => {
        got.push(m.data.toString());
        if (m.data.toString() === 'done') t.send(m.connectionId, Buffer.from(got.join(','))).catch(() => {});
      });
      port = t.listeners[0]!.port;
    });
    after(() => t.stop());

    test('whole-frame reads and reads ws parses arrive in order', async () => {
      got.length = 0;
      const c = await RawWsClient.open({ port });
      c.write(frame({ opcode: 1, payload: 'one' })); // fast path
      await c.writeChopped(frame({ opcode: 1, payload: 'two' }), 3, 20); // split: ws
      c.write(frame({ opcode: 2, payload: 'three' })); // fast path, binary
      // A fragmented message with a ping between its fragments (ws), then two frames in one read.
      c.write(frame({ opcode: 1, payload: 'fo', fin: false }));
      await new Promise((r) => setTimeout(r, 20));
      c.write(frame({ opcode: 9, payload: 'p' }));
      await new Promise((r) => setTimeout(r, 20));
      c.write(frame({ opcode: 0, payload: 'ur' }));
      await new Promise((r) => setTimeout(r, 20));
      c.write(Buffer.concat([frame({ opcode: 1, payload: 'five' }), frame({ opcode: 1, payload: 'six' })]));
      await new Promise((r) => setTimeout(r, 20));
      c.write(frame({ opcode: 1, payload: 'done' })); // fast path
      const pong = await c.next();
      assert.equal(pong?.opcode, 0xa, 'the ping between fragments answered (RFC 6455 §5.5.2)');
      const reply = await c.next();
      assert.equal(reply?.payload.toString(), 'one,two,three,four,five,six,done');
      c.destroy();
    });

    test("a whole-frame read never reaches ws's receiver; a split one does", async () => {
      // Counts the server-side receiver's writes (the client below is raw, so every call is the
      // server's): fails if `ws` changes how it listens on a socket and the fast path stays off.
      const { Receiver } = wsModule as unknown as {
        Receiver: { prototype: { _write: (...a: unknown[]) => void } };
      };
      const proto = Receiver.prototype;
      const original = proto._write;
      let writes = 0;
      proto._write = function (this: unknown, ...a: unknown[]) {
        writes++;
        return original.apply(this, a);
      };
      try {
        got.length = 0;
        const c = await RawWsClient.open({ port });
        c.write(frame({ opcode: 1, payload: 'whole' }));
        // Two reads, not one holding both frames: the second is sent once the first has arrived.
        for (let i = 0; i < 200 && !got.includes('whole'); i++) await new Promise((r) => setTimeout(r, 5));
        c.write(frame({ opcode: 1, payload: 'done' }));
        assert.equal((await c.next())?.payload.toString(), 'whole,done');
        assert.equal(writes, 0, 'whole frames: no receiver write');
        await c.writeChopped(frame({ opcode: 1, payload: 'split' }), 4, 20);
        await c.writeChopped(frame({ opcode: 1, payload: 'done' }), 4, 20);
        assert.equal((await c.next())?.payload.toString(), 'whole,done,split,done');
        assert.ok(writes >= 2, `split frames go through ws (${writes} writes)`);
        c.destroy();
      } finally {
        proto._write = original;
      }
    });

    for (const [what, f, code] of [
      ['not UTF-8', frame({ opcode: 1, payload: Buffer.from([0xc3, 0x28]) }), 1007],
      ['unmasked', frame({ opcode: 1, payload: 'x', mask: false }), 1002],
      ['too big', frame({ opcode: 1, payload: 'x'.repeat(1025) }), 1009],
    ] as const) {
      test(`a whole frame ws must refuse (${what}) still closes with ${code}`, async () => {
        const c = await RawWsClient.open({ port });
        c.write(frame({ opcode: 1, payload: 'fine' }));
        c.write(f);
        assert.equal(await c.expectClose(), code);
        c.destroy();
      });
    }
  });
});
