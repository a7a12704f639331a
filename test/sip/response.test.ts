import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addReceived,
  createResponse,
  parseMessage,
  type SipMessage,
  serialize,
} from '../../src/sip/index.js';
import { BASIC, msg, wire } from './fixtures.js';

function parsed(buf: Buffer): SipMessage {
  const r = parseMessage(buf);
  if (!r.ok) assert.fail(r.error.message);
  return r.value;
}

test('RFC 3261 §8.2.6: Via, From, Call-ID, CSeq copied byte for byte; To gets a tag', () => {
  const req = parsed(wire('jssip-node-REGISTER.sip'));
  const r = createResponse(req, 200, undefined, {
    toTag: 'srvtag1',
    headers: [['Contact', '<sip:x@y>;expires=600']],
  });
  assert.ok(r.ok);
  const out = serialize(r.value).toString('latin1');
  const src = wire('jssip-node-REGISTER.sip').toString('latin1');
  assert.ok(out.startsWith('SIP/2.0 200 OK\r\n'));
  for (const name of ['Via', 'From', 'Call-ID', 'CSeq']) {
    const line = src.split('\r\n').find((l) => l.startsWith(`${name}:`));
    assert.ok(line !== undefined && out.includes(`\r\n${line}\r\n`), name);
  }
  const res = parsed(serialize(r.value));
  const to = res.to();
  assert.ok(to.ok && to.value.tag === 'srvtag1' && to.value.uri === 'sip:alice@127.0.0.1');
  assert.equal(res.get('contact'), '<sip:x@y>;expires=600');
  assert.equal(res.get('content-length'), '0');
  assert.equal(res.has('max-forwards'), false);
  assert.equal(res.has('user-agent'), false);
});

test('an existing To tag is kept; 100 Trying gets no tag and copies Timestamp', () => {
  const inDialog = parsed(wire('jssip-chromium-BYE.sip'));
  const r = createResponse(inDialog, 200);
  assert.ok(r.ok);
  const to = r.value.to();
  const reqTo = inDialog.to();
  assert.ok(to.ok && reqTo.ok && to.value.tag === reqTo.value.tag);

  const inv = parsed(msg([...BASIC.slice(0, 7), 'Timestamp: 54']));
  const trying = createResponse(inv, 100);
  assert.ok(trying.ok);
  const tTo = trying.value.to();
  assert.ok(tTo.ok && tTo.value.tag === undefined);
  assert.equal(trying.value.get('timestamp'), '54');
  assert.equal(trying.value.reason, 'Trying');
});

test('all Via values keep their order; reason defaults by status; body and Content-Type', () => {
  const req = parsed(
    msg([
      'MESSAGE sip:b@x SIP/2.0',
      'Via: SIP/2.0/WSS p1;branch=z9hG4bK3',
      'Via: SIP/2.0/WSS p2;branch=z9hG4bK2, SIP/2.0/WSS c.invalid;branch=z9hG4bK1',
      ...BASIC.slice(2, 6),
      'CSeq: 5 MESSAGE',
    ]),
  );
  const r = createResponse(req, 488, undefined, { body: 'v=0\r\n', contentType: 'application/sdp' });
  assert.ok(r.ok);
  const res = parsed(serialize(r.value));
  assert.equal(res.reason, 'Not Acceptable Here');
  const vias = res.vias();
  assert.ok(vias.ok);
  assert.deepEqual(
    vias.value.map((v) => v.host),
    ['p1', 'p2', 'c.invalid'],
  );
  assert.equal(res.body.toString(), 'v=0\r\n');
  assert.equal(res.get('content-type'), 'application/sdp');
  const random = createResponse(req, 404);
  assert.ok(random.ok);
  const rt = random.value.to();
  assert.ok(rt.ok && typeof rt.value.tag === 'string' && rt.value.tag.length > 0);
});

test('createResponse refuses a response as input', () => {
  const res = parsed(wire('jssip-chromium-resp-200-BYE.sip'));
  assert.equal(createResponse(res, 200).ok, false);
});

test('a response copies the lines as they are: compact names, folding, a changed Via; the first To only', () => {
  const req = parsed(
    msg([
      'OPTIONS sip:b@x SIP/2.0',
      'v: SIP/2.0/WSS c.invalid;branch=z9hG4bK7;rport',
      'f: <sip:a@x>;tag=1',
      't:   <sip:b@x>',
      'To: <sip:other@x>',
      'i: folded',
      '  call-id',
      'CSeq: 1 OPTIONS',
      'Subject: dropped',
    ]),
  );
  addReceived(req, { address: '192.0.2.1', port: 5 });
  const r = createResponse(req, 200, undefined, { toTag: 'x1 ' });
  assert.ok(r.ok);
  const out = serialize(r.value).toString('latin1');
  assert.ok(out.includes('\r\nv: SIP/2.0/WSS c.invalid;branch=z9hG4bK7;rport=5;received=192.0.2.1\r\n'));
  assert.ok(out.includes('\r\nf: <sip:a@x>;tag=1\r\n'));
  assert.ok(out.includes('\r\nt: <sip:b@x>;tag=x1\r\n'));
  assert.ok(out.includes('\r\ni: folded\r\n  call-id\r\n'));
  assert.ok(!out.includes('other') && !out.includes('Subject'));
  // The request itself is unchanged by building its response.
  assert.ok(serialize(req).toString('latin1').includes('\r\nt:   <sip:b@x>\r\nTo: <sip:other@x>\r\n'));
});

test('copy: changes to a copy leave the original as received', () => {
  const req = parsed(wire('jssip-node-REGISTER.sip'));
  const before = serialize(req).toString('latin1');
  const copy = req.copy();
  copy.add('Via', 'SIP/2.0/WSS proxy.invalid;branch=z9hG4bKp', 'top');
  copy.requestUri = 'sip:elsewhere';
  assert.equal(serialize(req).toString('latin1'), before);
  const again = parsed(serialize(copy));
  assert.equal(again.requestUri, 'sip:elsewhere');
  const vias = again.vias();
  assert.ok(vias.ok && vias.value.length === 2 && vias.value[0]!.host === 'proxy.invalid');
});
