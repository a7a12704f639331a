/**
 * Data frames the server writes itself (src/ws/server-frame.ts): each length form of RFC 6455 §5.2,
 * unmasked (§5.1), text for UTF-8 and binary otherwise (RFC 7118 §4.2); read back by the raw client
 * and by `ws` itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { Transport } from '../../src/transport/index.js';
import { serverDataFrame } from '../../src/ws/server-frame.js';
import { RawWsClient } from '../helpers/raw-ws-client.js';

describe('server data frames (RFC 6455 §5.2)', () => {
  for (const [size, headLen, len7] of [
    [0, 2, 0],
    [125, 2, 125],
    [126, 4, 126],
    [65_535, 4, 126],
    [65_536, 10, 127],
    [70_001, 10, 127],
  ] as const) {
    test(`${size} bytes: ${headLen}-byte header, FIN, no mask, payload intact`, () => {
      const payload = Buffer.alloc(size, 0x61);
      const f = serverDataFrame(payload, false);
      assert.equal(f.length, headLen + size);
      assert.equal(f[0], 0x81, 'FIN + text, no RSV bits');
      assert.equal((f[1] as number) & 0x80, 0, 'a server never masks (§5.1)');
      assert.equal((f[1] as number) & 0x7f, len7);
      if (headLen === 4) assert.equal(f.readUInt16BE(2), size);
      if (headLen === 10) assert.equal(Number(f.readBigUInt64BE(2)), size);
      assert.ok(f.subarray(headLen).equals(payload));
    });
  }

  test('binary opcode when asked', () => {
    assert.equal(serverDataFrame(Buffer.from([0xff]), true)[0], 0x82);
  });

  describe('over a real connection', () => {
    let t: Transport;
    let port: number;
    before(async () => {
      t = await Transport.start({ listen: ['ws:127.0.0.1:0'] });
      // Answers every message with one of the size it asks for ("N") or, for "bin", invalid UTF-8.
      t.on('message', (m) => {
        const ask = m.data.toString();
        const reply = ask === 'bin' ? Buffer.from([0xc3, 0x28, 0xff]) : Buffer.alloc(Number(ask), 0x62);
        t.send(m.connectionId, reply).catch(() => {});
      });
      port = t.listeners[0]!.port;
    });
    after(() => t.stop());

    test('the raw client reads a 64-bit length message and a binary one', async () => {
      const c = await RawWsClient.open({ port });
      c.sendText('70001');
      const big = await c.next();
      assert.equal(big?.opcode, 1);
      assert.equal(big?.fin, true);
      assert.equal(big?.masked, false);
      assert.equal(big?.payload.length, 70_001);
      c.sendText('bin');
      const bin = await c.next();
      assert.equal(bin?.opcode, 2, 'not valid UTF-8: binary (RFC 7118 §4.2)');
      assert.deepEqual([...(bin?.payload ?? [])], [0xc3, 0x28, 0xff]);
      c.destroy();
    });

    test('ws reads every length form back in order', async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, 'sip');
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const sizes = [1, 125, 126, 65_535, 65_536, 100_000];
      const got: number[] = [];
      const done = new Promise<void>((resolve) =>
        ws.on('message', (data: Buffer) => {
          got.push(data.length);
          if (got.length === sizes.length) resolve();
        }),
      );
      for (const s of sizes) ws.send(String(s));
      await done;
      assert.deepEqual(got, sizes);
      ws.close();
    });
  });
});
