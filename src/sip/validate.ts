/**
 * Full check of what a server reads from a request before acting on it: every typed header a
 * registrar or proxy uses parses, and the CSeq method matches (RFC 3261 §8.2.2, §16.3). The
 * parser itself only frames and finds the mandatory headers, so a proxy pays for what it reads.
 * RFC 4475's invalid messages fail here (or in the parser) with the status the RFC expects.
 */
import { type SipResult, sipFail } from './errors.js';
import type { SipMessage } from './message.js';

export function validateMessage(msg: SipMessage): SipResult<SipMessage> {
  const checks: Array<() => SipResult<unknown>> = [
    () => msg.vias(),
    () => msg.from(),
    () => msg.to(),
    () => msg.callId(),
    () => msg.cseq(),
    () => msg.maxForwards(),
    () => msg.contentLength(),
    () => msg.contacts(),
    () => msg.routes(),
    () => msg.recordRoutes(),
  ];
  for (const check of checks) {
    const r = check();
    if (!r.ok) return r;
  }
  for (const na of [msg.from(), msg.to()]) {
    if (na.ok) {
      const u = na.value.parsedUri();
      if (!u.ok) return u;
    }
  }
  const contacts = msg.contacts();
  if (contacts.ok) {
    for (const c of contacts.value) {
      if (c.star === true) continue;
      const u = c.parsedUri();
      if (!u.ok) return u;
    }
  }
  if (msg.body.length > 0 && msg.has('content-type')) {
    const ct = msg.contentType();
    if (!ct.ok) return ct;
  }
  if (msg.isRequest) {
    const uri = msg.uri();
    if (!uri.ok) return uri;
    const cseq = msg.cseq();
    if (cseq.ok && cseq.value.method !== msg.method)
      return sipFail('SIP_CSEQ_METHOD_MISMATCH', `${cseq.value.method} vs ${msg.method}`);
  }
  return { ok: true, value: msg };
}
