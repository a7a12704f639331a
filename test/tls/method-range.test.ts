import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseMethodRange } from '../../src/tls/method-range.js';

const cases: [string, string, string, boolean][] = [
  // text, min, max, legacy (security level 0)
  ['SSLv23', 'TLSv1.2', 'TLSv1.3', false],
  ['tlsany', 'TLSv1.2', 'TLSv1.3', false],
  ['TLSv1', 'TLSv1', 'TLSv1', true],
  ['tlsv1', 'TLSv1', 'TLSv1', true],
  ['TLSV1_2', 'TLSv1.2', 'TLSv1.2', false],
  ['TLSv1_3', 'TLSv1.3', 'TLSv1.3', false],
  ['TLSv1_2-TLSv1_3', 'TLSv1.2', 'TLSv1.3', false],
  ['TLSv1-TLSv1_2', 'TLSv1', 'TLSv1.2', true],
  ['TLSv1_2-', 'TLSv1.2', 'TLSv1.3', false],
  ['TLSv1-', 'TLSv1', 'TLSv1.3', true],
  ['-TLSv1_3', 'TLSv1.2', 'TLSv1.3', false],
  ['-TLSv1_2', 'TLSv1.2', 'TLSv1.2', false],
  ['-TLSv1', 'TLSv1', 'TLSv1', true],
  ['-', 'TLSv1.2', 'TLSv1.3', false],
  [' TLSv1_2 - TLSv1_3 ', 'TLSv1.2', 'TLSv1.3', false],
  ['SSLv23-TLSv1_2', 'TLSv1.2', 'TLSv1.2', false],
];

test('tls_method names and ranges map to Node min/max versions', () => {
  for (const [text, min, max, legacy] of cases) {
    const r = parseMethodRange(text);
    assert.ok(r.ok, `${text}: ${r.ok ? '' : r.reason}`);
    assert.deepEqual({ ...r.value }, { min, max, legacy }, text);
  }
});

test('prefixes, unknown names and empty ranges are refused with a reason', () => {
  for (const text of [
    'TLS',
    't',
    'TLSv1_',
    'TLSv1_1',
    'SSLv3',
    'TLSv1.2',
    'TLSv1_3-TLSv1_2',
    'a-b-c',
    '',
    '  ',
  ]) {
    const r = parseMethodRange(text);
    assert.equal(r.ok, false, text);
    assert.ok(!r.ok && r.reason.length > 0);
  }
});

test('parseMethodRange never throws and always yields min <= max', () => {
  const order = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  fc.assert(
    fc.property(fc.string({ maxLength: 24 }), (s) => {
      const r = parseMethodRange(s);
      if (r.ok) assert.ok(order.indexOf(r.value.min) <= order.indexOf(r.value.max));
    }),
    { numRuns: 500 },
  );
});
