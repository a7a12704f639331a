import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addReceived,
  createResponse,
  parseMessage,
  type ResponseOptions,
  responseBytes,
  type SipMessage,
  serialize,
  validateMessage,
} from '../../src/sip/index.js';
import { BASIC, msg, wire, wireNames } from './fixtures.js';

/** Each time a fresh parse: the typed values read (or not) before must not change the bytes. */
function parsed(buf: Buffer, touch: (m: SipMessage) => void = () => {}): SipMessage {
  const r = parseMessage(buf);
  if (!r.ok) assert.fail(r.error.message);
  touch(r.value);
  return r.value;
}

const OPTIONS: Array<[string, ResponseOptions]> = [
  ['no options', {}],
  ['a To tag', { toTag: 'fixedtag' }],
  [
    'byte headers',
    {
      toTag: 't1',
      headers: [
        ['Contact', '<sip:a@b.invalid;transport=ws>;expires=600'],
        ['Date', 'Fri, 27 Nov 2026 12:00:00 GMT'],
      ],
      byteHeaders: true,
    },
  ],
  [
    'text headers, trimmed and encoded',
    {
      toTag: 't2',
      headers: [
        ['Warning', '  399 sipwss "é ok"  '],
        ['Retry-After', '5'],
      ],
    },
  ],
  ['a body', { toTag: 't3', body: 'hello, ünïcode', contentType: 'text/plain' }],
  // A given Content-Length is replaced by the body's, under the name it was given.
  [
    'a wrong Content-Length',
    {
      toTag: 't4',
      headers: [
        ['Content-Length', '99'],
        ['Subject', 'x'],
      ],
      byteHeaders: true,
    },
  ],
  [
    'two compact ones and a body',
    {
      toTag: 't5',
      headers: [
        ['l', '1'],
        ['Content-Length', '2'],
      ],
      body: 'abc',
    },
  ],
];

const TOUCH: Array<[string, (m: SipMessage) => void]> = [
  ['as parsed', () => {}],
  ['validated', (m) => void validateMessage(m)],
  [
    'validated, received added',
    (m) => {
      validateMessage(m);
      addReceived(m, { address: '192.0.2.7', port: 40123 });
    },
  ],
];

const REQUESTS: Array<[string, Buffer]> = [
  ...wireNames()
    .filter((n) => !/resp-/.test(n))
    .map((n): [string, Buffer] => [n, wire(n)]),
  ['BASIC', msg(BASIC)],
  // Two Via lines, a Via with two values, a compact To and From, a Timestamp (copied into 100),
  // and lines the response leaves out between the copied ones.
  [
    'compact and folded',
    msg([
      'INVITE sip:bob@example.com SIP/2.0',
      'v: SIP/2.0/WSS a.invalid;branch=z9hG4bK1, SIP/2.0/WSS b.invalid;branch=z9hG4bK2',
      'Max-Forwards: 70',
      'Via: SIP/2.0/WSS c.invalid;branch=z9hG4bK3',
      't: "Bob" <sip:bob@example.com>;x=1',
      'Subject: between',
      'f: <sip:alice@example.com>;tag=ab',
      'Timestamp: 54',
      'i: cid-1',
      'CSeq: 1 INVITE',
      'l: 0',
    ]),
  ],
  ['To with a tag', msg(BASIC.map((l) => (l.startsWith('To:') ? `${l};tag=already` : l)))],
];

test('responseBytes gives the bytes of serialize(createResponse(...)) for every request, status and option', () => {
  let compared = 0;
  for (const [name, buf] of REQUESTS) {
    for (const status of [100, 180, 200, 404, 487, 503]) {
      for (const [oname, opts] of OPTIONS) {
        for (const [tname, touch] of TOUCH) {
          // The To tag is random when not given: both take the given one, or neither is compared.
          const o = opts.toTag === undefined ? { ...opts, toTag: 'same' } : opts;
          const two = createResponse(parsed(buf, touch), status, undefined, o);
          const one = responseBytes(parsed(buf, touch), status, undefined, o);
          assert.equal(one.ok, two.ok, `${name} ${status} ${oname} ${tname}`);
          if (!one.ok || !two.ok) continue;
          assert.equal(
            one.value.toString('latin1'),
            serialize(two.value).toString('latin1'),
            `${name} ${status} ${oname} ${tname}`,
          );
          compared++;
        }
      }
    }
  }
  assert.ok(compared > 500, `compared ${compared}`);
});

test('responseBytes: a given reason phrase, and a random To tag when none is given', () => {
  const a = responseBytes(parsed(msg(BASIC)), 480, 'Flow gone');
  assert.ok(a.ok && a.value.toString('latin1').startsWith('SIP/2.0 480 Flow gone\r\n'));
  const tags = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const r = responseBytes(parsed(msg(BASIC)), 200);
    assert.ok(r.ok);
    const to = /\r\nTo: <sip:bob@example.com>;tag=([^\r]+)\r\n/.exec(r.value.toString('latin1'));
    assert.ok(to, 'tagged To');
    tags.add(to[1] as string);
  }
  assert.equal(tags.size, 3);
});

test('responseBytes fails as createResponse does for a response, and throws on a bad status', () => {
  const res = parsed(wire('jssip-chromium-resp-180-INVITE.sip'));
  const one = responseBytes(res, 200);
  const two = createResponse(res, 200);
  assert.equal(one.ok, false);
  assert.equal(two.ok, false);
  if (!one.ok && !two.ok) assert.equal(one.error.code, two.error.code);
  assert.throws(() => responseBytes(parsed(msg(BASIC)), 99), RangeError);
});
