/**
 * Via branch values for requests we forward (RFC 3261 §16.6 step 8, §8.1.1.7) and loop
 * detection (§16.3 step 4): the branch starts with the magic cookie and a hash of what identifies
 * the request apart from its Via (Request-URI, From tag, To tag, Call-ID, CSeq number). A request
 * that comes back with one of our Vias whose hash equals its own has looped; a spiral (a changed
 * Request-URI) hashes differently and is allowed.
 */
import { randomBytes } from 'node:crypto';
import type { SipMessage } from '../../sip/index.js';

const COOKIE = 'z9hG4bK';

/** FNV-1a over the parts, 2 × 32 bits: cheap, and collisions only cost a spurious 482 check. */
function fnv(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0, 0x01000193);
}

export function loopHash(req: SipMessage): string {
  const from = req.from();
  const to = req.to();
  const cseq = req.cseq();
  const callId = req.callId();
  const parts = [
    req.requestUri,
    from.ok ? (from.value.tag ?? '') : '',
    to.ok ? (to.value.tag ?? '') : '',
    callId.ok ? callId.value : '',
    cseq.ok ? String(cseq.value.seq) : '',
  ];
  let a = 0x811c9dc5;
  let b = 0x01234567;
  for (const p of parts) {
    a = fnv(a, p);
    b = fnv(b ^ 0x5bd1e995, p);
  }
  // Hex: the hash must not contain the '-' that separates the parts of the branch.
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
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
