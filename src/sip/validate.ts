/**
 * Full check of what a server reads from a request before acting on it: every typed header a
 * registrar or proxy uses parses, and the CSeq method matches (RFC 3261 §8.2.2, §16.3). The
 * parser itself only frames and finds the mandatory headers, so a proxy pays for what it reads.
 * RFC 4475's invalid messages fail here (or in the parser) with the status the RFC expects.
 * Runs once per message, so it allocates nothing of its own: duplicates are counted over the
 * line keys, the typed values it parses stay cached for the server.
 */
import { type SipResult, sipFail } from './errors.js';
import type { SipMessage } from './message.js';
import type { NameAddr } from './name-addr.js';

const OK: SipResult<void> = { ok: true, value: undefined };

/** Headers that may appear once (RFC 3261 §7.3.1, §20): a second value is 400 (RFC 4475 §3.3.8). */
const SINGLE = ['call-id', 'cseq', 'from', 'to', 'max-forwards', 'content-type', 'expires'];

/** Bit of a SINGLE key (its index), or 0. Keys are interned, so `===` compares pointers first. */
function singleBit(key: string): number {
  switch (key.length) {
    case 2:
      return key === 'to' ? 8 : 0;
    case 4:
      return key === 'cseq' ? 2 : key === 'from' ? 4 : 0;
    case 7:
      return key === 'call-id' ? 1 : key === 'expires' ? 64 : 0;
    case 12:
      return key === 'max-forwards' ? 16 : key === 'content-type' ? 32 : 0;
    default:
      return 0;
  }
}

/** The first SINGLE key (in SINGLE's order) that has more than one line, or undefined. */
function duplicateSingle(msg: SipMessage): string | undefined {
  let seen = 0;
  let twice = 0;
  for (let i = 0, n = msg.headerCount; i < n; i++) {
    const bit = singleBit(msg.keyAt(i));
    if (bit === 0) continue;
    twice |= seen & bit;
    seen |= bit;
  }
  if (twice === 0) return undefined;
  for (let b = 0; b < SINGLE.length; b++) if ((twice & (1 << b)) !== 0) return SINGLE[b];
  return undefined;
}

/**
 * The From URI checked, then the To URI parsed, as a registrar reads it (RFC 3261 §10.3 step 3);
 * the From URI is only checked (a registrar or proxy seldom reads it). A user registering itself
 * names its AoR in both (RFC 3261 §10.2: From equals To unless a third party registers): the
 * same text is then read once, and To's parse answers for From (`validUri` and `parsedUri`
 * accept the same URIs). On a failure From is checked on its own, so the error is the one that
 * reading each in turn gives.
 */
function checkFromToUris(from: NameAddr, to: NameAddr): SipResult<void> {
  if (from.uri === to.uri) {
    const u = to.parsedUri();
    if (u.ok) return OK;
    const f = from.validUri();
    return f.ok ? u : f;
  }
  const fromUri = from.validUri();
  if (!fromUri.ok) return fromUri;
  const toUri = to.parsedUri();
  return toUri.ok ? OK : toUri;
}

export function validateMessage(msg: SipMessage): SipResult<SipMessage> {
  const dup = duplicateSingle(msg);
  if (dup !== undefined) return sipFail('SIP_DUPLICATE_HEADER', dup);
  // Each typed header the server reads, in this order (the first failure is reported).
  const vias = msg.vias();
  if (!vias.ok) return vias;
  const from = msg.from();
  if (!from.ok) return from;
  const to = msg.to();
  if (!to.ok) return to;
  const callId = msg.callId();
  if (!callId.ok) return callId;
  const cseq = msg.cseq();
  if (!cseq.ok) return cseq;
  const mf = msg.maxForwards();
  if (!mf.ok) return mf;
  const cl = msg.contentLength();
  if (!cl.ok) return cl;
  const contacts = msg.contacts();
  if (!contacts.ok) return contacts;
  const routes = msg.routes();
  if (!routes.ok) return routes;
  const rr = msg.recordRoutes();
  if (!rr.ok) return rr;
  const uris = checkFromToUris(from.value, to.value);
  if (!uris.ok) return uris;
  const cs = contacts.value;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c.star === true) continue;
    const u = c.validUri();
    if (!u.ok) return u;
  }
  if (msg.body.length > 0 && msg.has('content-type')) {
    const ct = msg.contentType();
    if (!ct.ok) return ct;
  }
  if (msg.isRequest) {
    const uri = msg.uri();
    if (!uri.ok) return uri;
    // RFC 3261 §8.2.2.1: an unsupported Request-URI scheme is answered 416 (RFC 4475 §3.3.2).
    if (uri.value.kind === 'other') return sipFail('SIP_UNSUPPORTED_URI_SCHEME', uri.value.scheme);
    // RFC 3261 §19.1.1 (table of components): headers are not allowed in a Request-URI.
    if (uri.value.kind === 'sip' && uri.value.headers.length > 0)
      return sipFail('SIP_BAD_URI', 'headers in Request-URI');
    if (cseq.value.method !== msg.method)
      return sipFail('SIP_CSEQ_METHOD_MISMATCH', `${cseq.value.method} vs ${msg.method}`);
  }
  return { ok: true, value: msg };
}
