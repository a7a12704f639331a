/**
 * Keep-alives over WebSocket. RFC 5626 §3.5.1 / §4.4.1 (used over WS per RFC 7118 §6): a message that
 * is exactly CRLFCRLF is a ping answered with CRLF; a lone CRLF is a pong, absorbed. Neither is SIP.
 * Server-initiated liveness uses WS Ping frames (RFC 6455 §5.5.2): browsers answer them natively,
 * whereas SIP.js ignores CRLF pings.
 */

export const CRLF = Buffer.from('\r\n');

export type KeepaliveKind = 'ping' | 'pong' | 'none';

/** Classifies a complete WebSocket message. */
export function keepaliveKind(msg: Buffer): KeepaliveKind {
  if (msg.length === 4) {
    return msg[0] === 13 && msg[1] === 10 && msg[2] === 13 && msg[3] === 10 ? 'ping' : 'none';
  }
  if (msg.length === 2) return msg[0] === 13 && msg[1] === 10 ? 'pong' : 'none';
  return 'none';
}

export type PingAction = 'none' | 'ping' | 'dead';

/**
 * What the sweep does for one open connection: ping it when nothing arrived for `interval` ms, declare
 * it dead when a ping sent `timeout` ms ago got nothing back (any received frame clears the ping).
 */
export function pingAction(
  now: number,
  lastRx: number,
  pingSentAt: number,
  interval: number,
  timeout: number,
): PingAction {
  if (interval <= 0) return 'none';
  if (pingSentAt > 0) return now - pingSentAt >= timeout ? 'dead' : 'none';
  return now - lastRx >= interval ? 'ping' : 'none';
}
