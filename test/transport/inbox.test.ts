/**
 * Messages read in one event-loop turn are handed to 'message' listeners together after the reads
 * (src/transport/transport.ts, `deliver`), and closes keep their place among them: a listener sees
 * a connection's messages before its close, and is never re-entered by a close its own send caused.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Transport } from '../../src/transport/index.js';
import { testPki } from '../helpers/certs.js';
import { frame, RawWsClient } from '../helpers/raw-ws-client.js';
import { staticServerTls } from '../helpers/static-tls.js';

async function withTransport(
  params: Record<string, unknown>,
  fn: (t: Transport, port: number) => Promise<void>,
): Promise<void> {
  const t = await Transport.start({ listen: ['ws:127.0.0.1:0'], params });
  try {
    await fn(t, t.listeners[0]!.port);
  } finally {
    await t.stop();
  }
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail('timed out');
    await sleep(5);
  }
}

describe('the inbox: messages and closes handed over in order, after the reads', () => {
  test('messages, then a reset, in one read: every message comes before the close', async () => {
    await withTransport({}, async (t, port) => {
      const events: string[] = [];
      t.on('message', (m) => events.push(`message ${m.data.toString()}`));
      t.on('close', () => events.push('close'));
      const c = await RawWsClient.open({ port });
      c.write(Buffer.concat([frame({ opcode: 1, payload: 'one' }), frame({ opcode: 1, payload: 'two' })]));
      // The RST right behind the data: the server reads both in one turn, and the read error
      // ends the connection there, before the turn's messages are handed over.
      c.socket.resetAndDestroy();
      await until(() => events.includes('close'));
      assert.deepEqual(events, ['message one', 'message two', 'close']);
      c.destroy();
    });
  });

  /**
   * Records messages and closes; a message `overflow` picks is answered past ws_send_buffer (64 KiB),
   * which drops the connection inside that send. A close that came while a listener ran is marked.
   */
  function recordOverflow(t: Transport, overflow: (text: string) => boolean): string[] {
    const events: string[] = [];
    let inListener = false;
    t.on('message', (m) => {
      inListener = true;
      const text = m.data.toString();
      events.push(`message ${text}`);
      if (overflow(text))
        t.send(m.connectionId, Buffer.alloc(70_000, 0x61)).catch((e: { code: string }) =>
          events.push(e.code),
        );
      inListener = false;
    });
    t.on('close', (_info, reason) => events.push(`close ${reason.kind}${inListener ? ' (re-entered)' : ''}`));
    return events;
  }

  test('a close caused inside a message listener is handed over after the listener returns', async () => {
    await withTransport({ ws_send_buffer: 64 * 1024 }, async (t, port) => {
      const events = recordOverflow(t, () => true);
      const c = await RawWsClient.open({ port });
      c.sendText('big please');
      await until(() => events.includes('SEND_BUFFER_FULL'));
      assert.deepEqual(events, ['message big please', 'close send-buffer-full', 'SEND_BUFFER_FULL']);
      c.destroy();
    });
  });

  test('messages of several connections read in one turn are handed over in one go, after the reads', async () => {
    await withTransport({}, async (t, port) => {
      const clients = await Promise.all([0, 1, 2].map(() => RawWsClient.open({ port })));
      const events: string[] = [];
      t.on('message', (m) => {
        const text = m.data.toString();
        events.push(text);
        // Runs when the callback that called this listener returns: inside each socket read
        // if messages were handed over there, after all of them if handed over together.
        process.nextTick(() => events.push(`tick ${text}`));
      });
      // Written before this process polls again: the server reads all three in its next turn.
      for (const [i, c] of clients.entries()) c.sendText(`m${i}`);
      await until(() => events.length === 6);
      assert.deepEqual(events.slice(0, 3).sort(), ['m0', 'm1', 'm2'], events.join(', '));
      assert.deepEqual(events.slice(3).sort(), ['tick m0', 'tick m1', 'tick m2'], events.join(', '));
      for (const c of clients) c.destroy();
    });
  });

  test('stop() from a listener: the messages already read are handed over, then the closes', async () => {
    const t = await Transport.start({ listen: ['ws:127.0.0.1:0'] });
    const port = t.listeners[0]!.port;
    const clients = await Promise.all([0, 1].map(() => RawWsClient.open({ port })));
    const events: string[] = [];
    let stopping: Promise<void> | undefined;
    t.on('close', (_info, reason) => events.push(`close ${reason.kind}`));
    t.on('message', () => {
      events.push('message');
      stopping ??= t.stop();
    });
    // Both read in the same turn (written before this process polls again), each one frame.
    for (const c of clients) c.sendText('stop');
    await until(() => stopping !== undefined);
    await stopping;
    assert.deepEqual(events, ['message', 'message', 'close stopped', 'close stopped']);
    for (const c of clients) c.destroy();
  });

  test('a message from ws (two frames in one read) comes after those waiting, and before a bad frame closes', async () => {
    await withTransport({}, async (t, port) => {
      const [a, b] = await Promise.all([0, 1].map(() => RawWsClient.open({ port })));
      const events: string[] = [];
      t.on('message', (m) => {
        events.push(m.data.toString());
        void t.send(m.connectionId, `echo ${m.data.toString()}`).catch(() => {});
      });
      // a: one frame (the fast path, waits for the end of the turn); b: a message and a frame
      // with RSV set in one read, which `ws` reads and fails with 1002 (RFC 6455 §5.2).
      a?.sendText('from a');
      b?.write(
        Buffer.concat([
          frame({ opcode: 1, payload: 'from b' }),
          frame({ opcode: 1, rsv: 4, payload: 'bad' }),
        ]),
      );
      assert.equal((await b?.next())?.payload.toString(), 'echo from b');
      assert.equal(await b?.expectClose(), 1002);
      assert.equal((await a?.next())?.payload.toString(), 'echo from a');
      assert.deepEqual(events.sort(), ['from a', 'from b']);
      a?.destroy();
      b?.destroy();
    });
  });

  /** A wss transport whose listener answers each message with `echo <text>` (as `reply` does). */
  async function withWss(
    reply: (t: Transport, id: number, text: string) => void,
    fn: (port: number, ca: string) => Promise<void>,
  ): Promise<void> {
    const t = await Transport.start({ listen: ['wss:127.0.0.1:0'], tls: await staticServerTls() });
    try {
      t.on('message', (m) => reply(t, m.connectionId, m.data.toString()));
      await fn(t.listeners[0]!.port, (await testPki()).ca.cert);
    } finally {
      await t.stop();
    }
  }

  /** Client `i` sends `bye i` then a Close frame, as two TLS records: the echo must come first. */
  async function byeThenClose(port: number, ca: string): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const c = await RawWsClient.open({ port, tls: { ca } });
      c.sendText(`bye ${i}`);
      c.send({ opcode: 8, payload: Buffer.from([0x03, 0xe8]) });
      assert.equal((await c.next())?.payload.toString(), `echo bye ${i}`);
      assert.equal(await c.expectClose(), 1000);
      c.destroy();
    }
  }

  test("a message, then the peer's Close in the same turn: the answer goes out before the Close reply", async () => {
    // Over TLS each frame is a read of its own (one record each): the message waits for the end
    // of the turn, and the Close's read goes to `ws`, which must not answer it first.
    await withWss((t, id, text) => void t.send(id, `echo ${text}`).catch(() => {}), byeThenClose);
  });

  test("a message, then the peer's FIN in the same turn: the answer goes out before ours", async () => {
    await withWss(
      (t, id, text) => void t.send(id, `echo ${text}`).catch(() => {}),
      async (port, ca) => {
        for (let i = 0; i < 5; i++) {
          const c = await RawWsClient.open({ port, tls: { ca } });
          c.sendText(`last ${i}`);
          c.socket.end(); // no Close frame: `ws` ends the connection on the FIN
          assert.equal((await c.next())?.payload.toString(), `echo last ${i}`);
          c.destroy();
        }
      },
    );
  });

  test("an answer made in a settled promise's callback still goes out before the Close reply", async () => {
    await withWss(
      (t, id, text) =>
        void Promise.resolve()
          .then(() => t.send(id, `echo ${text}`))
          .catch(() => {}),
      byeThenClose,
    );
  });

  test('a close caused inside a listener of a message from ws is handed over after it returns', async () => {
    await withTransport({ ws_send_buffer: 64 * 1024 }, async (t, port) => {
      const events = recordOverflow(t, (text) => text === 'two');
      const c = await RawWsClient.open({ port });
      // Two frames in one write: one read, which `ws` parses (not the fast path).
      c.write(Buffer.concat([frame({ opcode: 1, payload: 'one' }), frame({ opcode: 1, payload: 'two' })]));
      await until(() => events.includes('SEND_BUFFER_FULL'));
      assert.deepEqual(events, ['message one', 'message two', 'close send-buffer-full', 'SEND_BUFFER_FULL']);
      c.destroy();
    });
  });

  test("an answer made in a promise's callback after the peer's FIN is refused, not silently dropped", async () => {
    const outcomes: string[] = [];
    await withWss(
      (t, id, text) =>
        void Promise.resolve()
          .then(() => t.send(id, `echo ${text}`))
          .then(
            () => outcomes.push('sent'),
            (e: { code: string }) => outcomes.push(e.code),
          ),
      async (port, ca) => {
        const c = await RawWsClient.open({ port, tls: { ca } });
        c.sendText('last');
        c.socket.end();
        await until(() => outcomes.length === 1);
        assert.deepEqual(outcomes, ['CONNECTION_CLOSED']);
        c.destroy();
      },
    );
  });

  test('reads that come while one waits for ws (a resumed socket emits several in a tick) keep their order', async () => {
    await withTransport({}, async (t, port) => {
      const got: string[] = [];
      t.on('message', (m) => got.push(m.data.toString()));
      const c = await RawWsClient.open({ port });
      await until(() => t.connections().length === 1);
      const id = t.connections()[0]!.id;
      // White box: the server side's socket, fed three reads in one tick as a resumed stream does.
      const table = (
        t as unknown as { table: { get(id: number): { socket: { emit(e: string, b: Buffer): void } } } }
      ).table;
      const socket = table.get(id).socket;
      const one = (p: string) => frame({ opcode: 1, payload: p });
      socket.emit('data', one('a')); // one whole frame: waits in the inbox
      socket.emit('data', Buffer.concat([one('b1'), one('b2')])); // to ws, after 'a': deferred
      socket.emit('data', Buffer.concat([one('c1'), one('c2')])); // to ws: behind the deferred read
      await until(() => got.length === 5);
      assert.deepEqual(got, ['a', 'b1', 'b2', 'c1', 'c2']);
      c.destroy();
    });
  });
});
