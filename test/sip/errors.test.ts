import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SipwssError } from '../../src/errors.js';
import { SIP_ERRORS, SipError, type SipErrorCode } from '../../src/sip/index.js';

test('every SIP error code maps to a SIP status and a message', () => {
  const codes = Object.keys(SIP_ERRORS) as SipErrorCode[];
  assert.ok(codes.length >= 20);
  for (const code of codes) {
    assert.match(code, /^SIP_[A-Z_]+$/);
    const e = new SipError(code, 'detail');
    assert.ok(e instanceof SipwssError);
    assert.equal(e.code, code);
    const sip = e.outcome.sip;
    assert.ok(sip !== undefined && sip >= 400 && sip <= 599, code);
    assert.ok(e.message.startsWith(SIP_ERRORS[code].message));
    assert.ok(e.message.endsWith(': detail'));
  }
  // The limits map to the statuses RFC 3261 §21 gives them.
  assert.equal(SIP_ERRORS.SIP_TOO_LARGE.sip, 513);
  assert.equal(SIP_ERRORS.SIP_BODY_TOO_LARGE.sip, 413);
  assert.equal(SIP_ERRORS.SIP_URI_TOO_LONG.sip, 414);
  assert.equal(SIP_ERRORS.SIP_UNSUPPORTED_URI_SCHEME.sip, 416);
  assert.equal(SIP_ERRORS.SIP_BAD_VERSION.sip, 505);
});
