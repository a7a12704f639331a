import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  type Matchable,
  normalizeIp,
  normalizeName,
  parseAddressList,
  parseNamePatterns,
  selectDomain,
} from '../../src/tls/domain-matching.js';

function dom(
  name: string,
  ip: string,
  sip: string,
  order: number,
  implicit = false,
): Matchable & { name: string } {
  const a = parseAddressList(ip);
  const n = parseNamePatterns(sip);
  assert.ok(a.ok && n.ok);
  return { name, matchIp: a.value, matchSipDomain: n.value, implicit, order };
}

test('IP addresses are compared in canonical form', () => {
  assert.equal(normalizeIp('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(normalizeIp('2001:0DB8:0000::0001'), '2001:db8::1');
  assert.equal(normalizeIp('[::1]'), '::1');
  assert.equal(normalizeIp('fe80::1%eth0'), 'fe80::1');
  assert.equal(normalizeName('SIP.Example.COM.'), 'sip.example.com');
  assert.equal(normalizeName(''), undefined);
  assert.equal(normalizeName(false), undefined);
});

test('match_ip_address entries: IPv4:port, [IPv6]:port, *; anything else refused', () => {
  const ok = parseAddressList('127.0.0.1:5061, [::1]:443 ,*');
  assert.ok(ok.ok);
  assert.deepEqual(ok.value, [
    { kind: 'addr', address: '127.0.0.1', port: 5061 },
    { kind: 'addr', address: '::1', port: 443 },
    { kind: 'any' },
  ]);
  for (const bad of [
    '127.0.0.1',
    'host:5061',
    '::1:5061',
    '1.2.3.4:0',
    '1.2.3.4:70000',
    '1.2.3.4:',
    ',',
    '',
  ]) {
    assert.equal(parseAddressList(bad).ok, false, bad);
  }
});

test('match_sip_domain patterns: literal, glob with * ? [..], *, none; bad ones refused', () => {
  const p = parseNamePatterns('Sip.Example.com, *.example.com, ws?.x.org, [ab]*.y.org, *, none');
  assert.ok(p.ok);
  assert.deepEqual(
    p.value.map((x) => x.kind),
    ['literal', 'glob', 'glob', 'glob', 'any', 'none'],
  );
  for (const bad of ['a b', 'a/b', '[ab', 'x]', 'a!b', '[z-a].org', '', 'a,,b'])
    assert.equal(parseNamePatterns(bad).ok, false, bad);
});

test('most specific wins: none > literal > longer glob > shorter glob > *; declared beats implicit', () => {
  const domains = [
    dom('implicit', '*', '*', 0, true),
    dom('any', '*', '*', 1),
    dom('wild', '*', '*.example.com', 2),
    dom('deeper', '*', '*.sip.example.com', 3),
    dom('exact', '*', 'ws.sip.example.com', 4),
    dom('none', '*', 'none', 5),
    dom('class', '*', 'ws[0-9].example.org', 6),
  ];
  const pick = (name?: string) => selectDomain(domains, '10.0.0.1', 443, name)?.name;
  assert.equal(pick('a.example.com'), 'wild');
  assert.equal(pick('a.sip.example.com'), 'deeper');
  assert.equal(pick('ws.sip.example.com'), 'exact');
  assert.equal(pick(undefined), 'none');
  assert.equal(pick('other.net'), 'any');
  assert.equal(pick('ws7.example.org'), 'class');
  assert.equal(pick('wsx.example.org'), 'any');
  // `example.com` itself is not matched by `*.example.com`.
  assert.equal(pick('example.com'), 'any');
});

test('an exact address entry hides the * domains; ties go to the first declared', () => {
  const domains = [
    dom('star', '*', '*', 0),
    dom('a', '10.0.0.1:443', '*', 1),
    dom('b', '10.0.0.1:443', '*', 2),
  ];
  assert.equal(selectDomain(domains, '10.0.0.1', 443, 'x.org')?.name, 'a');
  assert.equal(selectDomain(domains, '::ffff:10.0.0.1', 443, 'x.org')?.name, 'a');
  assert.equal(selectDomain(domains, '10.0.0.1', 444, 'x.org')?.name, 'star');
  // An exact-address domain with a narrow pattern does not fall back to `*` domains.
  const narrow = [dom('star', '*', '*', 0), dom('pinned', '10.0.0.1:443', 'a.org', 1)];
  assert.equal(selectDomain(narrow, '10.0.0.1', 443, 'b.org'), undefined);
});

test('property: "*.suffix" matches exactly the names ending in ".suffix", case aside', () => {
  const label = fc.stringMatching(/^[a-z0-9-]{1,8}$/);
  fc.assert(
    fc.property(
      fc.array(label, { minLength: 1, maxLength: 3 }),
      fc.array(label, { minLength: 1, maxLength: 3 }),
      (a, b) => {
        const suffix = b.join('.');
        const name = a.join('.');
        const p = parseNamePatterns(`*.${suffix.toUpperCase()}`);
        assert.ok(p.ok);
        const d = [
          { matchIp: [{ kind: 'any' as const }], matchSipDomain: p.value, implicit: false, order: 0 },
        ];
        const hit = selectDomain(d, '10.0.0.1', 1, normalizeName(name.toUpperCase())) !== undefined;
        assert.equal(hit, name.endsWith(`.${suffix}`));
      },
    ),
    { numRuns: 300 },
  );
});
