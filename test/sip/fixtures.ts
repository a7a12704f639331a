/** Loads codec fixtures: real-client wire messages and RFC 4475 torture messages. */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NameAddr, SipMessage } from '../../src/sip/index.js';

const ROOT = join(import.meta.dirname, '..', 'fixtures');

export function wire(name: string): Buffer {
  return readFileSync(join(ROOT, 'wire', name));
}

export function wireNames(): string[] {
  return readdirSync(join(ROOT, 'wire'))
    .filter((f) => f.endsWith('.sip'))
    .sort();
}

export function torture(name: string): Buffer {
  return readFileSync(join(ROOT, 'rfc4475', `${name}.sip`));
}

/** CRLF-joined lines plus the empty line, as bytes. */
export function msg(lines: string[], body = ''): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

export const BASIC = [
  'OPTIONS sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: <sip:bob@example.com>',
  'From: "Alice" <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
  'CSeq: 63104 OPTIONS',
  'Content-Length: 0',
];

/** The first Contact of a message, which must be a name-addr (not `*`). */
export function firstContact(m: SipMessage): NameAddr {
  const c = m.contacts();
  if (!c.ok) throw c.error;
  const first = c.value[0];
  if (first === undefined || first.star === true) throw new Error('no name-addr Contact');
  return first;
}
