/**
 * Property tests (fast-check): round trip, robustness against mutated and truncated real
 * messages, and stream framing that does not depend on how the bytes are split.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  createResponse,
  type FramerEvent,
  parseCallId,
  parseContact,
  parseContentType,
  parseCSeq,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  SipError,
  type SipMessage,
  SipStreamFramer,
  serialize,
  splitList,
  validateMessage,
} from '../../src/sip/index.js';
import { torture, wire, wireNames } from './fixtures.js';

const REAL = wireNames().map((n) => wire(n));
const TORTURE = [
  'wsinv',
  'intmeth',
  'esc01',
  'escnull',
  'esc02',
  'lwsdisp',
  'longreq',
  'semiuri',
  'transports',
  'mpart01',
  'unreason',
  'noreason',
].map(torture);
const CORPUS = [...REAL, ...TORTURE];

/** Everything a server might read from a message: none of it may throw. */
function exercise(m: SipMessage): void {
  validateMessage(m);
  m.topVia();
  m.vias();
  m.contacts();
  m.from();
  m.to();
  m.cseq();
  m.expires();
  m.contentType();
  m.routes();
  m.recordRoutes();
  m.paths();
  m.supported();
  m.uri();
  serialize(m);
  if (m.isRequest) createResponse(m, 400);
}

test('serialize(parse(m)) reproduces every real and RFC 4475 valid message', () => {
  fc.assert(
    fc.property(fc.constantFrom(...CORPUS), (buf) => {
      const r = parseMessage(buf);
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.ok(serialize(r.value).equals(buf));
    }),
    { numRuns: 100 },
  );
});

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
const value = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,40}[\x21-\x7e])?$/);

test('serialize(parse(m)) reproduces generated messages, extension headers in any order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(token, fc.constantFrom(': ', ':', ' : ', ':\t'), value), { maxLength: 12 }),
      fc.uint8Array({ maxLength: 300 }),
      fc.boolean(),
      (extra, body, folded) => {
        const lines = [
          'MESSAGE sip:bob@example.com SIP/2.0',
          'Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1',
          ...extra.map(([n, sep, v]) => `X-${n}${sep}${v}`),
          'To: <sip:bob@example.com>',
          folded ? 'From: <sip:alice@example.com>\r\n ;tag=9' : 'From: <sip:alice@example.com>;tag=9',
          'Call-ID: 1@x',
          'CSeq: 1 MESSAGE',
          `Content-Length: ${body.length}`,
        ];
        const buf = Buffer.concat([
          Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'),
          Buffer.from(body),
        ]);
        const r = parseMessage(buf);
        assert.ok(r.ok, r.ok ? '' : r.error.message);
        assert.ok(serialize(r.value).equals(buf));
        assert.equal(
          r.value.getAll('x-' + (extra[0]?.[0] ?? 'none')).length >= (extra.length > 0 ? 1 : 0),
          true,
        );
        const from = r.value.from();
        assert.ok(from.ok && from.value.tag === '9');
      },
    ),
    { numRuns: 300 },
  );
});

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }),
  fc.record({
    kind: fc.constant('special' as const),
    at: fc.nat(),
    s: fc.constantFrom(
      '\r\n',
      '\r\n\r\n',
      ',',
      ';',
      '"',
      '<',
      '>',
      ':',
      ' ',
      '\t',
      '\n',
      '\r',
      '\0',
      '%',
      '[',
      ']',
      '\r\n ',
    ),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(buf: Buffer, muts: Mutation[]): Buffer {
  let b = Buffer.from(buf);
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === 'set' && b.length > 0) b[at] = m.byte;
    else if (m.kind === 'insert')
      b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
    else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.n)]);
    else if (m.kind === 'special')
      b = Buffer.concat([b.subarray(0, at), Buffer.from(m.s, 'latin1'), b.subarray(at)]);
  }
  return b;
}

test('mutated and truncated real messages give a message or a typed error, never a throw', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...CORPUS),
      fc.array(mutation, { minLength: 1, maxLength: 6 }),
      fc.option(fc.nat(), { nil: undefined }),
      fc.constantFrom('websocket' as const, 'datagram' as const, 'stream' as const),
      (buf, muts, cut, mode) => {
        let b = mutate(buf, muts);
        if (cut !== undefined) b = b.subarray(0, cut % (b.length + 1));
        const r = parseMessage(b, undefined, mode);
        if (!r.ok) {
          assert.ok(r.error instanceof SipError);
          assert.equal(typeof r.error.outcome.sip, 'number');
          return;
        }
        exercise(r.value);
      },
    ),
    { numRuns: 500 },
  );
});

function summary(events: FramerEvent[]): string[] {
  return events.map((e) =>
    e.type === 'message'
      ? `m:${serialize(e.message).toString('latin1')}`
      : e.type === 'error'
        ? `e:${e.error.code}:${e.fatal}`
        : e.type,
  );
}

test('stream framing yields the same events however the bytes are split', () => {
  const piece = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...REAL) },
    { weight: 1, arbitrary: fc.constantFrom(Buffer.from('\r\n\r\n'), Buffer.from('\r\n')) },
  );
  fc.assert(
    fc.property(
      fc.array(piece, { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (pieces, cuts) => {
        const stream = Buffer.concat(pieces);
        const whole = new SipStreamFramer();
        const expected = summary(whole.push(stream));
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const split = new SipStreamFramer();
        const got: FramerEvent[] = [];
        let prev = 0;
        for (const p of [...points, stream.length]) {
          got.push(...split.push(stream.subarray(prev, p)));
          prev = p;
        }
        assert.deepEqual(summary(got), expected);
        assert.equal(split.pending, whole.pending);
      },
    ),
    { numRuns: 200 },
  );
});

test('stream framing of mutated streams never throws and always makes progress', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...REAL), { minLength: 1, maxLength: 4 }),
      fc.array(mutation, { maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (pieces, muts, cuts) => {
        const stream = mutate(Buffer.concat(pieces), muts);
        const f = new SipStreamFramer();
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        let prev = 0;
        for (const p of [...points, stream.length]) {
          for (const e of f.push(stream.subarray(prev, p))) {
            if (e.type === 'message') exercise(e.message);
            if (e.type === 'error') assert.ok(e.error instanceof SipError);
          }
          prev = p;
        }
        // Whatever is held back is less than one message's worth.
        assert.ok(f.pending <= stream.length);
      },
    ),
    { numRuns: 300 },
  );
});

test('header grammars never throw on arbitrary text, and fail only with SipError', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.stringMatching(/^[ -~\t]{0,80}$/),
    fc
      .array(
        fc.constantFrom(
          'sip:',
          'sips:',
          'tel:',
          '<',
          '>',
          '"',
          '\\',
          ';',
          ',',
          '=',
          '@',
          ':',
          '[',
          ']',
          ' ',
          'a',
          '1',
          '%4',
          '?',
          '&',
          '/',
          'SIP/2.0/WS',
          'z9hG4bK',
        ),
        { maxLength: 30 },
      )
      .map((a) => a.join('')),
  );
  const parsers: Array<(s: string) => { ok: boolean; error?: unknown }> = [
    parseUri,
    parseVia,
    parseNameAddr,
    parseContact,
    parseCSeq,
    parseContentType,
    parseCallId,
  ];
  fc.assert(
    fc.property(text, (s) => {
      for (const p of parsers) {
        const r = p(s);
        if (!r.ok) assert.ok(r.error instanceof SipError);
      }
      const parts = splitList(s);
      assert.ok(parts === undefined || Array.isArray(parts));
    }),
    { numRuns: 500 },
  );
});
