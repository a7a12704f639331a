import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FramerEvent, makeLimits, SipStreamFramer } from '../../src/sip/index.js';
import { BASIC, msg, wire } from './fixtures.js';

function summary(events: FramerEvent[]): string[] {
  return events.map((e) =>
    e.type === 'message'
      ? `message:${e.message.isRequest ? e.message.method : e.message.status}:${e.message.body.length}`
      : e.type === 'error'
        ? `error:${e.error.code}:${e.fatal ? 'fatal' : 'resync'}`
        : e.type,
  );
}

test('messages framed by Content-Length, keepalives reported, CRLFs between messages skipped', () => {
  const f = new SipStreamFramer();
  const invite = wire('jssip-chromium-INVITE.sip');
  const reg = wire('sipjs-node-REGISTER.sip');
  const stream = Buffer.concat([
    Buffer.from('\r\n\r\n'),
    invite,
    Buffer.from('\r\n'),
    reg,
    Buffer.from('\r\n\r\n'),
    wire('jssip-node-MESSAGE.sip'),
  ]);
  const ev = f.push(stream);
  assert.deepEqual(summary(ev), [
    'ping',
    'message:INVITE:1552',
    'pong',
    'message:REGISTER:0',
    'ping',
    'message:MESSAGE:40',
  ]);
  assert.equal(f.pending, 0);
});

test('a message split anywhere comes out once, when complete', () => {
  const invite = wire('jssip-chromium-INVITE.sip');
  for (const cut of [1, 10, 100, 500, invite.indexOf('\r\n\r\n') + 2, invite.length - 1]) {
    const f = new SipStreamFramer();
    assert.deepEqual(f.push(invite.subarray(0, cut)), []);
    const ev = f.push(invite.subarray(cut));
    assert.deepEqual(summary(ev), ['message:INVITE:1552'], `cut at ${cut}`);
  }
  // Byte by byte.
  const f = new SipStreamFramer();
  const all: FramerEvent[] = [];
  for (let i = 0; i < invite.length; i++) all.push(...f.push(invite.subarray(i, i + 1)));
  assert.deepEqual(summary(all), ['message:INVITE:1552']);
});

test('a lone CRLF waits for the next byte to tell ping from pong', () => {
  const f = new SipStreamFramer();
  assert.deepEqual(f.push(Buffer.from('\r\n')), []);
  assert.deepEqual(summary(f.push(Buffer.from('\r\n'))), ['ping']);
  assert.deepEqual(f.push(Buffer.from('\r\n')), []);
  assert.deepEqual(summary(f.push(msg(BASIC))), ['pong', 'message:OPTIONS:0']);
});

test('a malformed message with a known extent is a non-fatal error; the framer resynchronises', () => {
  const f = new SipStreamFramer();
  const bad = msg(['GARBAGE LINE', 'Content-Length: 3'], 'abc');
  const ev = f.push(Buffer.concat([bad, msg(BASIC)]));
  assert.deepEqual(summary(ev), ['error:SIP_BAD_START_LINE:resync', 'message:OPTIONS:0']);
});

test('missing Content-Length on a stream: error, body assumed empty, framing continues', () => {
  const f = new SipStreamFramer();
  const ev = f.push(Buffer.concat([msg(BASIC.slice(0, 7)), msg(BASIC)]));
  assert.deepEqual(summary(ev), ['error:SIP_MISSING_CONTENT_LENGTH:resync', 'message:OPTIONS:0']);
});

test('fatal framing errors: unreadable Content-Length, oversized head or body; later input refused', () => {
  const limits = makeLimits({ maxMessageSize: 1024 });
  const a = new SipStreamFramer(limits);
  assert.deepEqual(summary(a.push(msg([...BASIC.slice(0, 7), 'Content-Length: abc']))), [
    'error:SIP_BAD_CONTENT_LENGTH:fatal',
  ]);
  assert.equal(a.failed, true);
  assert.deepEqual(summary(a.push(msg(BASIC))), ['error:SIP_BAD_CONTENT_LENGTH:fatal']);

  const b = new SipStreamFramer(limits);
  assert.deepEqual(summary(b.push(msg([...BASIC.slice(0, 7), 'Content-Length: 5000']))), [
    'error:SIP_BODY_TOO_LARGE:fatal',
  ]);

  const c = new SipStreamFramer(limits);
  const ev = c.push(Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nX: ${'a'.repeat(2000)}`));
  assert.deepEqual(summary(ev), ['error:SIP_TOO_LARGE:fatal']);
  assert.equal(c.pending, 0);
});

test('messages cut from one chunk are not corrupted by later chunks', () => {
  const f = new SipStreamFramer();
  const one = msg(BASIC);
  const ev = f.push(Buffer.concat([one, one.subarray(0, 50)]));
  assert.equal(ev.length, 1);
  const first = ev[0];
  assert.ok(first?.type === 'message');
  const before = first.message.get('call-id');
  f.push(Buffer.concat([one.subarray(50), Buffer.from('X'.repeat(500))]));
  assert.equal(first.message.get('call-id'), before);
});
