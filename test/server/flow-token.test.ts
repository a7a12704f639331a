import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlowTokens } from '../../src/server/proxy/flow-token.js';

test('a flow token round-trips its connection id and is URI-safe', () => {
  const t = new FlowTokens();
  for (const id of ['1', 'c42', 'n1:conn-000123', 'ü-id']) {
    const token = t.encode(id);
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    assert.equal(t.decode(token), id);
  }
});

test('altered, foreign and junk tokens are refused', () => {
  const a = new FlowTokens();
  const b = new FlowTokens();
  const token = a.encode('c7');
  assert.equal(b.decode(token), undefined);
  const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
  assert.equal(a.decode(flipped), undefined);
  for (const junk of ['', 'short', '!!!!!!!!!!!!!!!!!!!!', 'x'.repeat(300), 'AAAAAAAAAAAAAAAA']) {
    assert.equal(a.decode(junk), undefined, junk);
  }
});
