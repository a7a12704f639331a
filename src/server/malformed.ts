/**
 * Answering what does not parse (style principle 5): when the bytes still look like a request and
 * the headers a response needs (Via, From, To, Call-ID, CSeq; RFC 3261 §8.2.6.2) can be found
 * line by line, answer with the error's SIP status and a Warning naming it; otherwise the caller
 * drops the message and counts it. Never throws.
 */
import type { SipwssError } from '../errors.js';
import { REASON_PHRASES } from '../sip/index.js';

const NEEDED: Readonly<Record<string, string>> = {
  via: 'via',
  v: 'via',
  from: 'from',
  f: 'from',
  to: 'to',
  t: 'to',
  'call-id': 'call-id',
  i: 'call-id',
  cseq: 'cseq',
};
const REQUEST_LINE = /^([A-Za-z]+) \S+ SIP\/2\.0$/;
const MAX_SCAN = 16 * 1024;

/** The response bytes to send, or undefined when the message cannot be answered. */
export function answerMalformed(data: Buffer, error: SipwssError): Buffer | undefined {
  const text = data.subarray(0, MAX_SCAN).toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd >= 0 ? text.slice(0, headEnd) : text;
  const lines = head.split('\r\n');
  const first = lines[0] ?? '';
  const m = REQUEST_LINE.exec(first);
  if (m === null || m[1]?.toUpperCase() === 'ACK') return undefined; // responses and ACKs are never answered
  const found = new Map<string, string[]>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = NEEDED[line.slice(0, colon).trim().toLowerCase()];
    if (key === undefined) continue;
    const list = found.get(key) ?? [];
    list.push(line);
    found.set(key, list);
  }
  for (const key of ['via', 'from', 'to', 'call-id', 'cseq']) {
    if (!found.has(key)) return undefined;
  }
  const status = error.outcome.sip ?? 400;
  const reason = REASON_PHRASES[status] ?? 'Bad Request';
  const warning = error.message.replace(/["\\\r\n]/g, ' ').slice(0, 200);
  let out = `SIP/2.0 ${status} ${reason}\r\n`;
  for (const key of ['via', 'from', 'to', 'call-id', 'cseq'])
    for (const l of found.get(key) ?? []) out += `${l}\r\n`;
  out += `Warning: 399 sipwss "${warning}"\r\nContent-Length: 0\r\n\r\n`;
  return Buffer.from(out, 'latin1');
}
