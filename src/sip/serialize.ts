/**
 * Renders a message back to bytes. Header lines nobody touched are copied as received; new or
 * changed ones are rendered `Name: value`; Content-Length is made to match the body
 * (RFC 3261 §20.14; always written, as a stream needs it and WebSocket allows it).
 */

import type { SipMessage } from './message.js';
import { parseContentLength } from './scalars.js';

export function serialize(msg: SipMessage): Buffer {
  const body = msg.body;
  let head = `${msg.startLine}\r\n`;
  let clDone = false;
  for (const h of msg.headers) {
    if (h.key === 'content-length') {
      if (clDone) continue;
      clDone = true;
      const v = parseContentLength(h.value);
      if (h.raw !== undefined && v.ok && v.value === body.length) head += h.raw;
      else head += `${h.name}: ${body.length}\r\n`;
      continue;
    }
    head += h.raw ?? `${h.name}: ${h.value}\r\n`;
  }
  if (!clDone) head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, 'latin1');
  if (body.length > 0) body.copy(out, head.length);
  return out;
}
