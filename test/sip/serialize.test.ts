import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMessage, type SipMessage, serialize } from '../../src/sip/index.js';
import { BASIC, msg, wire, wireNames } from './fixtures.js';

function parsed(buf: Buffer): SipMessage {
  const r = parseMessage(buf);
  if (!r.ok) assert.fail(r.error.message);
  return r.value;
}

test('every real-client message serializes back byte for byte', () => {
  const names = wireNames();
  assert.ok(names.length >= 20, 'fixtures present');
  for (const name of names) {
    const buf = wire(name);
    assert.ok(serialize(parsed(buf)).equals(buf), name);
  }
});

test('untouched odd spellings survive; a changed header is rendered afresh', () => {
  const buf = msg([
    'OPTIONS sip:b@x SIP/2.0',
    'v:   SIP/2.0/UDP h;branch=z9hG4bK1',
    'MaX-fOrWaRdS: 0070',
    'To :<sip:b@x>',
    'f: <sip:a@x>;tag=1',
    'Subject: folded',
    '  value',
    'i: c',
    'CSeq: 1 OPTIONS',
    'l: 0',
  ]);
  const m = parsed(buf);
  assert.ok(serialize(m).equals(buf));
  m.set('Max-Forwards', '69');
  const out = serialize(m).toString('latin1');
  assert.ok(out.includes('\r\nMax-Forwards: 69\r\n'));
  assert.ok(out.includes('\r\nv:   SIP/2.0/UDP h;branch=z9hG4bK1\r\n'));
  assert.ok(out.includes('\r\nTo :<sip:b@x>\r\n'));
  assert.ok(out.includes('\r\nSubject: folded\r\n  value\r\n'));
});

test('Content-Length is made right: added, fixed, and kept when correct', () => {
  const noCl = parsed(msg(BASIC.slice(0, 7), 'hello'));
  assert.equal(noCl.body.toString(), 'hello');
  const out = serialize(noCl).toString();
  assert.ok(out.endsWith('Content-Length: 5\r\n\r\nhello'), out);
  const m = parsed(msg(BASIC));
  m.body = Buffer.from('new body');
  const fixed = serialize(m).toString();
  assert.ok(fixed.includes('\r\nContent-Length: 8\r\n'));
  assert.ok(!fixed.includes('Content-Length: 0'));
  const again = parseMessage(serialize(m));
  assert.ok(again.ok && again.value.body.toString() === 'new body');
});

test('a new Request-URI renders a new start line', () => {
  const m = parsed(msg(BASIC));
  m.requestUri = 'sip:bob@192.0.2.7:5060;transport=ws';
  assert.ok(serialize(m).toString().startsWith('OPTIONS sip:bob@192.0.2.7:5060;transport=ws SIP/2.0\r\n'));
});

test('non-ASCII values set by the caller go out as UTF-8; received bytes stay as they were', () => {
  const m = parsed(msg([...BASIC.slice(0, 7), 'Subject: caf\xc3\xa9']));
  m.set('X-Name', 'Алиса');
  const out = serialize(m);
  assert.ok(out.includes(Buffer.from('X-Name: Алиса\r\n', 'utf8')));
  assert.ok(out.includes(Buffer.from('Subject: café\r\n', 'utf8')));
});
