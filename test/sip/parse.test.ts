import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS, makeLimits, parseMessage, SipError } from '../../src/sip/index.js';
import { BASIC, msg, wire } from './fixtures.js';

function parsed(buf: Buffer) {
  const r = parseMessage(buf);
  if (!r.ok) assert.fail(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

function failure(buf: Buffer, mode?: 'websocket' | 'datagram' | 'stream') {
  const r = parseMessage(buf, DEFAULT_LIMITS, mode);
  assert.equal(r.ok, false, 'expected a parse error');
  if (r.ok) throw new Error('unreachable');
  assert.ok(r.error instanceof SipError);
  return r.error;
}

test('a request: method, Request-URI, headers in order, values trimmed', () => {
  const m = parsed(msg(BASIC));
  assert.equal(m.kind, 'request');
  assert.equal(m.method, 'OPTIONS');
  assert.equal(m.requestUri, 'sip:bob@example.com');
  assert.equal(m.headerCount, 7);
  assert.deepEqual(
    m.headers.map((h) => h.key),
    ['via', 'max-forwards', 'to', 'from', 'call-id', 'cseq', 'content-length'],
  );
  assert.equal(m.get('call-id'), 'a84b4c76e66710');
  assert.equal(m.body.length, 0);
});

test('a response: status and reason, including an empty reason', () => {
  const lines = [
    'SIP/2.0 180 Ringing',
    'Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1',
    'To: <sip:b@x>;tag=2',
    'From: <sip:a@x>;tag=1',
    'Call-ID: c',
    'CSeq: 1 INVITE',
  ];
  const m = parsed(msg(lines));
  assert.equal(m.kind, 'response');
  assert.equal(m.status, 180);
  assert.equal(m.reason, 'Ringing');
  const empty = parsed(msg(['SIP/2.0 100 ', ...lines.slice(1)]));
  assert.equal(empty.status, 100);
  assert.equal(empty.reason, '');
});

test('header names are case-insensitive and compact forms expand', () => {
  const m = parsed(
    msg([
      'INVITE sip:b@x SIP/2.0',
      'v: SIP/2.0/UDP h;branch=z9hG4bK1',
      't: <sip:b@x>',
      'f: <sip:a@x>;tag=1',
      'i: cid',
      'CSEQ: 1 INVITE',
      'm: <sip:a@h>',
      'l: 0',
      'c: application/sdp',
      'k: timer',
      's: hello',
      'e: gzip',
      'o: presence',
      'u: presence',
      'r: <sip:c@x>',
      'b: <sip:d@x>',
      'x: 90',
      'y: abc',
    ]),
  );
  assert.equal(m.get('Via'), 'SIP/2.0/UDP h;branch=z9hG4bK1');
  assert.equal(m.get('TO'), '<sip:b@x>');
  assert.equal(m.get('call-id'), 'cid');
  assert.equal(m.get('Contact'), '<sip:a@h>');
  assert.equal(m.get('content-length'), '0');
  assert.equal(m.get('Content-Type'), 'application/sdp');
  assert.equal(m.get('Supported'), 'timer');
  assert.equal(m.get('Subject'), 'hello');
  assert.equal(m.get('Content-Encoding'), 'gzip');
  assert.equal(m.get('Event'), 'presence');
  assert.equal(m.get('Allow-Events'), 'presence');
  assert.equal(m.get('Refer-To'), '<sip:c@x>');
  assert.equal(m.get('Referred-By'), '<sip:d@x>');
  assert.equal(m.get('Session-Expires'), '90');
  assert.equal(m.get('Identity'), 'abc');
  // Compact names map both ways: asking by compact name finds the long form too.
  assert.equal(m.get('v'), m.get('via'));
});

test('repeated headers and comma lists split, respecting quotes and <>', () => {
  const m = parsed(
    msg([
      ...BASIC.slice(0, 7),
      'Contact: "A, B" <sip:a@h;x=1,2>;q=0.5, <sip:b@h>',
      'Contact: sip:c@h',
      'Route: <sip:p1;lr>,<sip:p2;lr>',
      'Route: <sip:p3;lr>',
      'Supported: path, gruu ,outbound',
      'X-Custom: a, b',
    ]),
  );
  const contacts = m.values('contact');
  assert.ok(contacts.ok);
  assert.deepEqual(contacts.value, ['"A, B" <sip:a@h;x=1,2>;q=0.5', '<sip:b@h>', 'sip:c@h']);
  const routes = m.routes();
  assert.ok(routes.ok);
  assert.deepEqual(
    routes.value.map((r) => r.uri),
    ['sip:p1;lr', 'sip:p2;lr', 'sip:p3;lr'],
  );
  assert.deepEqual(m.supported(), ['path', 'gruu', 'outbound']);
  // Unknown headers are not lists: their value is kept whole.
  const x = m.values('x-custom');
  assert.ok(x.ok);
  assert.deepEqual(x.value, ['a, b']);
});

test('obsolete line folding is unfolded to a single space (RFC 3261 §7.3.1)', () => {
  const m = parsed(
    msg([
      ...BASIC.slice(0, 7),
      'Subject: I know you are there,',
      '   pick up the phone',
      '\tand talk to me!',
    ]),
  );
  assert.equal(m.get('subject'), 'I know you are there, pick up the phone and talk to me!');
});

test('unknown headers are kept in their order', () => {
  const m = parsed(msg([...BASIC.slice(0, 2), 'X-B: 2', ...BASIC.slice(2, 4), 'X-A: 1', ...BASIC.slice(4)]));
  assert.deepEqual(
    m.headers.filter((h) => h.key.startsWith('x-')).map((h) => `${h.name}=${h.value}`),
    ['X-B=2', 'X-A=1'],
  );
});

test('leading CRLFs before the start line are skipped (RFC 3261 §7.5)', () => {
  const m = parsed(Buffer.concat([Buffer.from('\r\n\r\n\r\n'), msg(BASIC)]));
  assert.equal(m.method, 'OPTIONS');
});

test('body is framed by Content-Length; over WebSocket a mismatch is 400', () => {
  const lines = [...BASIC.slice(0, 7), 'Content-Type: text/plain', 'Content-Length: 5'];
  assert.equal(parsed(msg(lines, 'hello')).body.toString(), 'hello');
  for (const body of ['hell', 'hello!']) {
    const e = failure(msg(lines, body));
    assert.equal(e.code, 'SIP_BODY_MISMATCH');
    assert.equal(e.outcome.sip, 400);
  }
  // RFC 7118 §5.1: Content-Length is optional over WebSocket: the frame is the message.
  const noCl = parsed(msg([...BASIC.slice(0, 7), 'Content-Type: text/plain'], 'hi there'));
  assert.equal(noCl.body.toString(), 'hi there');
});

test('datagram mode discards bytes beyond Content-Length (RFC 3261 §18.3)', () => {
  const buf = msg([...BASIC.slice(0, 7), 'Content-Length: 2'], 'hiEXTRA');
  const r = parseMessage(buf, DEFAULT_LIMITS, 'datagram');
  assert.ok(r.ok);
  assert.equal(r.value.body.toString(), 'hi');
  assert.equal(
    failure(msg([...BASIC.slice(0, 7), 'Content-Length: 20'], 'hi'), 'datagram').code,
    'SIP_BODY_MISMATCH',
  );
});

test('malformed input gives typed errors with stable codes and SIP statuses', () => {
  const cases: Array<[Buffer, string, number]> = [
    [Buffer.alloc(0), 'SIP_EMPTY', 400],
    [Buffer.from('\r\n'), 'SIP_EMPTY', 400],
    [Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n'), 'SIP_NO_HEADER_END', 400],
    [msg(['OPTIONS sip:a@b SIP/3.0', ...BASIC.slice(1)]), 'SIP_BAD_VERSION', 505],
    [msg(['OPTIONS sip:a@b HTTP/1.1', ...BASIC.slice(1)]), 'SIP_BAD_START_LINE', 400],
    [msg(['OPTIONS  sip:a@b SIP/2.0', ...BASIC.slice(1)]), 'SIP_BAD_START_LINE', 400],
    [msg(['OPT(IONS sip:a@b SIP/2.0', ...BASIC.slice(1)]), 'SIP_BAD_METHOD', 400],
    [msg(['SIP/2.0 1000 Huge', ...BASIC.slice(1)]), 'SIP_BAD_STATUS', 400],
    [msg(['SIP/2.0 099 Low', ...BASIC.slice(1)]), 'SIP_BAD_STATUS', 400],
    [msg([...BASIC, 'No colon here']), 'SIP_BAD_HEADER', 400],
    [msg([...BASIC, 'Bad Name: x']), 'SIP_BAD_HEADER', 400],
    [msg([...BASIC, ': empty name']), 'SIP_BAD_HEADER', 400],
    [msg(BASIC.filter((l) => !l.startsWith('Call-ID'))), 'SIP_MISSING_HEADER', 400],
    [msg(BASIC.filter((l) => !l.startsWith('Via'))), 'SIP_MISSING_HEADER', 400],
    [msg([...BASIC.slice(0, 7), 'Content-Length: -1']), 'SIP_BAD_CONTENT_LENGTH', 400],
    [
      msg([...BASIC.slice(0, 7), 'Content-Length: 0', 'Content-Length: 3'], 'abc'),
      'SIP_DUPLICATE_HEADER',
      400,
    ],
    [Buffer.from(`${BASIC.join('\n')}\n\n`), 'SIP_NO_HEADER_END', 400],
    [Buffer.from(`${BASIC[0]}\r\n${BASIC.slice(1).join('\n')}\r\n\r\n`), 'SIP_BAD_HEADER', 400],
    // Without the empty line that is the error, whatever else is wrong before it.
    [Buffer.from(`${BASIC[0]}\r\nNo colon here\r\n`), 'SIP_NO_HEADER_END', 400],
    [Buffer.from(`OPT(IONS sip:a@b SIP/2.0\r\n${BASIC.slice(1).join('\r\n')}\r\n`), 'SIP_NO_HEADER_END', 400],
    [Buffer.from(`${BASIC.join('\r\n')}\r\n \r\n`), 'SIP_NO_HEADER_END', 400],
    // Only the head is checked: a bare LF or a bad line after the empty line is body.
    [msg(BASIC, 'No colon\n'), 'SIP_BODY_MISMATCH', 400],
  ];
  for (const [buf, code, sip] of cases) {
    const e = failure(buf);
    assert.equal(e.code, code, `${JSON.stringify(buf.toString().slice(0, 40))}: ${e.message}`);
    assert.equal(e.outcome.sip, sip);
  }
});

test('limits: message size 513, header count 513, header line 513, start line 414, Via count 513', () => {
  const small = makeLimits({ maxMessageSize: 2048, maxHeaders: 10, maxHeaderLineLength: 300, maxVia: 3 });
  const check = (buf: Buffer, code: string, sip: number) => {
    const r = parseMessage(buf, small);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, code);
      assert.equal(r.error.outcome.sip, sip);
    }
  };
  check(msg([...BASIC.slice(0, 7), 'Content-Length: 3000'], 'x'.repeat(3000)), 'SIP_TOO_LARGE', 513);
  check(msg([...BASIC, 'A: 1', 'B: 2', 'C: 3', 'D: 4']), 'SIP_TOO_MANY_HEADERS', 513);
  check(msg([...BASIC, `X-Long: ${'a'.repeat(400)}`]), 'SIP_HEADER_TOO_LONG', 513);
  check(msg([`OPTIONS sip:${'a'.repeat(400)}@b SIP/2.0`, ...BASIC.slice(1)]), 'SIP_URI_TOO_LONG', 414);
  const vias = [
    'Via: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2',
    'Via: SIP/2.0/UDP c, SIP/2.0/UDP d',
  ];
  check(msg([BASIC[0]!, ...vias, ...BASIC.slice(2)]), 'SIP_TOO_MANY_VIA', 513);
  // Exactly at the limit passes.
  assert.ok(parseMessage(msg([BASIC[0]!, vias[0]!, 'Via: SIP/2.0/UDP c', ...BASIC.slice(2)]), small).ok);
});

test('makeLimits rejects nonsense at once (programmer error)', () => {
  assert.throws(() => makeLimits({ maxVia: 0 }), RangeError);
  assert.throws(() => makeLimits({ maxHeaders: 1.5 }), RangeError);
  assert.throws(() => makeLimits({ nope: 1 } as never), TypeError);
  assert.equal(makeLimits({ maxVia: 5 }).maxVia, 5);
  assert.ok(Object.isFrozen(DEFAULT_LIMITS));
});

test('JsSIP REGISTER: typed values', () => {
  const m = parsed(wire('jssip-node-REGISTER.sip'));
  const via = m.topVia();
  assert.ok(via.ok);
  assert.equal(via.value.transport, 'WSS');
  assert.equal(via.value.host, 'k0eiuqlo5c47.invalid');
  assert.equal(via.value.port, undefined);
  assert.equal(via.value.branch, 'z9hG4bK9635404');
  assert.equal(via.value.hasRport, false);
  const contacts = m.contacts();
  assert.ok(contacts.ok);
  const c = contacts.value[0];
  assert.ok(c !== undefined && c.star !== true);
  assert.equal(c.uri, 'sip:2dbbteav@k0eiuqlo5c47.invalid;transport=ws');
  assert.equal(c.params.get('+sip.instance'), '"<urn:uuid:461588c4-d431-45e3-8b72-c6226465b3d6>"');
  assert.equal(c.params.get('reg-id'), '1');
  assert.equal(c.params.get('expires'), '600');
  assert.equal(c.params.has('+sip.ice'), true);
  const cseq = m.cseq();
  assert.ok(cseq.ok);
  assert.deepEqual(cseq.value, { seq: 1, method: 'REGISTER' });
  const exp = m.expires();
  assert.ok(exp.ok && exp.value === 600);
  const mf = m.maxForwards();
  assert.ok(mf.ok && mf.value === 69);
  const from = m.from();
  assert.ok(from.ok && from.value.tag === 'kchtbue23i');
  const to = m.to();
  assert.ok(to.ok && to.value.tag === undefined);
  assert.deepEqual(m.supported(), ['path', 'gruu', 'outbound']);
  const callId = m.callId();
  assert.ok(callId.ok && callId.value === '3tcfsbi8c3manhn8oji7ii');
  const cl = m.contentLength();
  assert.ok(cl.ok && cl.value === 0);
});

test('JsSIP INVITE with WebRTC SDP: body, Content-Type', () => {
  const m = parsed(wire('jssip-chromium-INVITE.sip'));
  assert.equal(m.body.length, 1552);
  assert.ok(m.body.toString('latin1').startsWith('v=0\r\n'));
  const ct = m.contentType();
  assert.ok(ct.ok && ct.value !== undefined);
  assert.equal(`${ct.value.type}/${ct.value.subtype}`, 'application/sdp');
});

test('typed values are cached, and re-read after the header changes', () => {
  const m = parsed(wire('jssip-node-REGISTER.sip'));
  const a = m.cseq();
  assert.equal(m.cseq(), a);
  m.set('CSeq', '2 REGISTER');
  const b = m.cseq();
  assert.ok(b.ok && b.value.seq === 2);
});

test('header names: usual spellings, other cases, LWS before the colon, unknown names', () => {
  const m = parsed(
    msg([
      ...BASIC,
      'CONTACT: <sip:a@h>',
      'contact : <sip:b@h>',
      'Record-Route: <sip:p1;lr>',
      'record-ROUTE\t: <sip:p2;lr>',
      'X-Custom-Thing: 1',
      'x-custom-thing: 2',
      'Session-Expires:90',
    ]),
  );
  assert.deepEqual(
    m.headers.slice(7).map((h) => [h.name, h.key, h.value]),
    [
      ['CONTACT', 'contact', '<sip:a@h>'],
      ['contact', 'contact', '<sip:b@h>'],
      ['Record-Route', 'record-route', '<sip:p1;lr>'],
      ['record-ROUTE', 'record-route', '<sip:p2;lr>'],
      ['X-Custom-Thing', 'x-custom-thing', '1'],
      ['x-custom-thing', 'x-custom-thing', '2'],
      ['Session-Expires', 'session-expires', '90'],
    ],
  );
  assert.deepEqual(m.getAll('X-CUSTOM-THING'), ['1', '2']);
  assert.equal(m.get('content-length'), '0');
});

test('hasOptionTag agrees with supported() / require() over spellings, spaces, lines and bad quoting', () => {
  const lines: string[][] = [
    [],
    ['Supported: outbound'],
    ['Supported: OutBound'],
    ['Supported: path,gruu,outbound'],
    ['Supported: path , outbound , gruu'],
    ['Supported: path', 'Supported: outbound'],
    ['Supported: outbound\xa0'],
    ['Supported: path, outbound\xa0'],
    ['Supported: \xa0outbound'],
    ['Supported: outbounds'],
    ['Supported: out bound'],
    ['Supported: ,,outbound,,'],
    ['Supported: "outbound"'],
    ['Supported: "a,outbound'],
    ['Supported: outbound', 'Supported: "x'],
    ['Supported: <outbound>, outbound'],
    ['Supported: outbound, "x'],
    ['Supported: outbound,path', 'Supported: <x'],
    ['Supported: \toutbound ,'],
    ['Supported: xoutbound,outbound'],
    ['Supported: outboundx,path'],
    ['Supported: outbound,<x>'],
    ['Supported: path,outbound,"x"'],
    ['Supported: gruu,outbound', 'Supported: path'],
    ['k: outbound'],
    ['Require: outbound'],
  ];
  for (const extra of lines) {
    const m = parsed(msg([...BASIC.slice(0, 7), ...extra]));
    for (const [name, list] of [
      ['supported', m.supported()],
      ['require', m.require()],
    ] as const) {
      const general = list.some((t) => t.toLowerCase() === 'outbound');
      assert.equal(m.hasOptionTag(name, 'outbound'), general, `${name}: ${JSON.stringify(extra)}`);
    }
  }
});

test('contentLength() is what the parser framed with, and is read again after a change', () => {
  const head =
    'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/WSS h.invalid;branch=z9hG4bKx\r\nTo: <sip:a@b>\r\nFrom: <sip:c@b>;tag=1\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n';
  const none = parsed(Buffer.from(`${head}\r\n`, 'latin1'));
  assert.deepEqual(none.contentLength(), { ok: true, value: undefined });
  const folded = parsed(Buffer.from(`${head}l:\r\n 5\r\nContent-Length: 005\r\n\r\nhello`, 'latin1'));
  assert.deepEqual(folded.contentLength(), { ok: true, value: 5 });
  folded.set('Content-Length', '7');
  assert.deepEqual(folded.contentLength(), { ok: true, value: 7 });
});
