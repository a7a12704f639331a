import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKeepalive, KEEPALIVE_PONG, parseMessage } from '../../src/sip/index.js';

test('RFC 5626 §3.5.1: CRLFCRLF is a ping, CRLF a pong, anything else is not a keepalive', () => {
  assert.equal(isKeepalive(Buffer.from('\r\n\r\n')), 'ping');
  assert.equal(isKeepalive(Buffer.from('\r\n')), 'pong');
  for (const s of ['', '\n\n', '\r\r\n\n', '\r\n\r\n\r\n', 'ab', 'OPTIONS sip:a@b SIP/2.0\r\n\r\n']) {
    assert.equal(isKeepalive(Buffer.from(s)), undefined, JSON.stringify(s));
  }
  assert.ok(KEEPALIVE_PONG.equals(Buffer.from('\r\n')));
});

test('a keepalive given to the parser is an empty message, not a crash', () => {
  const r = parseMessage(Buffer.from('\r\n\r\n'));
  assert.ok(!r.ok && r.error.code === 'SIP_EMPTY');
});
