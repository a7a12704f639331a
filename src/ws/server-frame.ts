/**
 * One unmasked data frame (server to client, RFC 6455 §5.2, §5.1: a server never masks) as a single
 * buffer, written with one `socket.write`. `ws`'s sender hands the socket a header and the payload
 * as two chunks (cork, two writes, uncork: a writev that Node's TLS layer copies into one record);
 * one chunk skips that path, which is a measurable share of a relayed SIP message's cost.
 */

/** FIN + opcode: RFC 6455 §5.2 (0x1 text, 0x2 binary), one unfragmented message. */
const FIN_TEXT = 0x81;
const FIN_BINARY = 0x82;

export function serverDataFrame(payload: Buffer, binary: boolean): Buffer {
  const len = payload.length;
  // RFC 6455 §5.2 payload length: 7 bits, or 126 + 16 bits, or 127 + 64 bits.
  const headLen = len < 126 ? 2 : len < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headLen + len);
  frame[0] = binary ? FIN_BINARY : FIN_TEXT;
  if (headLen === 2) {
    frame[1] = len;
  } else if (headLen === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    frame.writeUInt32BE(len >>> 0, 6);
  }
  payload.copy(frame, headLen);
  return frame;
}
