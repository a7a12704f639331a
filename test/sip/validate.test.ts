/**
 * What validateMessage reads on every request: the From and To URIs (one URI written in both, a
 * REGISTER's AoR, is read once, and a bad one is reported as it is when they differ), Call-ID and
 * CSeq (their fast paths accept and reject what the char-by-char reading does).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseCallId,
  parseCSeq,
  parseMessage,
  type SipMessage,
  validateMessage,
} from '../../src/sip/index.js';

function register(from: string, to: string): SipMessage {
  const r = parseMessage(
    Buffer.from(
      'REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/WSS h.invalid;branch=z9hG4bK1\r\n' +
        `Max-Forwards: 70\r\nFrom: <${from}>;tag=a\r\nTo: <${to}>\r\nCall-ID: c1\r\nCSeq: 1 REGISTER\r\n` +
        'Content-Length: 0\r\n\r\n',
      'latin1',
    ),
  );
  if (!r.ok) assert.fail(r.error.message);
  return r.value;
}

test('From and To with the same URI: valid, and To parsed once for both', () => {
  const m = register('sip:alice@example.com', 'sip:alice@example.com');
  assert.ok(validateMessage(m).ok);
  const to = m.to();
  assert.ok(to.ok);
  const u = to.value.parsedUri();
  assert.ok(u.ok && u.value.kind === 'sip' && u.value.user === 'alice');
});

test('a bad URI in both From and To fails as a bad From alone does', () => {
  const both = validateMessage(register('sip:al|ce@example.com', 'sip:al|ce@example.com'));
  const fromOnly = validateMessage(register('sip:al|ce@example.com', 'sip:bob@example.com'));
  assert.ok(!both.ok && !fromOnly.ok);
  assert.equal(both.error.code, 'SIP_BAD_URI');
  assert.deepEqual(both.error, fromOnly.error);
});

test('a bad To URI is reported when From differs', () => {
  const r = validateMessage(register('sip:bob@example.com', 'sip:al|ce@example.com'));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'SIP_BAD_URI');
});

test('Call-ID: word [ "@" word ] (RFC 3261 §25.1), with the error the char-by-char reading gives', () => {
  for (const good of ['3tcfsbi8c3m', 'a@b', 'f81d4fae-7dec@foo.bar.com', '()<>:\\"/[]?{}@x', "~`'+_*%!.-"]) {
    const r = parseCallId(good);
    assert.ok(r.ok && r.value === good, good);
  }
  assert.deepEqual(parseCallId(' a@b\t'), { ok: true, value: 'a@b' });
  for (const [bad, detail] of [
    ['', 'empty'],
    ['@a', "misplaced '@'"],
    ['a@', "misplaced '@'"],
    ['a@b@c', "misplaced '@'"],
    ['a b', 'bad character'],
    ['a,b', 'bad character'],
    ['caf\xe9', 'bad character'],
  ] as const) {
    const r = parseCallId(bad);
    assert.ok(!r.ok, bad);
    assert.equal(r.error.code, 'SIP_BAD_CALL_ID');
    assert.match(r.error.message, new RegExp(detail), bad);
  }
});

test('CSeq: a known method and any other token are read alike', () => {
  assert.deepEqual(parseCSeq('7 REGISTER'), { ok: true, value: { seq: 7, method: 'REGISTER' } });
  assert.deepEqual(parseCSeq('7 FOO.bar'), { ok: true, value: { seq: 7, method: 'FOO.bar' } });
  const r = parseCSeq('7 REG@STER');
  assert.ok(!r.ok && r.error.code === 'SIP_BAD_CSEQ');
});
