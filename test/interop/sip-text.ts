/**
 * Hand-written SIP text for interop tests, in the shape real WebSocket clients use
 * (shared/notes/clients-on-the-wire.md): Via `SIP/2.0/WSS <rand>.invalid;branch=z9hG4bK…`, no port,
 * no rport (RFC 7118 §5.2). Deliberately independent of src/sip so a codec bug cannot hide itself.
 */
import { randomBytes } from 'node:crypto';

export type WsTransportName = 'WS' | 'WSS';

function token(bytes = 6): string {
  return randomBytes(bytes).toString('hex');
}

export interface RequestOptions {
  readonly method: string;
  /** Request-URI, e.g. `sip:127.0.0.1` */
  readonly uri: string;
  readonly transport?: WsTransportName;
  readonly callId?: string;
  readonly cseq?: number;
  readonly body?: string;
  readonly contentType?: string;
}

/** A complete SIP request (RFC 3261 §8.1.1 mandatory headers), Content-Length in bytes. */
export function sipRequest(o: RequestOptions): string {
  const body = o.body ?? '';
  const lines = [
    `${o.method} ${o.uri} SIP/2.0`,
    // RFC 3261 §8.1.1.7: the branch starts with the magic cookie z9hG4bK
    `Via: SIP/2.0/${o.transport ?? 'WSS'} ${token()}.invalid;branch=z9hG4bK${token(5)}`,
    'Max-Forwards: 70',
    `To: <${o.uri}>`,
    `From: <sip:tester@sipwss.invalid>;tag=${token(4)}`,
    `Call-ID: ${o.callId ?? token(10)}`,
    `CSeq: ${o.cseq ?? 1} ${o.method}`,
  ];
  if (body.length > 0) lines.push(`Content-Type: ${o.contentType ?? 'text/plain'}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** The first line of a SIP message. */
export function startLine(msg: string): string {
  const end = msg.indexOf('\r\n');
  return end < 0 ? msg : msg.slice(0, end);
}

/** Values of header `name` (case-insensitive; compact forms not handled). */
export function headers(msg: string, name: string): string[] {
  const head = msg.split('\r\n\r\n', 1)[0] ?? '';
  const want = name.toLowerCase();
  const out: string[] = [];
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === want)
      out.push(line.slice(colon + 1).trim());
  }
  return out;
}

export function header(msg: string, name: string): string | undefined {
  return headers(msg, name)[0];
}

export function body(msg: string): string {
  const at = msg.indexOf('\r\n\r\n');
  return at < 0 ? '' : msg.slice(at + 4);
}

/** A response to `request` copying Via/From/To/Call-ID/CSeq (RFC 3261 §8.2.6.2), with a To tag. */
export function sipResponse(request: string, status: number, reason: string, respBody = ''): string {
  const lines = [`SIP/2.0 ${status} ${reason}`];
  for (const via of headers(request, 'Via')) lines.push(`Via: ${via}`);
  const to = header(request, 'To') ?? '';
  lines.push(`To: ${/;\s*tag=/.test(to) ? to : `${to};tag=${token(4)}`}`);
  lines.push(`From: ${header(request, 'From') ?? ''}`);
  lines.push(`Call-ID: ${header(request, 'Call-ID') ?? ''}`);
  lines.push(`CSeq: ${header(request, 'CSeq') ?? ''}`);
  if (respBody.length > 0) lines.push('Content-Type: text/plain');
  lines.push(`Content-Length: ${Buffer.byteLength(respBody)}`);
  return `${lines.join('\r\n')}\r\n\r\n${respBody}`;
}
