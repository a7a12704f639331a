import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { acceptKey, isValidKey, newKey } from '../../src/ws/accept-key.js';
import { keepaliveKind, pingAction } from '../../src/ws/keepalive.js';
import { MessageTracker } from '../../src/ws/message-tracker.js';
import { findHeaderEnd, parseHttpRequest, validateUpgrade } from '../../src/ws/upgrade-request.js';
import { frame } from '../helpers/raw-ws-client.js';

describe('ws units', () => {
  test('accept key (RFC 6455 §1.3 sample) and key validity', () => {
    assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    assert.ok(isValidKey(newKey()));
    assert.ok(!isValidKey('dGhlIHNhbXBsZSBub25jZR=='));
    assert.ok(!isValidKey('short=='));
  });

  test('keepalive classification and ping policy', () => {
    assert.equal(keepaliveKind(Buffer.from('\r\n\r\n')), 'ping');
    assert.equal(keepaliveKind(Buffer.from('\r\n')), 'pong');
    assert.equal(keepaliveKind(Buffer.from('\r\n\r\n\r\n')), 'none');
    assert.equal(keepaliveKind(Buffer.from('ab\r\n')), 'none');
    assert.equal(pingAction(1000, 0, 0, 0, 10), 'none');
    assert.equal(pingAction(1000, 0, 0, 500, 100), 'ping');
    assert.equal(pingAction(1000, 900, 0, 500, 100), 'none');
    assert.equal(pingAction(1000, 0, 950, 500, 100), 'none');
    assert.equal(pingAction(1100, 0, 950, 500, 100), 'dead');
  });

  test('upgrade request parsing', () => {
    const head = Buffer.from('GET /ws?a=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\n\r\n');
    assert.equal(findHeaderEnd(head), head.length);
    assert.equal(findHeaderEnd(head.subarray(0, 10)), -1);
    const r = parseHttpRequest(head);
    assert.ok(r.ok);
    assert.equal(r.value.target, '/ws?a=1');
    assert.equal(r.value.headers.get('x-a'), '1, 2');
    assert.equal(parseHttpRequest(Buffer.from('GET / HTTP/1.1\r\n folded\r\n\r\n')).ok, false);
    assert.equal(parseHttpRequest(Buffer.from('GET / HTTP/1.1\r\nBad Name: x\r\n\r\n')).ok, false);
    const v = validateUpgrade(r.value, {
      resourceSet: undefined,
      originSet: undefined,
      requireOrigin: false,
    });
    assert.equal(v.ok, false);
    assert.equal(!v.ok && v.error.code, 'WS_NOT_UPGRADE');
  });

  test('message tracker: reads per unit, control frames between fragments, octet-wise headers', () => {
    const t = new MessageTracker(3);
    const msg = frame({ opcode: 1, payload: 'x'.repeat(300) });
    // whole message in one read, twice in one read
    assert.ok(t.feed(Buffer.concat([msg, msg]), 1));
    assert.equal(t.inUnit, false);
    // three reads pass
    assert.ok(t.feed(msg.subarray(0, 1), 2));
    assert.ok(t.feed(msg.subarray(1, 5), 3));
    assert.ok(t.feed(msg.subarray(5), 4));
    assert.equal(t.inUnit, false);
    // four reads fail
    const t2 = new MessageTracker(3);
    assert.ok(t2.feed(msg.subarray(0, 1), 1));
    assert.ok(t2.feed(msg.subarray(1, 2), 1));
    assert.ok(t2.feed(msg.subarray(2, 3), 1));
    assert.equal(t2.feed(msg.subarray(3), 1), false);
    // a read that ends one unit and starts the next counts once for the next
    const t3 = new MessageTracker(2);
    const two = Buffer.concat([msg, msg]);
    assert.ok(t3.feed(two.subarray(0, 400), 1));
    assert.ok(t3.feed(two.subarray(400), 2));
    // fragments with a ping between: one unit until FIN
    const t4 = new MessageTracker(10);
    assert.ok(t4.feed(frame({ opcode: 1, fin: false, payload: 'a' }), 5));
    assert.equal(t4.unitStart, 5);
    assert.ok(t4.feed(frame({ opcode: 9, payload: 'p' }), 6));
    assert.equal(t4.inUnit, true);
    assert.ok(t4.feed(frame({ opcode: 0, fin: true, payload: 'b' }), 7));
    assert.equal(t4.inUnit, false);
    // 64-bit length
    const t5 = new MessageTracker(2);
    const big = frame({ opcode: 2, payload: Buffer.alloc(70000) });
    assert.ok(t5.feed(big.subarray(0, 10), 1));
    assert.ok(t5.feed(big.subarray(10), 2));
    assert.equal(t5.inUnit, false);
  });
});
