/**
 * RFC 5626 §3.5.1 CRLF keepalive, as carried in one WebSocket message or datagram: CRLFCRLF is
 * a ping (answer with CRLF), a single CRLF is a pong. Neither is SIP and neither is parsed.
 */
export function isKeepalive(buf: Buffer): 'ping' | 'pong' | undefined {
  if (buf.length === 4)
    return buf[0] === 13 && buf[1] === 10 && buf[2] === 13 && buf[3] === 10 ? 'ping' : undefined;
  if (buf.length === 2) return buf[0] === 13 && buf[1] === 10 ? 'pong' : undefined;
  return undefined;
}

/** The pong to send for a ping. */
export const KEEPALIVE_PONG: Buffer = Buffer.from('\r\n', 'latin1');
