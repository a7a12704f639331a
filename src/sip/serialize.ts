/**
 * Renders a message back to bytes. Header lines nobody touched are copied as received (runs of
 * them as one slice); new or changed ones are rendered `Name: value`; Content-Length is made to
 * match the body (RFC 3261 §20.14; always written, as a stream needs it and WebSocket allows it).
 */
import type { SipMessage } from './message.js';
import { parseContentLength } from './scalars.js';

export function serialize(msg: SipMessage): Buffer {
  const body = msg.body;
  const cls = msg.fields('content-length');
  let headers: string;
  const only = cls[0];
  if (cls.length === 1 && only !== undefined && only.raw !== undefined && clEquals(only.value, body.length)) {
    headers = msg.renderHeaders();
  } else {
    headers = `${msg.renderHeaders('content-length')}${only?.name ?? 'Content-Length'}: ${body.length}\r\n`;
  }
  const head = `${msg.startLine}\r\n${headers}\r\n`;
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, 'latin1');
  if (body.length > 0) body.copy(out, head.length);
  return out;
}

function clEquals(value: string, n: number): boolean {
  const v = parseContentLength(value);
  return v.ok && v.value === n;
}
