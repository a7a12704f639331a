/** Property tests: random bytes and random frame chops never throw, and the tracker agrees with ws. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MessageTracker } from '../../src/ws/message-tracker.js';
import { findHeaderEnd, parseHttpRequest, validateUpgrade } from '../../src/ws/upgrade-request.js';
import { frame } from '../helpers/raw-ws-client.js';

const policy = { resourceSet: new Set(['/ws']), originSet: new Set(['https://a']), requireOrigin: true };

describe('fuzz', () => {
  test('upgrade parsing never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const b = Buffer.from(bytes);
        findHeaderEnd(b);
        const r = parseHttpRequest(b);
        if (r.ok) validateUpgrade(r.value, policy);
      }),
      { numRuns: 2000 },
    );
  });

  test('upgrade parsing never throws on mutated valid requests', () => {
    const base =
      'GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\nOrigin: https://a\r\n\r\n';
    const r0 = parseHttpRequest(Buffer.from(base));
    assert.ok(r0.ok && validateUpgrade(r0.value, policy).ok);
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 }), (i, byte) => {
        const b = Buffer.from(base);
        b[i] = byte;
        const r = parseHttpRequest(b);
        if (r.ok) validateUpgrade(r.value, policy);
      }),
      { numRuns: 3000 },
    );
  });

  test('tracker: any chop of a frame sequence ends between units, reads counted per unit', () => {
    const frameArb = fc.record({
      opcode: fc.constantFrom(1, 2, 9, 10),
      size: fc.oneof(fc.nat(130), fc.constantFrom(125, 126, 127, 65535, 65536, 70000)),
    });
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 50 }),
        (frames, cuts) => {
          const bytes = Buffer.concat(
            frames.map((f) => frame({ opcode: f.opcode, payload: Buffer.alloc(f.size) })),
          );
          const t = new MessageTracker(1_000_000);
          let i = 0;
          let k = 0;
          while (i < bytes.length) {
            const n = cuts[k++ % cuts.length] as number;
            assert.ok(t.feed(bytes.subarray(i, i + n), 1 + i));
            i += n;
          }
          assert.equal(t.inUnit, false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
