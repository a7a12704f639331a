/**
 * Messages read in one event-loop turn are handed to 'message' listeners together after the reads
 * (src/transport/transport.ts, `deliver`), and closes keep their place among them: a listener sees
 * a connection's messages before its close, and is never re-entered by a close its own send caused.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Transport } from '../../src/transport/index.js';
import { frame, RawWsClient } from '../helpers/raw-ws-client.js';

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

  test('a close caused inside a message listener is handed over after the listener returns', async () => {
    await withTransport({ ws_send_buffer: 64 * 1024 }, async (t, port) => {
      const events: string[] = [];
      let inListener = false;
      t.on('message', (m) => {
        inListener = true;
        events.push(`message ${m.data.toString()}`);
        // Over ws_send_buffer: the transport drops the connection inside this send.
        t.send(m.connectionId, Buffer.alloc(70_000, 0x61)).catch((e: { code: string }) =>
          events.push(e.code),
        );
        events.push('sent');
        inListener = false;
      });
      t.on('close', (_info, reason) =>
        events.push(`close ${reason.kind}${inListener ? ' (re-entered)' : ''}`),
      );
      const c = await RawWsClient.open({ port });
      c.sendText('big please');
      await until(() => events.some((e) => e.startsWith('close')));
      await sleep(10);
      assert.deepEqual(events, ['message big please', 'sent', 'close send-buffer-full', 'SEND_BUFFER_FULL']);
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

  test('stop() hands over what was read before the closes it causes', async () => {
    const t = await Transport.start({ listen: ['ws:127.0.0.1:0'] });
    const events: string[] = [];
    t.on('close', (_info, reason) => events.push(`close ${reason.kind}`));
    const c = await RawWsClient.open({ port: t.listeners[0]!.port });
    let stopping: Promise<void> | undefined;
    // The first message stops the transport from inside the drain; the second, read in the same
    // turn, is still handed over, and only then the close.
    t.on('message', (m) => {
      events.push(`message ${m.data.toString()}`);
      stopping ??= t.stop();
    });
    c.write(Buffer.concat([frame({ opcode: 1, payload: 'a' }), frame({ opcode: 1, payload: 'b' })]));
    await until(() => stopping !== undefined);
    await stopping;
    assert.deepEqual(events, ['message a', 'message b', 'close stopped']);
    c.destroy();
  });
});
