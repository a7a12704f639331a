/**
 * Cuts SIP messages out of a byte stream (TCP/TLS): RFC 3261 §18.3 framing by Content-Length,
 * CRLFs between messages skipped (§7.5), and the RFC 5626 §3.5.1 keepalive: CRLFCRLF is a ping,
 * a lone CRLF a pong; neither is parsed as SIP.
 *
 * Events come out in stream order whatever the chunking. A malformed message whose extent is
 * still known (its header section ended and its Content-Length was readable) is a non-fatal
 * error: the framer resynchronises after it. When the extent cannot be known (no Content-Length
 * value, header section over the size limit, body over the limit), the error is fatal: the
 * connection must be closed, and the framer refuses further input.
 *
 * Buffers: messages are views of the bytes pushed (no copy). The framer never writes into a
 * buffer after a message was cut from it.
 */
import { CR, LF } from './chars.js';
import { SipError } from './errors.js';
import { headerKey } from './headers.js';
import { DEFAULT_LIMITS, type SipLimits } from './limits.js';
import type { SipMessage } from './message.js';
import { parseMessage } from './parse.js';
import { parseContentLength } from './scalars.js';

export type FramerEvent =
  | { readonly type: 'message'; readonly message: SipMessage }
  | { readonly type: 'ping' }
  | { readonly type: 'pong' }
  | { readonly type: 'error'; readonly error: SipError; readonly fatal: boolean };

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const EMPTY = Buffer.alloc(0);

export class SipStreamFramer {
  private readonly limits: SipLimits;
  /** Pending bytes are buf[0, len). */
  private buf: Buffer = EMPTY;
  private len = 0;
  /** buf was allocated here and no message refers to it: we may append into its spare room. */
  private owned = false;
  /** Where to resume the search for CRLFCRLF. */
  private scanFrom = 0;
  /** Once the header section is found: total bytes of the message (head + body). */
  private need = -1;
  private dead: SipError | undefined;

  constructor(limits: SipLimits = DEFAULT_LIMITS) {
    this.limits = limits;
  }

  /** True after a fatal error: the connection must be closed. */
  get failed(): boolean {
    return this.dead !== undefined;
  }

  /** Bytes held while waiting for the rest of a message. */
  get pending(): number {
    return this.len;
  }

  push(chunk: Buffer): FramerEvent[] {
    const events: FramerEvent[] = [];
    if (this.dead !== undefined) {
      events.push({ type: 'error', error: this.dead, fatal: true });
      return events;
    }
    if (chunk.length === 0) return events;
    this.append(chunk);
    this.drain(events);
    return events;
  }

  private append(chunk: Buffer): void {
    if (this.len === 0) {
      this.buf = chunk;
      this.len = chunk.length;
      this.owned = false;
      return;
    }
    const total = this.len + chunk.length;
    if (!this.owned || total > this.buf.length) {
      // Grow by doubling so that a message arriving byte by byte costs O(n), not O(n²).
      const next = Buffer.allocUnsafe(Math.max(total, this.len * 2, 1024));
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
      this.owned = true;
    }
    chunk.copy(this.buf, this.len);
    this.len = total;
  }

  private drain(events: FramerEvent[]): void {
    let off = 0;
    let cut = false;
    const buf = this.buf;
    const len = this.len;
    while (off < len) {
      if (this.need === -1) {
        // Between messages: keepalives and stray CRLFs.
        if (buf[off] === CR) {
          if (off + 1 >= len) break;
          if (buf[off + 1] === LF) {
            if (off + 3 < len && buf[off + 2] === CR && buf[off + 3] === LF) {
              events.push({ type: 'ping' });
              off += 4;
              continue;
            }
            if (off + 2 >= len || (off + 3 >= len && buf[off + 2] === CR)) break; // wait: ping or pong?
            events.push({ type: 'pong' });
            off += 2;
            continue;
          }
        }
        const from = Math.max(off, this.scanFrom - 3);
        const h = buf.indexOf(CRLFCRLF, from);
        if (h === -1 || h + 4 > len) {
          this.scanFrom = len;
          if (len - off > this.limits.maxMessageSize) {
            this.fatal(events, 'SIP_TOO_LARGE', 'header section');
            return;
          }
          break;
        }
        const headLen = h + 4 - off;
        const cl = contentLengthOf(buf.toString('latin1', off, h + 2));
        if (cl === 'bad') {
          this.fatal(events, 'SIP_BAD_CONTENT_LENGTH');
          return;
        }
        if (cl === undefined) {
          // RFC 3261 §18.3: mandatory on a stream. Without it the body cannot be found; assume none
          // (so framing continues after the header section) and report the message as bad.
          events.push({ type: 'error', error: new SipError('SIP_MISSING_CONTENT_LENGTH'), fatal: false });
          off = h + 4;
          this.scanFrom = off;
          continue;
        }
        if (headLen + cl > this.limits.maxMessageSize) {
          this.fatal(events, cl > this.limits.maxMessageSize ? 'SIP_BODY_TOO_LARGE' : 'SIP_TOO_LARGE');
          return;
        }
        this.need = headLen + cl;
        this.scanFrom = 0;
      }
      if (len - off < this.need) break;
      const r = parseMessage(buf.subarray(off, off + this.need), this.limits, 'stream');
      events.push(
        r.ok ? { type: 'message', message: r.value } : { type: 'error', error: r.error, fatal: false },
      );
      cut = true;
      off += this.need;
      this.need = -1;
      this.scanFrom = off;
    }
    this.consume(off, cut);
  }

  private consume(off: number, cut: boolean): void {
    const rest = this.len - off;
    this.scanFrom = Math.max(0, this.scanFrom - off);
    if (rest === 0) {
      this.buf = EMPTY;
      this.len = 0;
      this.owned = false;
      return;
    }
    if (off === 0) return;
    if (cut || !this.owned) {
      // Messages may point into buf: move the remainder into a fresh buffer of our own.
      const next = Buffer.allocUnsafe(Math.max(rest * 2, 1024));
      this.buf.copy(next, 0, off, this.len);
      this.buf = next;
      this.owned = true;
    } else {
      this.buf.copy(this.buf, 0, off, this.len);
    }
    this.len = rest;
  }

  private fatal(
    events: FramerEvent[],
    code: 'SIP_TOO_LARGE' | 'SIP_BODY_TOO_LARGE' | 'SIP_BAD_CONTENT_LENGTH',
    detail?: string,
  ): void {
    this.dead = new SipError(code, detail);
    this.buf = EMPTY;
    this.len = 0;
    events.push({ type: 'error', error: this.dead, fatal: true });
  }
}

/** Content-Length of a header section: a number, undefined when absent, 'bad' when unusable. */
function contentLengthOf(s: string): number | 'bad' | undefined {
  let found: number | undefined;
  let pos = s.indexOf('\r\n') + 2;
  while (pos > 1 && pos < s.length) {
    const end = s.indexOf('\r\n', pos);
    const c = s.charCodeAt(pos);
    // Only lines that can name Content-Length ('l' or 'Content-Length', any case).
    if (c === 0x6c || c === 0x4c || c === 0x63 || c === 0x43) {
      const colon = s.indexOf(':', pos);
      if (colon !== -1 && colon < end && headerKey(s.slice(pos, colon).trim()) === 'content-length') {
        let vEnd = end;
        // A folded value continues on lines starting with whitespace.
        while (vEnd + 2 < s.length && (s.charCodeAt(vEnd + 2) === 0x20 || s.charCodeAt(vEnd + 2) === 0x09)) {
          vEnd = s.indexOf('\r\n', vEnd + 2);
        }
        const v = parseContentLength(s.slice(colon + 1, vEnd).replace(/\r\n/g, ''));
        if (!v.ok) return 'bad';
        if (found !== undefined && found !== v.value) return 'bad';
        found = v.value;
      }
    }
    if (end === -1) break;
    pos = end + 2;
  }
  return found;
}
