/**
 * Via branch values for requests we forward (RFC 3261 §16.6 step 8, §8.1.1.7) and loop
 * detection (§16.3 step 4): the branch starts with the magic cookie and a hash of what identifies
 * the request apart from its Via (Request-URI, From tag, To tag, Call-ID, CSeq number). A request
 * that comes back with one of our Vias whose hash equals its own has looped; a spiral (a changed
 * Request-URI) hashes differently and is allowed.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SipMessage } from '../../sip/index.js';

const COOKIE = 'z9hG4bK';

export function loopHash(req: SipMessage): string {
  const from = req.from();
  const to = req.to();
  const cseq = req.cseq();
  const h = createHash('sha1');
  h.update(req.requestUri);
  h.update('\u0000');
  h.update(from.ok ? (from.value.tag ?? '') : '');
  h.update('\u0000');
  h.update(to.ok ? (to.value.tag ?? '') : '');
  h.update('\u0000');
  h.update(req.callId().ok ? (req.callId() as { value: string }).value : '');
  h.update('\u0000');
  h.update(cseq.ok ? String(cseq.value.seq) : '');
  // Hex: the hash must not contain the '-' that separates the parts of the branch.
  return h.digest('hex').slice(0, 16);
}

let counter = 0;
const SALT = randomBytes(4).toString('hex');

/** A fresh branch for one forwarded copy of `req` (one client transaction). */
export function newBranch(hash: string): string {
  counter = (counter + 1) % 0x7fffffff;
  return `${COOKIE}-${hash}-${SALT}${counter.toString(36)}`;
}

/** The loop hash inside one of our branches, or undefined for a branch we did not make. */
export function hashOfBranch(branch: string): string | undefined {
  if (!branch.startsWith(`${COOKIE}-`)) return undefined;
  const end = branch.indexOf('-', COOKIE.length + 1);
  return end < 0 ? undefined : branch.slice(COOKIE.length + 1, end);
}
