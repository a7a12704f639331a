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

// FNV-1a over the parts, 2 × 32 bits: cheap, and collisions only cost a spurious 482 check.
// Both halves are computed in one pass over each part (no array of parts, no closure).
let ha = 0;
let hb = 0;
function fnv2(s: string): void {
  let a = ha;
  let b = hb ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  ha = Math.imul(a, 0x01000193);
  hb = Math.imul(b, 0x01000193);
}

// Number#toString(16) of a value above 2^31 (not a small integer in V8) takes ~0.5 µs: a table.
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function hex8(n: number): string {
  return (
    (HEX[(n >>> 24) & 255] as string) +
    (HEX[(n >>> 16) & 255] as string) +
    (HEX[(n >>> 8) & 255] as string) +
    (HEX[n & 255] as string)
  );
}

export function loopHash(req: SipMessage): string {
  const from = req.from();
  const to = req.to();
  const cseq = req.cseq();
  const callId = req.callId();
  ha = 0x811c9dc5;
  hb = 0x01234567;
  fnv2(req.requestUri);
  fnv2(from.ok ? (from.value.tag ?? '') : '');
  fnv2(to.ok ? (to.value.tag ?? '') : '');
  fnv2(callId.ok ? callId.value : '');
  fnv2(cseq.ok ? String(cseq.value.seq) : '');
  // Hex: the hash must not contain the '-' that separates the parts of the branch.
  return hex8(ha) + hex8(hb);
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
