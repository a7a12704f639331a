/**
 * RFC 4475 §3.1.2 (invalid messages), §3.2 (transaction layer), §3.3 (application layer) and
 * §3.4 (RFC 2543 compatibility): each is rejected with the status the RFC expects, or parses
 * and exposes exactly what the deciding layer needs. Messages arrived over UDP in the RFC, so
 * they are parsed as datagrams unless a test says otherwise.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  contactExpires,
  DEFAULT_LIMITS,
  decrementMaxForwards,
  parseMessage,
  parseSipUri,
  type SipErrorCode,
  type SipMessage,
  SipStreamFramer,
  SipUri,
  validateMessage,
} from '../../src/sip/index.js';
import { firstContact, torture } from './fixtures.js';

function parse(name: string): SipMessage {
  const r = parseMessage(torture(name), DEFAULT_LIMITS, 'datagram');
  if (!r.ok) assert.fail(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

/** Rejected by the parser itself. */
function rejectedByParser(name: string, code: SipErrorCode, sip: number): void {
  const r = parseMessage(torture(name), DEFAULT_LIMITS, 'datagram');
  assert.ok(!r.ok, `${name} should not parse`);
  assert.equal(r.error.code, code, `${name}: ${r.error.message}`);
  assert.equal(r.error.outcome.sip, sip, name);
}

/** Parses (a proxy can forward it untouched) but fails full validation. */
function rejectedByValidation(name: string, code: SipErrorCode, sip: number): SipMessage {
  const m = parse(name);
  const v = validateMessage(m);
  assert.ok(!v.ok, `${name} should fail validation`);
  assert.equal(v.error.code, code, `${name}: ${v.error.message}`);
  assert.equal(v.error.outcome.sip, sip, name);
  return m;
}

function valid(name: string): SipMessage {
  const m = parse(name);
  const v = validateMessage(m);
  assert.ok(v.ok, `${name}: ${v.ok ? '' : v.error.message}`);
  return m;
}

test('§3.1.2.1 badinv01: extraneous separators in Via and Contact → 400', () => {
  rejectedByValidation('badinv01', 'SIP_BAD_VIA', 400);
});

test('§3.1.2.2 clerr: Content-Length larger than the datagram → 400; a stream waits', () => {
  rejectedByParser('clerr', 'SIP_BODY_MISMATCH', 400);
  const f = new SipStreamFramer();
  assert.deepEqual(f.push(torture('clerr')), []);
  assert.ok(f.pending > 0);
});

test('§3.1.2.3 ncl: negative Content-Length → 400; on a stream the connection is lost', () => {
  rejectedByParser('ncl', 'SIP_BAD_CONTENT_LENGTH', 400);
  const ev = new SipStreamFramer().push(torture('ncl'));
  assert.equal(ev.length, 1);
  assert.ok(ev[0]?.type === 'error' && ev[0].fatal && ev[0].error.code === 'SIP_BAD_CONTENT_LENGTH');
});

test('§3.1.2.4 scalar02: overlarge CSeq → 400; overlarge Max-Forwards and expiry values are errors too', () => {
  const m = rejectedByValidation('scalar02', 'SIP_BAD_CSEQ', 400);
  assert.equal(m.maxForwards().ok, false);
  assert.equal(m.expires().ok, false);
  // RFC: an element may treat a bad expiry as the default: the helper gives no value.
  assert.equal(contactExpires(firstContact(m)), undefined);
});

test('§3.1.2.5 scalarlg: response with overlarge CSeq fails validation (to be dropped)', () => {
  const m = rejectedByValidation('scalarlg', 'SIP_BAD_CSEQ', 400);
  assert.equal(m.status, 503);
});

test('§3.1.2.6 quotbal: unterminated quoted display name → 400', () => {
  rejectedByValidation('quotbal', 'SIP_BAD_NAME_ADDR', 400);
});

test('§3.1.2.7 ltgtruri: <> around the Request-URI → 400', () => {
  rejectedByParser('ltgtruri', 'SIP_BAD_START_LINE', 400);
});

test('§3.1.2.8 lwsruri: LWS inside the Request-URI → 400', () => {
  rejectedByParser('lwsruri', 'SIP_BAD_START_LINE', 400);
});

test('§3.1.2.9 lwsstart: several SP between Request-Line elements → 400', () => {
  rejectedByParser('lwsstart', 'SIP_BAD_START_LINE', 400);
});

test('§3.1.2.10 trws: SP at the end of the Request-Line → 400 (the RFC allows rejecting)', () => {
  rejectedByParser('trws', 'SIP_BAD_START_LINE', 400);
});

test('§3.1.2.11 escruri: headers in the Request-URI → 400', () => {
  rejectedByValidation('escruri', 'SIP_BAD_URI', 400);
});

test('§3.1.2.12 baddate: a bad Date is ignored (the RFC allows it; we never read Date)', () => {
  const m = valid('baddate');
  assert.equal(m.get('date'), 'Fri, 01 Jan 2010 16:00:00 EST');
});

test('§3.1.2.13 regbadct: a URI with ? outside <> in Contact → 400', () => {
  rejectedByValidation('regbadct', 'SIP_BAD_NAME_ADDR', 400);
});

test('§3.1.2.14 badaspec: spaces inside <> → 400', () => {
  rejectedByValidation('badaspec', 'SIP_BAD_NAME_ADDR', 400);
});

test('§3.1.2.15 baddn: unquoted comma in a display name → 400', () => {
  rejectedByValidation('baddn', 'SIP_BAD_NAME_ADDR', 400);
});

test('§3.1.2.16 badvers: SIP/7.0 → 505', () => {
  rejectedByParser('badvers', 'SIP_BAD_VERSION', 505);
});

test('§3.1.2.17 mismatch01: CSeq method differs from the request method → 400', () => {
  rejectedByValidation('mismatch01', 'SIP_CSEQ_METHOD_MISMATCH', 400);
});

test('§3.1.2.18 mismatch02: unknown method with mismatched CSeq → 400 (the RFC accepts 400 or 501)', () => {
  const m = rejectedByValidation('mismatch02', 'SIP_CSEQ_METHOD_MISMATCH', 400);
  assert.equal(m.method, 'NEWMETHOD');
});

test('§3.1.2.19 bigcode: overlarge status code → rejected, not a crash', () => {
  rejectedByParser('bigcode', 'SIP_BAD_STATUS', 400);
});

test('§3.2.1 badbranch: branch with the magic cookie only is not an RFC 3261 transaction id', () => {
  const v = valid('badbranch').topVia();
  assert.ok(v.ok);
  assert.equal(v.value.branch, 'z9hG4bK');
  assert.equal(v.value.rfc3261Branch, false);
});

test('§3.3.1 insuf: missing Call-ID, From, To → 400', () => {
  rejectedByParser('insuf', 'SIP_MISSING_HEADER', 400);
});

test('§3.3.2 unkscm and §3.3.3 novelsc: unknown Request-URI schemes → 416', () => {
  for (const name of ['unkscm', 'novelsc']) {
    const m = rejectedByValidation(name, 'SIP_UNSUPPORTED_URI_SCHEME', 416);
    const u = m.uri();
    assert.ok(u.ok && u.value.kind === 'other');
  }
});

test('§3.3.4 unksm2: unknown schemes in To, From, Contact parse; a registrar sees a non-SIP AoR (416)', () => {
  const m = valid('unksm2');
  const to = m.to();
  assert.ok(to.ok);
  const aor = parseSipUri(to.value.uri);
  assert.ok(!aor.ok && aor.error.outcome.sip === 416);
  const c = m.contacts();
  assert.ok(c.ok && c.value[0]?.star !== true && c.value[0]?.uri === 'name:John_Smith');
});

test('§3.3.5 bext01: Require and Proxy-Require option tags are exposed (for 420)', () => {
  const m = valid('bext01');
  assert.deepEqual(m.require(), ['nothingSupportsThis', 'nothingSupportsThisEither']);
  const pr = m.values('proxy-require');
  assert.ok(pr.ok);
  assert.deepEqual(pr.value, ['noProxiesSupportThis', 'norDoAnyProxiesSupportThis']);
});

test('§3.3.6 invut: unknown Content-Type is exposed (for 415)', () => {
  const ct = valid('invut').contentType();
  assert.ok(ct.ok && ct.value?.type === 'application' && ct.value.subtype === 'unknownformat');
});

test('§3.3.7 regaut01: unknown Authorization scheme is kept whole (for 401)', () => {
  assert.equal(valid('regaut01').get('authorization'), 'NoOneKnowsThisScheme opaque-data=here');
});

test('§3.3.8 multi01: several values in single-value fields → 400', () => {
  rejectedByValidation('multi01', 'SIP_DUPLICATE_HEADER', 400);
});

test('§3.3.9 mcl01: two different Content-Length values → 400', () => {
  rejectedByParser('mcl01', 'SIP_DUPLICATE_HEADER', 400);
});

test('§3.3.10 bcast: a broadcast Via in a response is visible to the proxy that must not use it', () => {
  const m = valid('bcast');
  const vias = m.vias();
  assert.ok(vias.ok && vias.value[1]?.host === '255.255.255.255');
});

test('§3.3.11 zeromf: Max-Forwards 0 cannot be forwarded (483)', () => {
  const m = valid('zeromf');
  assert.equal(decrementMaxForwards(m).ok, false);
});

test('§3.3.12 cparam01 and §3.3.13 cparam02: Contact parameter vs URI parameter', () => {
  const c1 = firstContact(valid('cparam01'));
  assert.equal(c1.params.has('unknownparam'), true);
  const u1 = c1.parsedUri();
  assert.ok(u1.ok && u1.value instanceof SipUri && u1.value.params.size === 0);
  const c2 = firstContact(valid('cparam02'));
  assert.equal(c2.params.size, 0);
  const u2 = c2.parsedUri();
  assert.ok(u2.ok && u2.value instanceof SipUri && u2.value.params.has('unknownparam'));
});

test('§3.3.14 regescrt: escaped header inside <> in Contact is legal and kept', () => {
  const u = firstContact(valid('regescrt')).parsedUri();
  assert.ok(u.ok && u.value instanceof SipUri && u.value.headers === 'Route=%3Csip:sip.example.com%3E');
});

test('§3.3.15 sdp01: unacceptable Accept offering is exposed (for 415)', () => {
  const a = valid('sdp01').values('accept');
  assert.ok(a.ok && a.value[0] === 'text/nobodyKnowsThis');
});

test('§3.4.1 inv2543: RFC 2543 syntax (no branch, no Max-Forwards, no Content-Length) is accepted', () => {
  const m = valid('inv2543');
  const v = m.topVia();
  assert.ok(v.ok && v.value.branch === undefined && !v.value.rfc3261Branch);
  assert.equal(m.has('max-forwards'), false);
  assert.ok(m.body.toString().startsWith('v=0\r\n'));
  const rr = m.recordRoutes();
  assert.ok(rr.ok && rr.value[0]?.uri === 'sip:UserB@example.com;maddr=ss1.example.com');
});
