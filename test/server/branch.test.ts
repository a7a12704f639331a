import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashOfBranch, loopHash, newBranch } from '../../src/server/proxy/branch.js';
import { parseMessage } from '../../src/sip/index.js';

test('the loop hash survives the round trip through a branch, whatever the request', () => {
  for (let i = 0; i < 500; i++) {
    const raw = `MESSAGE sip:u${i}@example.com SIP/2.0\r\nVia: SIP/2.0/WSS x.invalid;branch=z9hG4bK${i}\r\nTo: <sip:u${i}@example.com>\r\nFrom: <sip:a@example.com>;tag=${i * 7}\r\nCall-ID: c${i}\r\nCSeq: ${i + 1} MESSAGE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
    const m = parseMessage(Buffer.from(raw));
    assert.ok(m.ok);
    const h = loopHash(m.value);
    const b = newBranch(h);
    assert.ok(b.startsWith('z9hG4bK-'));
    assert.equal(hashOfBranch(b), h);
  }
  assert.equal(hashOfBranch('z9hG4bK776asdhds'), undefined);
});
