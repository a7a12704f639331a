/**
 * RFC 4475 (SIP torture test messages), §3.1.1 valid messages: each parses, serializes back
 * byte for byte, and has the values the RFC describes. The fixtures are the RFC's own bytes
 * (its Appendix A archive), checked against SHA-256 here so that an edited fixture fails.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  DEFAULT_LIMITS,
  parseMessage,
  type SipMessage,
  SipUri,
  serialize,
  unescapeUri,
  validateMessage,
} from '../../src/sip/index.js';
import { torture } from './fixtures.js';

const SHA256: Record<string, string> = {
  wsinv: 'd6f6cdee99cd0a1f8e3d9a0fdd67c877700e19ab86d8186dada06f61260e3e61',
  intmeth: 'b957a8292c1c0a9851fe94705b90f94320738f43aacde64998e401f742ef688d',
  esc01: 'be3a316d4ce5f69cad474646191e390dd4b50fc8371e44b5197fe1237781973e',
  escnull: '263fe2ecd12a5ccbb6c67b3174e9211d11da9b600e7d69666a86d2ee42873e90',
  esc02: '9a9c59449f00327b02071feafc8e5c2a261c98c818044167894cc17809a12199',
  lwsdisp: 'd1b36b6316c12824f6f04bf6b1fd1f021cade9b74871693b9c3474cd9fa7f4e6',
  longreq: '185739292bc676760e5b1cca77c87705aa570240171c506ad76f8c35af0ecdaa',
  dblreq: 'a6be48426565c2a705389c4ce2ea17e57b891cb13f80490a2cb9392c797b46ef',
  semiuri: '87bbaed6b4b354dbd3c5c7a20e66686303c63e43a0aa19b89de1ac75231611a2',
  transports: '33b4553a3b9418121b099ff07882535151edd6a1e81898c63a916aad2cbf90bc',
  mpart01: '92147c8e24997bac59629e1b163767697d0d6d499af87f89e325d69968bec3ba',
  unreason: '4f939d6ebf4817eea70f011d3209e83732872ffc20ffd304b244084dc392f4d7',
  noreason: '07e11e470a69fffa3674de805e5165d1351a9439a91045ee70c9570ea24ab4fe',
};

function load(name: string, mode: 'websocket' | 'datagram' = 'websocket'): SipMessage {
  const buf = torture(name);
  const r = parseMessage(buf, DEFAULT_LIMITS, mode);
  if (!r.ok) assert.fail(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

function ok<T>(r: { ok: true; value: T } | { ok: false; error: Error }): T {
  if (!r.ok) assert.fail(r.error.message);
  return r.value;
}

function sipUri(u: unknown): SipUri {
  assert.ok(u instanceof SipUri);
  return u;
}

test('fixtures are the RFC bytes', () => {
  for (const [name, hash] of Object.entries(SHA256)) {
    assert.equal(createHash('sha256').update(torture(name)).digest('hex'), hash, name);
  }
});

test('every valid message parses, validates, and serializes back byte for byte', () => {
  for (const name of Object.keys(SHA256)) {
    const mode = name === 'dblreq' ? 'datagram' : 'websocket';
    const m = load(name, mode);
    assert.ok(validateMessage(m).ok, name);
    if (name !== 'dblreq') assert.ok(serialize(m).equals(torture(name)), name);
  }
});

test('§3.1.1.1 wsinv: folding, LWS everywhere, compact forms, unknown headers', () => {
  const m = load('wsinv');
  assert.equal(m.method, 'INVITE');
  const ruri = sipUri(ok(m.uri()));
  assert.equal(ruri.params.has('unknownparam'), true);
  const to = ok(m.to());
  assert.equal(to.uri, 'sip:vivekg@chair-dnrc.example.com');
  assert.equal(to.tag, '1918181833n');
  const from = ok(m.from());
  assert.equal(from.displayName, '"J Rosenberg \\\\\\""');
  assert.equal(from.displayText, 'J Rosenberg \\"');
  assert.equal(from.tag, '98asjd8');
  assert.equal(ok(m.maxForwards()), 68);
  assert.equal(ok(m.callId()), 'wsinv.ndaksdj@192.0.2.1');
  assert.equal(ok(m.contentLength()), 150);
  assert.deepEqual(ok(m.cseq()), { seq: 9, method: 'INVITE' });
  const vias = ok(m.vias());
  assert.deepEqual(
    vias.map((v) => [v.transport, v.host, v.branch]),
    [
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ],
  );
  assert.equal(m.get('subject'), '');
  assert.equal(m.get('NewFangledHeader'), 'newfangled value continued newfangled value');
  assert.equal(m.get('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
  const ct = ok(m.contentType());
  assert.equal(ct?.subtype, 'sdp');
  const routes = ok(m.routes());
  assert.equal(routes.length, 1);
  const r0 = sipUri(ok(routes[0]!.parsedUri()));
  assert.equal(r0.params.get('unknownwith'), 'value');
  assert.equal(r0.params.has('unknown-no-value'), true);
  const contacts = ok(m.contacts());
  assert.equal(contacts.length, 1);
  const c = contacts[0]!;
  assert.ok(c.star !== true);
  assert.equal(c.displayName, '"Quoted string \\"\\""');
  assert.equal(c.params.get('newparam'), 'newvalue');
  assert.equal(c.params.get('secondparam'), '');
  assert.equal(c.params.get('q'), '0.33');
  assert.equal(m.body.length, 150);
});

test('§3.1.1.2 intmeth: wide range of valid characters', () => {
  const m = load('intmeth');
  assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
  const u = sipUri(ok(m.uri()));
  assert.equal(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  assert.equal(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  assert.equal(u.host, 'example.com');
  assert.equal(ok(m.topVia()).branch, "z9hG4bK-.!%66*_+`'~");
  const to = ok(m.to());
  assert.equal(to.displayText, 'BEL:\x07 NUL:\x00 DEL:\x7f');
  assert.equal(sipUri(ok(to.parsedUri())).user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  const from = ok(m.from());
  assert.equal(from.displayName, "token1~` token2'+_ token3*%!.-");
  assert.equal(from.tag, "_token~1'+`*%!-.");
  const odd = from.params.get("fromParam''~+*_!.-%");
  assert.equal(Buffer.from(odd ?? '', 'latin1').toString('utf8'), '"работающий"');
  assert.equal(ok(m.callId()), 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
  assert.deepEqual(ok(m.cseq()), { seq: 139122385, method: m.method });
  assert.equal(ok(m.maxForwards()), 255);
  assert.equal(
    Buffer.from(m.get("extensionHeader-!.%*+_`'~") ?? '', 'latin1').toString('utf8'),
    '\ufeff大停電',
  );
});

test('§3.1.1.3 esc01: valid % escapes', () => {
  const m = load('esc01');
  const ruri = sipUri(ok(m.uri()));
  assert.equal(unescapeUri(ruri.user ?? ''), 'sips:user@example.com');
  assert.equal(ruri.host, 'example.net');
  assert.equal(unescapeUri(sipUri(ok(ok(m.to()).parsedUri())).user ?? ''), 'user');
  assert.equal(unescapeUri(sipUri(ok(ok(m.from()).parsedUri())).user ?? ''), 'I have spaces');
  const c = ok(m.contacts())[0]!;
  assert.ok(c.star !== true);
  const cu = sipUri(ok(c.parsedUri()));
  assert.equal(unescapeUri(cu.user ?? ''), 'caller');
  assert.deepEqual(
    cu.params.list.map((p) => [
      unescapeUri(p.name),
      p.value === undefined ? undefined : unescapeUri(p.value),
    ]),
    [
      ['lr', undefined],
      ['name', 'value%41'],
    ],
  );
});

test('§3.1.1.4 escnull: escaped NULs in URIs', () => {
  const m = load('escnull');
  assert.equal(unescapeUri(sipUri(ok(ok(m.to()).parsedUri())).user ?? ''), 'null-\0-null');
  const contacts = ok(m.contacts());
  assert.equal(contacts.length, 2);
  assert.equal(ok(m.contentLength()), 0);
});

test('§3.1.1.5 esc02: % is not an escape in methods and header names', () => {
  const m = load('esc02');
  assert.equal(m.method, 'RE%47IST%45R');
  assert.notEqual(m.method, 'REGISTER');
  assert.equal(ok(m.cseq()).method, 'RE%47IST%45R');
  assert.equal(ok(m.to()).displayName, '"%Z%45"');
  // C%6Fntact is an unknown header, not a Contact.
  assert.equal(ok(m.contacts()).length, 2);
  assert.equal(m.get('C%6Fntact'), '<sip:alias2@host2.example.com>');
});

test('§3.1.1.6 lwsdisp: no LWS between display name and <', () => {
  const from = ok(load('lwsdisp').from());
  assert.equal(from.displayName, 'caller');
  assert.equal(from.uri, 'sip:caller@example.com');
});

test('§3.1.1.7 longreq: long values and 34 Vias', () => {
  const m = load('longreq');
  const vias = ok(m.vias());
  assert.equal(vias.length, 34);
  assert.equal(vias[0]?.host, 'sip33.example.com');
  assert.equal(vias[33]?.received, '192.0.2.5');
  assert.ok(ok(m.to()).displayText?.startsWith('I have a user name of extremeextreme'));
  assert.equal(ok(m.from()).tag?.length, 155);
  assert.equal(ok(m.contacts()).length, 1);
  assert.equal(m.body.length, 150);
});

test('§3.1.1.8 dblreq: bytes after Content-Length are discarded (datagram)', () => {
  const m = load('dblreq', 'datagram');
  assert.equal(m.method, 'REGISTER');
  assert.equal(m.body.length, 0);
  // Over WebSocket one frame is one message: trailing bytes make it invalid (RFC 7118 §5.1).
  const ws = parseMessage(torture('dblreq'));
  assert.ok(!ws.ok && ws.error.code === 'SIP_BODY_MISMATCH');
});

test('§3.1.1.9 semiuri: ; in the user part', () => {
  const m = load('semiuri');
  const u = sipUri(ok(m.uri()));
  assert.equal(u.user, 'user;par=u%40example.net');
  assert.equal(u.host, 'example.com');
  assert.equal(u.params.size, 0);
  assert.equal(
    m.get('accept'),
    'application/sdp, application/pkcs7-mime, multipart/mixed, multipart/signed, message/sip, message/sipfrag',
  );
});

test('§3.1.1.10 transports: UDP, SCTP, TLS, an unknown transport, TCP', () => {
  assert.deepEqual(
    ok(load('transports').vias()).map((v) => v.transport),
    ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'],
  );
});

test('§3.1.1.11 mpart01: multipart body with binary content', () => {
  const m = load('mpart01');
  assert.equal(m.body.length, 553);
  const ct = ok(m.contentType());
  assert.equal(`${ct?.type}/${ct?.subtype}`, 'multipart/mixed');
  assert.equal(ct?.params.get('boundary'), '7a9cbec02ceef655');
  assert.equal(ok(m.topVia()).hasRport, true);
});

test('§3.1.1.12 unreason: UTF-8 reason phrase', () => {
  const m = load('unreason');
  assert.equal(m.status, 200);
  assert.equal(
    Buffer.from(m.reason, 'latin1').toString('utf8'),
    '= 2**3 * 5**2 но сто девяносто девять - простое',
  );
});

test('§3.1.1.13 noreason: empty reason phrase', () => {
  const m = load('noreason');
  assert.equal(m.status, 100);
  assert.equal(m.reason, '');
});
