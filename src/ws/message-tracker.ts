/**
 * Counts the socket reads over which each incoming unit arrives (OpenSIPS `*_max_msg_chunks`), by
 * following frame boundaries on the raw bytes: it reads only frame headers (RFC 6455 §5.2) and skips
 * payloads; the `ws` receiver does the real parsing and every validity check. A unit is one WebSocket
 * message (its data frames, with any control frames between its fragments, RFC 6455 §5.4) or one
 * control frame outside a message. Also reports when the current unit started (message timeout).
 */

enum St {
  HEADER = 0,
  PAYLOAD = 1,
}

export class MessageTracker {
  /** Reads the current unit has touched. */
  reads = 0;
  /** Time the current unit's first byte arrived; 0: between units. */
  unitStart = 0;
  private st: St = St.HEADER;
  private readonly hdr = Buffer.allocUnsafe(14);
  private hdrLen = 0;
  private hdrNeed = 2;
  private payloadLeft = 0;
  private fin = false;
  private control = false;
  /** Inside a fragmented data message (FIN=0 seen). */
  private dataOpen = false;

  constructor(private readonly maxReads: number) {}

  get inUnit(): boolean {
    return this.unitStart !== 0;
  }

  /** Feeds one read. Returns false when a unit needs more than `maxReads` reads. */
  feed(chunk: Buffer, now: number): boolean {
    const len = chunk.length;
    let i = 0;
    let counted = false;
    while (i < len) {
      if (this.unitStart === 0) {
        this.unitStart = now;
        this.reads = 0;
        counted = false;
      }
      if (!counted) {
        counted = true;
        if (++this.reads > this.maxReads) return false;
      }
      if (this.st === St.PAYLOAD) {
        const take = Math.min(this.payloadLeft, len - i);
        i += take;
        this.payloadLeft -= take;
        if (this.payloadLeft === 0) this.frameDone();
        continue;
      }
      // Header bytes: 2, then the extended length (RFC 6455 §5.2) and the masking key.
      while (i < len && this.hdrLen < this.hdrNeed) {
        this.hdr[this.hdrLen++] = chunk[i++] as number;
        if (this.hdrLen === 2) {
          const b1 = this.hdr[1] as number;
          const len7 = b1 & 0x7f;
          this.hdrNeed = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
        }
      }
      if (this.hdrLen < this.hdrNeed) break;
      const b0 = this.hdr[0] as number;
      const len7 = (this.hdr[1] as number) & 0x7f;
      this.fin = (b0 & 0x80) !== 0;
      this.control = (b0 & 0x08) !== 0;
      this.payloadLeft =
        len7 === 126
          ? this.hdr.readUInt16BE(2)
          : len7 === 127
            ? this.hdr.readUInt32BE(2) * 0x1_0000_0000 + this.hdr.readUInt32BE(6)
            : len7;
      this.hdrLen = 0;
      this.hdrNeed = 2;
      if (this.payloadLeft === 0) this.frameDone();
      else this.st = St.PAYLOAD;
    }
    return true;
  }

  private frameDone(): void {
    this.st = St.HEADER;
    if (this.control) {
      if (!this.dataOpen) this.unitStart = 0;
      return;
    }
    if (this.fin) {
      this.dataOpen = false;
      this.unitStart = 0;
    } else {
      this.dataOpen = true;
    }
  }
}
