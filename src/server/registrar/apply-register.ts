/**
 * The registrar's decision for one REGISTER (RFC 3261 §10.3 steps 6-8, RFC 5626 §6), as a pure
 * function of the AoR's current bindings: it runs inside LocationStore.update, so it must have no
 * side effects. The SIP glue turns the message into a `RegisterInput` and the outcome into a
 * response.
 */
import type { Binding, Flow } from '../location/binding.js';
import type { RegistrarPolicy } from './policy.js';

export interface ContactInput {
  /** Contact URI, as written between < > (or the addr-spec). */
  readonly uri: string;
  /** `expires` contact parameter (s). */
  readonly expires?: number;
  readonly q?: number;
  /** `+sip.instance` without quotes and angle brackets. */
  readonly instance?: string;
  readonly regId?: number;
}

export interface RegisterInput {
  readonly aor: string;
  /** `Contact: *` (RFC 3261 §10.2.2): remove all bindings. */
  readonly star: boolean;
  readonly contacts: readonly ContactInput[];
  readonly expiresHeader?: number;
  readonly callId: string;
  readonly cseq: number;
  readonly flow: Flow;
  readonly path?: readonly string[];
  readonly userAgent?: string;
  readonly now: number;
}

export type RegisterOutcome =
  | { readonly status: 200; readonly bindings: readonly Binding[] }
  | { readonly status: 423; readonly minExpires: number }
  | { readonly status: 400 | 500 | 503; readonly reason: string };

/** Seconds left on a binding, as listed in the 200 OK's Contact `;expires=` (SIP.js needs it). */
export function remainingSeconds(b: Binding, now: number): number {
  return Math.max(0, Math.round((b.expiresAt - now) / 1000));
}

function firstSame(list: readonly Binding[], c: ContactInput): number {
  for (let i = 0; i < list.length; i++) if (sameBinding(list[i] as Binding, c)) return i;
  return -1;
}

/**
 * Same binding? RFC 5626 §6: with an instance and reg-id, the flow identity is (instance, reg-id);
 * with an instance alone (RFC 5627 §6) the instance; otherwise the contact URI. URIs are compared
 * as written: real clients repeat their Contact byte for byte, and a full RFC 3261 §19.1.4
 * comparison would need the URI grammar here (the glue can normalise before calling).
 */
function sameBinding(b: Binding, c: ContactInput): boolean {
  if (c.instance !== undefined && b.instance !== undefined) {
    if (c.instance !== b.instance) return false;
    return c.regId === b.regId;
  }
  return b.contact === c.uri;
}

function hasExpired(list: readonly Binding[], now: number): boolean {
  for (let i = 0; i < list.length; i++) if (!((list[i] as Binding).expiresAt > now)) return true;
  return false;
}

/**
 * `list` less up to `n` bindings whose flow has failed, those that failed first going first. A
 * WebSocket client cannot be reached but down the flow it registered on, so such a binding is only
 * kept to answer 430/480 instead of 404 (RFC 5626 §5.3): it makes room before a new device is
 * refused, or a browser reloaded a few times would lock its user out until the old ones expire.
 */
function withoutDeadFlows(list: Binding[], n: number): Binding[] {
  const dead = list
    .filter((b) => b.flowFailedAt !== undefined)
    .sort((a, b) => (a.flowFailedAt as number) - (b.flowFailedAt as number))
    .slice(0, n);
  return dead.length === 0 ? list : list.filter((b) => !dead.includes(b));
}

function unchanged(current: readonly Binding[], result: RegisterOutcome) {
  return { bindings: current, result };
}

export function applyRegister(
  current: readonly Binding[],
  input: RegisterInput,
  policy: RegistrarPolicy,
): { readonly bindings: readonly Binding[]; readonly result: RegisterOutcome } {
  const { now } = input;

  // RFC 3261 §10.3 step 6: `*` only with Expires: 0 and no other Contact.
  if (input.star) {
    if (input.contacts.length > 0)
      return unchanged(current, { status: 400, reason: 'Contact * with other contacts' });
    if (input.expiresHeader !== 0)
      return unchanged(current, { status: 400, reason: 'Contact * requires Expires: 0' });
    for (const b of current) {
      if (b.callId === input.callId && input.cseq <= b.cseq) {
        return unchanged(current, { status: 500, reason: 'CSeq not higher than the binding' });
      }
    }
    return { bindings: [], result: { status: 200, bindings: [] } };
  }

  // Step 7: expiry per contact; all-or-nothing (a 423 changes nothing).
  const wanted: { c: ContactInput; expires: number }[] = [];
  for (const c of input.contacts) {
    let expires = c.expires ?? input.expiresHeader ?? policy.default_expires;
    if (expires !== 0 && expires < policy.min_expires)
      return unchanged(current, { status: 423, minExpires: policy.min_expires });
    if (policy.max_expires > 0 && expires > policy.max_expires) expires = policy.max_expires;
    wanted.push({ c, expires });
  }

  // A copy to change. Not `slice`: the stored list is frozen, which V8's fast `slice` does not
  // take (it goes the generic way, ~20 times slower than a spread).
  let next = [...current];
  for (const { c, expires } of wanted) {
    const i = firstSame(next, c);
    const existing = i >= 0 ? next[i] : undefined;
    // Step 7: same Call-ID needs a higher CSeq, or the whole request fails.
    if (existing !== undefined && existing.callId === input.callId && input.cseq <= existing.cseq) {
      return unchanged(current, { status: 500, reason: 'CSeq not higher than the binding' });
    }
    if (expires === 0) {
      if (i >= 0) next.splice(i, 1);
      continue;
    }
    const binding: { -readonly [K in keyof Binding]: Binding[K] } = {
      aor: input.aor,
      contact: c.uri,
      callId: input.callId,
      cseq: input.cseq,
      expiresAt: now + expires * 1000,
      registeredAt: existing?.registeredAt ?? now,
      flow: input.flow,
    };
    if (c.instance !== undefined) binding.instance = c.instance;
    if (c.regId !== undefined) binding.regId = c.regId;
    if (c.q !== undefined) binding.q = c.q;
    if (input.path !== undefined && input.path.length > 0) binding.path = input.path;
    if (input.userAgent !== undefined) binding.userAgent = input.userAgent;
    // Frozen: a store keeps it as it is instead of copying it.
    if (i >= 0) next[i] = Object.freeze(binding);
    else next.push(Object.freeze(binding));
  }
  if (hasExpired(next, now)) next = next.filter((b) => b.expiresAt > now);
  if (policy.max_contacts > 0 && next.length > policy.max_contacts) {
    next = withoutDeadFlows(next, next.length - policy.max_contacts);
    if (next.length > policy.max_contacts)
      return unchanged(current, { status: 503, reason: 'Too many registered contacts' });
  }
  return { bindings: next, result: { status: 200, bindings: next } };
}
