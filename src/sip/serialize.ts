/**
 * Renders a message back to bytes. Header lines nobody touched are copied as received (runs of
 * them as one slice); new or changed ones are rendered `Name: value`; Content-Length is made to
 * match the body (RFC 3261 §20.14; always written, as a stream needs it and WebSocket allows it).
 */
import type { SipMessage } from './message.js';
import { parseContentLength } from './scalars.js';

export function serialize(msg: SipMessage): Buffer {
  const body = msg.body;
  let headers: string;
  // The usual case, one received Content-Length that is right, is checked without reading the
  // line as a field.
  const cl = msg.untouchedSingleValue('content-length');
  if (cl !== undefined && clEquals(cl, body.length)) {
    headers = msg.renderHeaders();
  } else {
    // A message we built has no Content-Length line (a response we answer with): no lookup of it.
    const only = msg.hasKey('content-length') ? msg.fields('content-length')[0] : undefined;
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
