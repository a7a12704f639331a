/**
 * Autobahn-style framing cases (groups 1, 2, 3, 4, 5, 6, 7, 9 where they apply) against the
 * transport with an echo: every delivered message is sent back on its connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Transport } from '../../src/transport/index.js';
import { frame, RawWsClient } from '../helpers/raw-ws-client.js';

describe('framing (RFC 6455 §5, §7)', () => {
  let t: Transport;
  let port: number;
  before(async () => {
    t = await Transport.start({
      listen: ['ws:127.0.0.1:0'],
      params: { ws_max_msg_size: 65535, ws_max_fragments: 8, ws_max_msg_chunks: 1024 },
    });
    t.on('message', (m) => {
      t.send(m.connectionId, m.data).catch(() => {});
    });
    port = t.listeners[0]!.port;
  });
  after(() => t.stop());

  const open = () => RawWsClient.open({ port });

  for (const size of [0, 125, 126, 127, 128, 65535]) {
    test(`1.x text of ${size} bytes echoed (7/16-bit lengths)`, async () => {
      const c = await open();
      const payload = 'a'.repeat(size);
      c.sendText(payload);
      if (size === 0) {
        // An empty message is no SIP message but still one WS message: echoed as such.
      }
      const f = await c.next();
      assert.equal(f?.opcode, 1);
      assert.equal(f?.payload.length, size);
      assert.equal(f?.payload.toString(), payload);
      c.destroy();
    });
  }

  test('1.x 65536 bytes (64-bit length) over the cap → close 1009', async () => {
    const c = await open();
    c.send({ opcode: 2, payload: Buffer.alloc(65536, 0x41) });
    assert.equal(await c.expectClose(), 1009);
    assert.ok(await c.waitClosed());
  });

  test('1.x a message delivered one octet at a time', async () => {
    const c = await open();
    await c.writeChopped(frame({ opcode: 1, payload: 'INVITE sip:bob@x SIP/2.0\r\n\r\n' }), 1, 1);
    const f = await c.next();
    assert.equal(f?.payload.toString(), 'INVITE sip:bob@x SIP/2.0\r\n\r\n');
    c.destroy();
  });

  test('2.1-2.4 ping answered with identical pong (empty, text, binary, 125 bytes)', async () => {
    const c = await open();
    for (const p of [Buffer.alloc(0), Buffer.from('hello'), Buffer.from([0, 255, 1]), Buffer.alloc(125, 7)]) {
      c.send({ opcode: 9, payload: p });
      const f = await c.next();
      assert.equal(f?.opcode, 10);
      assert.deepEqual(f?.payload, p);
    }
    c.destroy();
  });

  test('2.5 ping with 126 bytes → 1002', async () => {
    const c = await open();
    c.send({ opcode: 9, payload: Buffer.alloc(126) });
    assert.equal(await c.expectClose(), 1002);
  });

  test('2.6 ping sent octet-wise is answered', async () => {
    const c = await open();
    await c.writeChopped(frame({ opcode: 9, payload: 'abc' }), 1, 1);
    const f = await c.next();
    assert.equal(f?.opcode, 10);
    assert.equal(f?.payload.toString(), 'abc');
    c.destroy();
  });

  test('2.7-2.9 unsolicited pong ignored, then ping still answered', async () => {
    const c = await open();
    c.send({ opcode: 10, payload: 'unsolicited' });
    c.send({ opcode: 9, payload: 'p' });
    const f = await c.next();
    assert.equal(f?.opcode, 10);
    assert.equal(f?.payload.toString(), 'p');
    c.destroy();
  });

  for (const rsv of [1, 2, 4, 7]) {
    test(`3.x RSV=${rsv} → 1002, earlier message echoed, nothing after`, async () => {
      const c = await open();
      c.sendText('ok');
      c.send({ opcode: 1, rsv, payload: 'bad' });
      c.send({ opcode: 9, payload: 'x' });
      const f = await c.next();
      assert.equal(f?.payload.toString(), 'ok');
      assert.equal(await c.expectClose(), 1002);
    });
  }

  for (const op of [3, 7, 0xb, 0xf]) {
    test(`4.x reserved opcode ${op} → 1002`, async () => {
      const c = await open();
      c.send({ opcode: op, payload: 'x' });
      assert.equal(await c.expectClose(), 1002);
    });
  }

  test('masking: an unmasked client frame → 1002', async () => {
    const c = await open();
    c.send({ opcode: 1, payload: 'x', mask: false });
    assert.equal(await c.expectClose(), 1002);
  });

  test('5.1 fragmented ping → 1002', async () => {
    const c = await open();
    c.send({ opcode: 9, fin: false, payload: 'a' });
    c.send({ opcode: 0, fin: true, payload: 'b' });
    assert.equal(await c.expectClose(), 1002);
  });

  test('5.3-5.8 fragments reassembled, ping between fragments answered first', async () => {
    const c = await open();
    c.send({ opcode: 1, fin: false, payload: 'REGISTER ' });
    c.send({ opcode: 9, payload: 'mid' });
    const pong = await c.next();
    assert.equal(pong?.opcode, 10);
    assert.equal(pong?.payload.toString(), 'mid');
    c.send({ opcode: 0, fin: false, payload: 'sip:x ' });
    c.send({ opcode: 0, fin: true, payload: 'SIP/2.0\r\n\r\n' });
    const f = await c.next();
    assert.equal(f?.opcode, 1);
    assert.equal(f?.fin, true);
    assert.equal(f?.payload.toString(), 'REGISTER sip:x SIP/2.0\r\n\r\n');
    c.destroy();
  });

  test('5.5 fragmented message sent octet-wise', async () => {
    const c = await open();
    const bytes = Buffer.concat([
      frame({ opcode: 1, fin: false, payload: 'Hello, ' }),
      frame({ opcode: 0, fin: true, payload: 'World!' }),
    ]);
    await c.writeChopped(bytes, 1, 1);
    assert.equal((await c.next())?.payload.toString(), 'Hello, World!');
    c.destroy();
  });

  test('5.9 continuation with nothing to continue → 1002', async () => {
    const c = await open();
    c.send({ opcode: 0, fin: true, payload: 'x' });
    assert.equal(await c.expectClose(), 1002);
  });

  test('5.18 new text frame while a message is open → 1002', async () => {
    const c = await open();
    c.send({ opcode: 1, fin: false, payload: 'a' });
    c.send({ opcode: 1, fin: true, payload: 'b' });
    assert.equal(await c.expectClose(), 1002);
  });

  test('fragment cap: more than ws_max_fragments frames → 1008', async () => {
    const c = await open();
    for (let i = 0; i < 9; i++) c.send({ opcode: i === 0 ? 1 : 0, fin: i === 8, payload: 'x' });
    assert.equal(await c.expectClose(), 1008);
  });

  test('fragmented message over the size cap → 1009', async () => {
    const c = await open();
    c.send({ opcode: 1, fin: false, payload: 'a'.repeat(40000) });
    c.send({ opcode: 0, fin: true, payload: 'a'.repeat(40000) });
    assert.equal(await c.expectClose(), 1009);
  });

  test('6.x valid UTF-8 split inside a code point across fragments is echoed', async () => {
    const c = await open();
    const s = Buffer.from('κόσμε 𝄞', 'utf8');
    c.send({ opcode: 1, fin: false, payload: s.subarray(0, 1) });
    c.send({ opcode: 0, fin: false, payload: s.subarray(1, 9) });
    c.send({ opcode: 0, fin: true, payload: s.subarray(9) });
    assert.deepEqual((await c.next())?.payload, s);
    c.destroy();
  });

  for (const [name, bytes] of [
    ['lone continuation byte', [0x80]],
    ['overlong NUL', [0xc0, 0x80]],
    ['surrogate', [0xed, 0xa0, 0x80]],
    ['FE', [0xfe]],
  ] as const) {
    test(`6.x invalid UTF-8 (${name}) → 1007`, async () => {
      const c = await open();
      c.send({ opcode: 1, payload: Buffer.from([0x61, ...bytes]) });
      assert.equal(await c.expectClose(), 1007);
    });
  }

  for (const code of [1000, 1001, 1003, 1007, 1011, 3000, 4999]) {
    test(`7.7 close ${code} echoed, TCP closed`, async () => {
      const c = await open();
      const p = Buffer.alloc(2);
      p.writeUInt16BE(code);
      c.send({ opcode: 8, payload: Buffer.concat([p, Buffer.from('bye')]) });
      assert.equal(await c.expectClose(), code);
      assert.ok(await c.waitClosed());
    });
  }

  test('7.3.1 empty close → close', async () => {
    const c = await open();
    c.send({ opcode: 8 });
    const code = await c.expectClose();
    assert.ok(code === 1005 || code === 1000, `got ${code}`);
    assert.ok(await c.waitClosed());
  });

  for (const [name, payload] of [
    ['1-byte close body', Buffer.from([3])],
    ['reason of 124 bytes (total 126)', Buffer.concat([Buffer.from([3, 232]), Buffer.alloc(124, 0x61)])],
    ['invalid UTF-8 reason', Buffer.from([3, 232, 0xff])],
  ] as const) {
    test(`7.3/7.5 ${name} → 1002/1007`, async () => {
      const c = await open();
      c.send({ opcode: 8, payload });
      const code = await c.expectClose();
      assert.ok(code === 1002 || code === 1007, `got ${code}`);
    });
  }

  test('7.3.5 reason of 123 bytes is fine', async () => {
    const c = await open();
    c.send({ opcode: 8, payload: Buffer.concat([Buffer.from([3, 232]), Buffer.alloc(123, 0x61)]) });
    assert.equal(await c.expectClose(), 1000);
  });

  for (const code of [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 5000]) {
    test(`7.9 invalid close code ${code} → 1002`, async () => {
      const c = await open();
      const p = Buffer.alloc(2);
      p.writeUInt16BE(code);
      c.send({ opcode: 8, payload: p });
      assert.equal(await c.expectClose(), 1002);
    });
  }

  test('7.1 nothing processed after a close', async () => {
    const c = await open();
    let got = 0;
    const count = () => got++;
    t.on('message', count);
    c.send({ opcode: 8, payload: Buffer.from([3, 232]) });
    c.sendText('after close');
    assert.equal(await c.expectClose(), 1000);
    await sleep(30);
    t.off('message', count);
    assert.equal(got, 0);
  });

  test('protocol errors leave the table empty', async () => {
    await sleep(100);
    assert.equal(t.connections().length, 0);
  });
});
