import { createHash, randomBytes } from 'node:crypto';

/** RFC 6455 §1.3 / §4.2.2 item 5.4: the GUID appended to the key. */
export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2). */
export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
}

/** RFC 6455 §4.1 item 7 / §11.3.1: base64 of exactly 16 bytes (22 chars + "=="). */
const KEY_RE = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

export function isValidKey(key: string): boolean {
  return KEY_RE.test(key);
}

/** A fresh client key: 16 random bytes, base64 (RFC 6455 §4.1 item 7). */
export function newKey(): string {
  return randomBytes(16).toString('base64');
}
