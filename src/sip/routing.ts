/**
 * What a proxy or registrar does to a message on its way through (RFC 3261 §16.6, §16.7,
 * §18.2.1; RFC 3581; RFC 3327; RFC 5118). The client's Via sent-by is never rewritten: only
 * `received` and `rport` are added to the top Via.
 */
import { toByteString } from './chars.js';
import { type SipResult, sipFail } from './errors.js';
import type { SipMessage } from './message.js';
import { type NameAddr, parseNameAddr } from './name-addr.js';
import { parseVia, receivedValue, type Via } from './via.js';

/** Adds a Via value on top (RFC 3261 §16.6 step 8). */
export function pushVia(msg: SipMessage, via: Via | string): void {
  msg.add('Via', String(via), 'top');
}

/** Removes the top Via value (RFC 3261 §16.7 step 3, responses going back) and returns it. */
export function popVia(msg: SipMessage): SipResult<Via | undefined> {
  const r = msg.shiftValue('via');
  if (!r.ok) return r;
  if (r.value === undefined) return { ok: true, value: undefined };
  return parseVia(r.value);
}

export interface Source {
  /** The packet's source address: IPv4 dotted, or IPv6 with or without brackets. */
  readonly address: string;
  readonly port: number;
}

/**
 * RFC 3261 §18.2.1: `received` when the sent-by host is not the source address; RFC 3581 §4:
 * with `rport` in the request (or `forceRport`, OpenSIPS force_rport), `rport=<port>` and
 * `received` always. IPv6 goes in brackets (RFC 5118 §4.5). Returns the updated top Via.
 */
export function addReceived(
  msg: SipMessage,
  source: Source,
  opts: { forceRport?: boolean } = {},
): SipResult<Via> {
  const top = msg.topVia();
  if (!top.ok) return top;
  const via = top.value.clone();
  const given = toByteString(source.address);
  const address = given.startsWith('[') ? given.slice(1, -1) : given;
  const rport = via.hasRport || opts.forceRport === true;
  // A number's digits: a byte string, as is the address now.
  if (rport) via.params.set('rport', String(source.port));
  if (rport || via.address !== address.toLowerCase()) via.params.set('received', receivedValue(address));
  // The top Via was read from the message (byte strings) and got byte strings only.
  const r = msg.setTopViaBytes(via);
  if (!r.ok) return r;
  return { ok: true, value: via };
}

/** RFC 3261 §16.6 step 4: a Record-Route value on top. `value` is `<uri>;params` or a NameAddr. */
export function prependRecordRoute(msg: SipMessage, value: NameAddr | string): void {
  msg.add('Record-Route', String(value), 'top');
}

/** RFC 3327 §5.2: a Path value on top, as a registrar-facing proxy does for REGISTER. */
export function prependPath(msg: SipMessage, value: NameAddr | string): void {
  msg.add('Path', String(value), 'top');
}

/** Removes the top Route value (RFC 3261 §16.4, loose routing) and returns it parsed. */
export function popRoute(msg: SipMessage): SipResult<NameAddr | undefined> {
  const r = msg.shiftValue('route');
  if (!r.ok) return r;
  if (r.value === undefined) return { ok: true, value: undefined };
  return parseNameAddr(r.value);
}

/**
 * RFC 3261 §16.6 step 3: decrement Max-Forwards, or add 70 when absent. Fails when it is
 * already 0 (the caller answers 483 Too Many Hops, §16.3 step 2) or malformed.
 */
export function decrementMaxForwards(msg: SipMessage): SipResult<number> {
  const mf = msg.maxForwards();
  if (!mf.ok) return mf;
  if (mf.value === undefined) {
    msg.set('Max-Forwards', '70');
    return { ok: true, value: 70 };
  }
  if (mf.value === 0) return sipFail('SIP_BAD_NUMBER', 'Max-Forwards is 0');
  msg.set('Max-Forwards', String(mf.value - 1));
  return { ok: true, value: mf.value - 1 };
}
