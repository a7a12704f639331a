/**
 * The common read on an inbound connection, taken without `ws`'s receiver: one socket read that
 * holds exactly one complete, unfragmented, masked text or binary frame (a SIP message from a
 * browser is one frame in one TLS record). Everything else returns undefined and goes to `ws`,
 * which keeps every check and every error close (control frames, fragments, frames split over
 * reads or sharing a read, 64-bit lengths, RSV bits, unmasked frames, invalid UTF-8, too big).
 * The caller only asks between frames, when `ws` holds no partial frame or message.
 */
import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';

/** FIN + opcode, RFC 6455 §5.2: 0x1 text, 0x2 binary; RSV bits 0 (no extension was agreed). */
const FIN_TEXT = 0x81;
const FIN_BINARY = 0x82;
/** MASK bit of the second byte: a client masks every frame (RFC 6455 §5.3). */
const MASKED = 0x80;

type Unmask = (buffer: Buffer, mask: Buffer) => void;

/** `bufferutil`'s native unmask (already a dependency of `ws` here), else the same in JS. */
const unmaskNative: Unmask | undefined = (() => {
  try {
    const m = createRequire(import.meta.url)('bufferutil') as { unmask?: Unmask };
    return typeof m.unmask === 'function' ? m.unmask : undefined;
  } catch {
    return undefined;
  }
})();

function unmaskJs(buffer: Buffer, mask: Buffer): void {
  for (let i = 0; i < buffer.length; i++) buffer[i] = (buffer[i] as number) ^ (mask[i & 3] as number);
}

/** Short payloads are cheaper in JS than through a native call (as `ws` does below 32 bytes). */
function unmask(buffer: Buffer, mask: Buffer): void {
  if (unmaskNative !== undefined && buffer.length >= 32) unmaskNative(buffer, mask);
  else unmaskJs(buffer, mask);
}

/** Where the payload starts when `chunk` is exactly one frame the fast path takes; -1 otherwise. */
function frameBounds(chunk: Buffer, maxPayload: number): number {
  const b0 = chunk[0];
  if (chunk.length < 6 || (b0 !== FIN_TEXT && b0 !== FIN_BINARY)) return -1;
  const b1 = chunk[1] as number;
  if ((b1 & MASKED) === 0) return -1;
  const len7 = b1 & 0x7f;
  let start: number;
  let len: number;
  if (len7 < 126) {
    start = 6;
    len = len7;
  } else if (len7 === 126) {
    if (chunk.length < 8) return -1;
    start = 8;
    len = chunk.readUInt16BE(2);
  } else {
    return -1; // 64-bit lengths: rare and large, left to `ws`
  }
  if (len === 0 || len > maxPayload || start + len !== chunk.length) return -1;
  return start;
}

/**
 * The unmasked payload (in place: the read's buffer is ours) when `chunk` is exactly one complete
 * masked text/binary frame within `maxPayload`; a text payload must be valid UTF-8 (RFC 6455
 * §8.1), else the bytes are put back as they were and `ws` closes with 1007.
 */
export function singleDataFrame(chunk: Buffer, maxPayload: number): Buffer | undefined {
  const start = frameBounds(chunk, maxPayload);
  if (start < 0) return undefined;
  const mask = chunk.subarray(start - 4, start);
  const payload = chunk.subarray(start);
  unmask(payload, mask);
  if (chunk[0] === FIN_TEXT && !isUtf8(payload)) {
    unmask(payload, mask); // XOR again: the frame as received, for `ws` to reject
    return undefined;
  }
  return payload;
}

/** Whether a frame `singleDataFrame` returned was binary (its first byte is untouched). */
export function isBinaryFrame(chunk: Buffer): boolean {
  return chunk[0] === FIN_BINARY;
}
