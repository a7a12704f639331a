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
  /** Header bytes seen of the current frame, and how many it has (2 to 14). */
  private hdrLen = 0;
  private hdrNeed = 2;
  private b0 = 0;
  /** Extended payload length being accumulated (RFC 6455 §5.2), then the payload left. */
  private extLen = 0;
  private len7 = 0;
  private payloadLeft = 0;
  /** Inside a fragmented data message (FIN=0 seen). */
  private dataOpen = false;

  constructor(private maxReads: number) {}

  get inUnit(): boolean {
    return this.unitStart !== 0;
  }

  /** Read epoch (src/ws/read-epoch.ts) of the last chunk; 0: none (epochs start at 1). */
  private epoch = 0;

  /** Back to the state between units (so that one instance can serve many connections in turn). */
  reset(maxReads: number): this {
    this.maxReads = maxReads;
    this.reads = 0;
    this.unitStart = 0;
    this.st = St.HEADER;
    this.hdrLen = 0;
    this.hdrNeed = 2;
    this.b0 = 0;
    this.extLen = 0;
    this.len7 = 0;
    this.payloadLeft = 0;
    this.dataOpen = false;
    this.epoch = 0;
    return this;
  }

  /** A copy with the same state (a unit in progress moving to its connection's own tracker). */
  clone(): MessageTracker {
    const t = new MessageTracker(this.maxReads);
    t.reads = this.reads;
    t.unitStart = this.unitStart;
    t.st = this.st;
    t.hdrLen = this.hdrLen;
    t.hdrNeed = this.hdrNeed;
    t.b0 = this.b0;
    t.extLen = this.extLen;
    t.len7 = this.len7;
    t.payloadLeft = this.payloadLeft;
    t.dataOpen = this.dataOpen;
    t.epoch = this.epoch;
    return t;
  }

  /**
   * Feeds one chunk. Chunks with the same `epoch` (>= 1) are one read (0: every chunk is a read).
   * Returns false when a unit needs more than `maxReads` reads.
   */
  feed(chunk: Buffer, now: number, epoch = 0): boolean {
    const len = chunk.length;
    let i = 0;
    // Same read as the previous chunk: the unit in progress already counted it.
    let counted = epoch !== 0 && epoch === this.epoch;
    this.epoch = epoch;
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
      // Header bytes: 2, then the extended length (RFC 6455 §5.2), then the masking key (skipped).
      while (i < len && this.hdrLen < this.hdrNeed) {
        const byte = chunk[i++] as number;
        const n = this.hdrLen++;
        if (n === 0) {
          this.b0 = byte;
        } else if (n === 1) {
          this.len7 = byte & 0x7f;
          this.extLen = 0;
          this.hdrNeed = 2 + (this.len7 === 126 ? 2 : this.len7 === 127 ? 8 : 0) + (byte & 0x80 ? 4 : 0);
        } else if (n < 2 + (this.len7 === 126 ? 2 : this.len7 === 127 ? 8 : 0)) {
          this.extLen = this.extLen * 256 + byte;
        }
      }
      if (this.hdrLen < this.hdrNeed) break;
      this.payloadLeft = this.len7 >= 126 ? this.extLen : this.len7;
      this.hdrLen = 0;
      this.hdrNeed = 2;
      if (this.payloadLeft === 0) this.frameDone();
      else this.st = St.PAYLOAD;
    }
    return true;
  }

  private frameDone(): void {
    this.st = St.HEADER;
    // RFC 6455 §5.5: opcodes 8-15 are control frames; they never end a fragmented message.
    if (this.b0 & 0x08) {
      if (!this.dataOpen) this.unitStart = 0;
      return;
    }
    if (this.b0 & 0x80) {
      this.dataOpen = false;
      this.unitStart = 0;
    } else {
      this.dataOpen = true;
    }
  }
}
