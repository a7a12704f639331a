/**
 * REGISTER, from message to binding and back (RFC 3261 §10.3, RFC 5626 §6, RFC 3327 §5.3): the
 * message is read into a `RegisterInput`, the decision is `applyRegister` inside the store's atomic
 * update, and the 200 OK lists every current contact with its own `;expires=` (SIP.js drops a
 * 200 without it: clients-on-the-wire.md).
 */
import {
  type Contact,
  contactExpires,
  contactInstance,
  contactQ,
  contactRegId,
  type SipMessage,
  toByteString,
} from '../../sip/index.js';
import type { Binding } from '../location/binding.js';
import type { LocationStore } from '../location/store.js';
import type { FlowInfo } from '../port.js';
import {
  applyRegister,
  type ContactInput,
  type RegisterInput,
  type RegisterOutcome,
  remainingSeconds,
} from './apply-register.js';
import type { RegistrarPolicy } from './policy.js';

/** Option tags we understand in Require (RFC 3261 §8.2.2.3: others get 420). */
const SUPPORTED_TAGS = new Set(['path', 'outbound']);

/** RFC 3261 §20.17 Date, rendered at most once a second (it is on every REGISTER answer). */
let dateSecond = -1;
let dateText = '';
function httpDate(now: number): string {
  const sec = Math.floor(now / 1000);
  if (sec !== dateSecond) {
    dateSecond = sec;
    dateText = new Date(sec * 1000).toUTCString();
  }
  return dateText;
}

function isByteString(s: string): boolean {
  return toByteString(s) === s;
}

function hasOutboundContact(inputs: readonly ContactInput[]): boolean {
  for (const c of inputs) if (c.instance !== undefined && c.regId !== undefined) return true;
  return false;
}

/**
 * The answer to a REGISTER. Header values are byte strings that start and end with a non-space
 * (built from the request, the bindings, digits and ASCII): the response takes them as they are
 * (`ResponseOptions.byteHeaders`).
 */
export interface RegistrarReply {
  readonly status: number;
  readonly reason?: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

export class Registrar {
  readonly #store: LocationStore;
  readonly #policy: RegistrarPolicy;
  readonly #node: string;
  readonly #now: () => number;

  constructor(opts: { store: LocationStore; policy: RegistrarPolicy; node: string; now?: () => number }) {
    this.#store = opts.store;
    this.#policy = opts.policy;
    this.#node = opts.node;
    this.#now = opts.now ?? Date.now;
  }

  /**
   * The answer to a REGISTER for `aor`: synchronous when the store has a synchronous update
   * (the in-memory store), else a Promise. `now`: when the request was read (default: the clock).
   */
  handle(
    req: SipMessage,
    flow: FlowInfo,
    aor: string,
    now: number = this.#now(),
  ): RegistrarReply | Promise<RegistrarReply> {
    // Most REGISTERs have no Require: look for the line before building the list.
    const required = req.hasKey('require') ? req.require() : [];
    if (required.length > 0) {
      const unsupported = required.filter((t) => !SUPPORTED_TAGS.has(t.toLowerCase()));
      if (unsupported.length > 0) return { status: 420, headers: [['Unsupported', unsupported.join(', ')]] };
    }

    const contacts = req.contacts();
    const expires = req.expires();
    const callId = req.callId();
    const cseq = req.cseq();
    const paths = req.paths();
    if (!contacts.ok || !expires.ok || !callId.ok || !cseq.ok || !paths.ok) {
      return { status: 400, reason: 'Bad Request', headers: [] };
    }
    let star = false;
    const inputs: ContactInput[] = [];
    for (const c of contacts.value as Contact[]) {
      if (c.star === true) {
        star = true;
        continue;
      }
      // Every field written, absent ones as undefined (applyRegister reads them so): one object
      // shape for every REGISTER, instead of fields added one by one.
      inputs.push({
        uri: c.uri,
        expires: contactExpires(c),
        q: contactQ(c),
        instance: contactInstance(c),
        regId: contactRegId(c),
      });
    }
    const register: RegisterInput = {
      aor,
      star,
      contacts: inputs,
      expiresHeader: expires.value,
      callId: callId.value,
      cseq: cseq.value.seq,
      flow: {
        node: this.#node,
        connectionId: flow.connectionId,
        transport: flow.transport,
        remote: flow.remote,
      },
      path: paths.value.length > 0 ? paths.value.map((p) => String(p)) : undefined,
      userAgent: req.get('user-agent'),
      now,
    };
    const policy = this.#policy;
    const store = this.#store;
    if (store.updateSync !== undefined) {
      const outcome = store.updateSync(aor, now, (current) => applyRegister(current, register, policy));
      return this.#answer(req, outcome, inputs, now);
    }
    return store
      .update(aor, now, (current) => applyRegister(current, register, policy))
      .then((outcome) => this.#answer(req, outcome, inputs, now));
  }

  #answer(
    req: SipMessage,
    outcome: RegisterOutcome,
    inputs: readonly ContactInput[],
    now: number,
  ): RegistrarReply {
    switch (outcome.status) {
      case 200:
        return { status: 200, headers: this.#okHeaders(req, outcome.bindings, inputs, now) };
      case 423:
        return { status: 423, headers: [['Min-Expires', String(outcome.minExpires)]] };
      default:
        return { status: outcome.status, reason: outcome.reason, headers: [] };
    }
  }

  #okHeaders(
    req: SipMessage,
    bindings: readonly Binding[],
    inputs: readonly ContactInput[],
    now: number,
  ): Array<readonly [string, string]> {
    const headers: Array<readonly [string, string]> = [];
    for (const b of bindings) {
      let v = `<${b.contact}>;expires=${remainingSeconds(b, now)}`;
      if (b.instance !== undefined) v += `;+sip.instance="<${b.instance}>"`;
      if (b.regId !== undefined) v += `;reg-id=${b.regId}`;
      // Bindings made from requests hold byte strings; a store might hand back text (chars above
      // U+00FF), which is encoded as `SipMessage.add` would encode the value.
      if (!isByteString(b.contact) || (b.instance !== undefined && !isByteString(b.instance)))
        v = toByteString(v);
      headers.push(['Contact', v]);
    }
    // RFC 5626 §6: an outbound registration accepted says so.
    if (hasOutboundContact(inputs) && req.hasOptionTag('supported', 'outbound'))
      headers.push(['Require', 'outbound']);
    // RFC 3327 §5.3: the registrar echoes the Path it stored.
    if (req.hasKey('path')) for (const p of req.getAll('path')) headers.push(['Path', p]);
    headers.push(['Date', httpDate(now)]);
    return headers;
  }
}
