/**
 * Choosing the response to send upstream when every branch has a final answer and none was 2xx
 * (RFC 3261 §16.7 step 6): a 6xx wins; otherwise the lowest class (3xx, then 4xx, then 5xx); a
 * 503 from downstream becomes 500, since our own availability is not in question.
 */
import type { SipMessage } from '../../sip/index.js';

function rank(status: number): number {
  const cls = Math.floor(status / 100);
  if (cls === 6) return 0;
  if (cls === 3) return 1;
  if (cls === 4) return 2;
  if (cls === 5) return 3;
  return 4;
}

/** Is `candidate` a better final response than `current`? */
export function better(candidate: SipMessage, current: SipMessage | undefined): boolean {
  if (current === undefined) return true;
  const a = rank(candidate.status);
  const b = rank(current.status);
  if (a !== b) return a < b;
  // Same class: a 401/407 challenge helps the caller more than a plain refusal.
  const challenge = (s: number) => s === 401 || s === 407;
  return challenge(candidate.status) && !challenge(current.status);
}
