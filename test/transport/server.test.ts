import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { Transport } from '../../src/transport/index.js';
import { testPki } from '../helpers/certs.js';
import { RawWsClient } from '../helpers/raw-ws-client.js';
import { staticServerTls } from '../helpers/static-tls.js';
import { next } from './util.js';

const REGISTER = 'REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/WSS x.invalid;branch=z9hG4bK1\r\n\r\n';

describe('server listeners', () => {
  let t: Transport;
  let ca: string;
  before(async () => {
    ca = (await testPki()).ca.cert;
    t = await Transport.start({
      listen: ['ws:127.0.0.1:0', 'wss:127.0.0.1:0', 'ws:[::1]:0'],
      tls: await staticServerTls(),
    });
  });
  after(() => t.stop());

  test('reports real ports, IPv4 and IPv6', () => {
    assert.equal(t.listeners.length, 3);
    for (const l of t.listeners) assert.ok(l.port > 0);
    assert.deepEqual(
      t.listeners.map((l) => [l.proto, l.address, l.family]),
      [
        ['ws', '127.0.0.1', 'IPv4'],
        ['wss', '127.0.0.1', 'IPv4'],
        ['ws', '::1', 'IPv6'],
      ],
    );
  });

  for (const [i, name] of [
    [0, 'ws'],
    [1, 'wss'],
    [2, 'ws over IPv6'],
  ] as const) {
    test(`${name}: a ws client upgrades with sip, messages flow both ways`, async () => {
      const l = t.listeners[i]!;
      const host = l.family === 'IPv6' ? `[${l.address}]` : l.address;
      const url = `${l.proto}://${host}:${l.port}/`;
      const got = next(t, 'message');
      const c = new WebSocket(url, ['sip'], { ca, servername: 'localhost' } as WebSocket.ClientOptions);
      await once(c, 'open');
      assert.equal(c.protocol, 'sip');
      assert.equal(c.extensions, '');
      c.send(REGISTER);
      const [m] = await got;
      assert.equal(m.data.toString(), REGISTER);
      assert.equal(m.transport, l.proto === 'wss' ? 'WSS' : 'WS');
      assert.equal(m.local.listener, l);
      assert.equal(m.remote.address, l.address);
      assert.equal(m.binary, false);
      const info = t.connections().find((x) => x.id === m.connectionId);
      assert.ok(info);
      assert.equal(info.state, 'open');
      assert.equal(info.messagesIn, 1);
      if (l.proto === 'wss') {
        assert.match(info.tls?.version ?? '', /^TLSv1\.[23]$/);
        assert.ok(info.tls?.cipher);
      } else assert.equal(info.tls, undefined);
      const reply = once(c, 'message') as Promise<[Buffer, boolean]>;
      await t.send(m.connectionId, 'SIP/2.0 200 OK\r\n\r\n');
      const [data, isBinary] = await reply;
      assert.equal(data.toString(), 'SIP/2.0 200 OK\r\n\r\n');
      assert.equal(isBinary, false);
      const closed = next(t, 'close');
      c.close(1000);
      const [ci, reason] = await closed;
      assert.ok(ci);
      assert.equal(reason.kind, 'peer-close');
      assert.equal(reason.code, 1000);
    });
  }

  test('exact 101: Sec-WebSocket-Protocol: sip, no extensions even when offered', async () => {
    const c = await RawWsClient.connect({ port: t.listeners[0]!.port });
    const a = await c.upgrade({
      key: 'dGhlIHNhbXBsZSBub25jZQ==',
      extra: ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits'],
    });
    assert.equal(a.status, 101);
    // RFC 6455 §1.3 sample key
    assert.equal(a.headers.get('sec-websocket-accept'), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    assert.equal(a.headers.get('sec-websocket-protocol'), 'sip');
    assert.equal(a.headers.has('sec-websocket-extensions'), false);
    c.destroy();
  });

  test('binary frames are accepted; non-UTF-8 is sent as binary', async () => {
    const c = await RawWsClient.open({ port: t.listeners[0]!.port });
    const got = next(t, 'message');
    c.send({ opcode: 2, payload: REGISTER });
    const [m] = await got;
    assert.equal(m.binary, true);
    assert.equal(m.data.toString(), REGISTER);
    await t.send(m.connectionId, Buffer.from([0x53, 0xff, 0x0d, 0x0a]));
    const f = await c.next();
    assert.equal(f?.opcode, 2);
    assert.equal(f?.masked, false);
    await t.send(m.connectionId, 'OPTIONS');
    const f2 = await c.next();
    assert.equal(f2?.opcode, 1);
    c.destroy();
  });

  test('CRLFCRLF is answered with CRLF, a lone CRLF absorbed, neither handed up', async () => {
    const c = await RawWsClient.open({ port: t.listeners[0]!.port });
    let n = 0;
    const count = () => n++;
    t.on('message', count);
    c.sendText('\r\n\r\n');
    const f = await c.next();
    assert.equal(f?.opcode, 1);
    assert.equal(f?.payload.toString(), '\r\n');
    c.sendText('\r\n');
    c.send({ opcode: 2, payload: '\r\n\r\n' });
    const f2 = await c.next();
    assert.equal(f2?.payload.toString(), '\r\n');
    await sleep(30);
    t.off('message', count);
    assert.equal(n, 0);
    c.destroy();
  });

  test('pipelined frame after the GET is kept', async () => {
    const c = await RawWsClient.connect({ port: t.listeners[0]!.port });
    const got = next(t, 'message');
    c.write(Buffer.concat([Buffer.from(RawWsClient.request({})), Buffer.from(frameText(REGISTER))]));
    const a = await c.readHttp();
    assert.equal(a.status, 101);
    const [m] = await got;
    assert.equal(m.data.toString(), REGISTER);
    c.destroy();
  });

  test('send on a gone connection rejects with CONNECTION_GONE', async () => {
    await assert.rejects(t.send(999_999, 'x'), { code: 'CONNECTION_GONE' });
    const c = await RawWsClient.open({ port: t.listeners[0]!.port });
    await sleep(20);
    const id = t.connections().at(-1)!.id;
    c.destroy();
    await sleep(50);
    await assert.rejects(t.send(id, 'x'), { code: 'CONNECTION_GONE' });
  });
});

import { frame } from '../helpers/raw-ws-client.js';

function frameText(s: string): Buffer {
  return frame({ opcode: 1, payload: s });
}
