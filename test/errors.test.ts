import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fail, ok, SipwssError } from '../src/errors.js';

test('SipwssError carries a stable code and its protocol outcome', () => {
  const e = new SipwssError('SIP_TOO_LARGE', 'message too large', { sip: 513, wsClose: 1009 });
  assert.equal(e.code, 'SIP_TOO_LARGE');
  assert.equal(e.outcome.sip, 513);
  assert.equal(e.outcome.wsClose, 1009);
  assert.ok(e instanceof Error);
});

test('Result helpers build both arms', () => {
  const good = ok(1);
  const bad = fail(new SipwssError('X', 'x'));
  assert.equal(good.ok && good.value, 1);
  assert.equal(!bad.ok && bad.error.code, 'X');
});
