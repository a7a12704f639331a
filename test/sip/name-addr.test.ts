import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  contactExpires,
  contactInstance,
  contactQ,
  contactRegId,
  type NameAddr,
  parseContact,
  parseNameAddr,
} from '../../src/sip/index.js';

function na(s: string): NameAddr {
  const r = parseNameAddr(s);
  if (!r.ok) assert.fail(`${s}: ${r.error.message}`);
  return r.value;
}

test('name-addr with quoted display name, escapes and tag', () => {
  const a = na('"J Rosenberg \\\\\\"" <sip:jdrosen@example.com> ; tag = 98asjd8');
  assert.equal(a.displayName, '"J Rosenberg \\\\\\""');
  assert.equal(a.displayText, 'J Rosenberg \\"');
  assert.equal(a.uri, 'sip:jdrosen@example.com');
  assert.equal(a.tag, '98asjd8');
});

test('token display names, no LWS before <, and addr-spec forms', () => {
  assert.equal(na('caller<sip:caller@example.com>;tag=323').displayName, 'caller');
  assert.equal(na('token1~` token2 <sip:x@y>').displayName, 'token1~` token2');
  // RFC 3261 §20.10: without <>, parameters after the URI belong to the header.
  const b = na('sip:user@example.com;tag=1');
  assert.equal(b.uri, 'sip:user@example.com');
  assert.equal(b.tag, '1');
  assert.equal(b.bracketed, false);
  const u = b.parsedUri();
  assert.ok(u.ok && u.value.kind === 'sip' && u.value.params.size === 0);
});

test('Contact: *, expires, q, +sip.instance, reg-id, ob, pub-gruu', () => {
  const star = parseContact('*');
  assert.ok(star.ok && star.value.star === true);
  const r = parseContact(
    '<sip:rand@x.invalid;transport=ws;ob>;+sip.ice;reg-id=1;+sip.instance="<urn:uuid:0001>";expires=600;q=0.7;pub-gruu="sip:a@b;gr=urn:uuid:0001"',
  );
  assert.ok(r.ok && r.value.star !== true);
  {
    const c = r.value;
    assert.equal(contactExpires(c), 600);
    assert.equal(contactQ(c), 0.7);
    assert.equal(contactInstance(c), 'urn:uuid:0001');
    assert.equal(contactRegId(c), 1);
    assert.equal(c.params.get('pub-gruu'), '"sip:a@b;gr=urn:uuid:0001"');
    const u = c.parsedUri();
    assert.ok(u.ok && u.value.kind === 'sip' && u.value.params.has('ob'));
  }
});

test('rendering: brackets kept, params appended', () => {
  const a = na('<sip:a@b>');
  a.params.set('tag', 'xyz');
  assert.equal(a.toString(), '<sip:a@b>;tag=xyz');
  assert.equal(na('"Bob" <sip:b@c>;lr').toString(), '"Bob" <sip:b@c>;lr');
});

test('malformed name-addrs are typed errors', () => {
  for (const bad of [
    '',
    '"unterminated <sip:a@b>',
    '<sip:a@b',
    '<>',
    '<sip:a b@c>',
    'nouri',
    '<sip:a@b>;=x',
    '<sip:a@b> junk',
  ]) {
    const r = parseNameAddr(bad);
    assert.equal(r.ok, false, bad);
  }
});

test('header parameters: LWS, quoted values with escapes, IPv6, no value; split when read', () => {
  const r = parseNameAddr(
    '<sip:a@b> ; tag = x1 ;lr; q=0.5;+sip.instance="<urn:a\\"b>";received=[2001:db8::1];maddr=::1 ',
  );
  assert.ok(r.ok);
  assert.deepEqual(
    r.value.params.list.map((p) => [p.name, p.value]),
    [
      ['tag', 'x1'],
      ['lr', undefined],
      ['q', '0.5'],
      ['+sip.instance', '"<urn:a\\"b>"'],
      ['received', '[2001:db8::1]'],
      ['maddr', '::1'],
    ],
  );
  assert.equal(r.value.tag, 'x1');
  assert.equal(
    r.value.toString(),
    '<sip:a@b>;tag=x1;lr;q=0.5;+sip.instance="<urn:a\\"b>";received=[2001:db8::1];maddr=::1',
  );
  // Changes on a received list that was never read keep the others.
  const r2 = parseNameAddr('<sip:a@b>;tag=1;x=2');
  assert.ok(r2.ok);
  r2.value.params.set('tag', '9');
  assert.equal(r2.value.toString(), '<sip:a@b>;tag=9;x=2');
  for (const bad of [
    '<sip:a@b>;',
    '<sip:a@b>;a=',
    '<sip:a@b>;a="x',
    '<sip:a@b>;a=[x',
    '<sip:a@b>;a b',
    '<sip:a@b>;a=b c',
  ]) {
    const e = parseNameAddr(bad);
    assert.ok(!e.ok && e.error.code === 'SIP_BAD_PARAM', bad);
  }
});

test('contact expires and reg-id: 1 to 10 digits, as /^\\d{1,10}$/ says, read without a regex', () => {
  const cases: Array<[string, number | undefined]> = [
    ['0', 0],
    ['600', 600],
    ['0600', 600],
    ['4294967295', 4294967295],
    ['9999999999', 9999999999],
    ['12345678901', undefined],
    ['', undefined],
    ['1e3', undefined],
    ['-1', undefined],
    ['"600"', undefined],
  ];
  for (const [v, n] of cases) {
    const c = na(`<sip:a@b>;expires=${v === '' ? '""' : v};reg-id=${v === '' ? '""' : v}`);
    assert.equal(contactRegId(c), v === '' ? undefined : n, `reg-id ${v}`);
    assert.equal(contactExpires(c), n === undefined ? undefined : Math.min(n, 0xffffffff), `expires ${v}`);
  }
});

test('received parameters split when first read, as written: spaces, quoted values with escapes, IPv6', () => {
  const c = na(
    '<sip:a@b> ; +sip.instance = "<urn:uuid:1;2,\\"x\\">" ;received=[2001:db8::1];rport;maddr=1.2.3.4 ; q=0.5',
  );
  assert.deepEqual(c.params.list, [
    { name: '+sip.instance', value: '"<urn:uuid:1;2,\\"x\\">"' },
    { name: 'received', value: '[2001:db8::1]' },
    { name: 'rport', value: undefined },
    { name: 'maddr', value: '1.2.3.4' },
    { name: 'q', value: '0.5' },
  ]);
  assert.equal(contactQ(c), 0.5);
  assert.equal(contactInstance(c), 'urn:uuid:1;2,\\"x\\"');
  for (const bad of ['<sip:a@b>;', '<sip:a@b>;x=', '<sip:a@b>;x="y', '<sip:a@b>;x=[1', '<sip:a@b>;x y'])
    assert.equal(parseNameAddr(bad).ok, false, bad);
});
