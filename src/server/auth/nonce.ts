/**
 * Nonces that expire and cannot be replayed (RFC 3261 §22.4, RFC 7616 §5.4-5.5).
 *
 * A nonce is self-validating: base64url(issued-at ms | 8 random bytes | HMAC-SHA256 truncated to
 * 16 bytes) keyed with a per-process secret, so any nonce we did not make, or that was altered, is
 * rejected without state. Replay protection needs state: for each nonce in use we remember the
 * highest nonce-count seen; a request must bring a higher one (qop=auth), or, without qop, the
 * nonce is single-use. State lives only for the nonce's lifetime.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type NonceCheck = 'ok' | 'stale' | 'invalid' | 'replay';

const RAW_LENGTH = 8 + 8 + 16;

export class NonceManager {
  readonly #secret: Buffer;
  readonly #lifetimeMs: number;
  readonly #now: () => number;
  /** nonce -> highest nc seen (0: used once without qop) */
  readonly #seen = new Map<string, number>();
  #lastSweep = 0;

  constructor(opts: { lifetimeMs: number; secret?: Buffer; now?: () => number }) {
    this.#secret = opts.secret ?? randomBytes(32);
    this.#lifetimeMs = opts.lifetimeMs;
    this.#now = opts.now ?? Date.now;
  }

  issue(): string {
    const raw = Buffer.allocUnsafe(RAW_LENGTH);
    raw.writeBigUInt64BE(BigInt(this.#now()), 0);
    randomBytes(8).copy(raw, 8);
    this.#mac(raw.subarray(0, 16)).copy(raw, 16);
    return raw.toString('base64url');
  }

  /**
   * Check a nonce presented with a correct response. `nc` is the nonce-count (hex) with qop, or
   * undefined without qop. Records the use on success.
   */
  use(nonce: string, nc: string | undefined): NonceCheck {
    const issuedAt = this.#verify(nonce);
    if (issuedAt === undefined) return 'invalid';
    const now = this.#now();
    this.#sweep(now);
    if (now - issuedAt > this.#lifetimeMs || issuedAt > now + 1000) return 'stale';
    const last = this.#seen.get(nonce);
    if (nc === undefined) {
      if (last !== undefined) return 'replay';
      this.#seen.set(nonce, 0);
      return 'ok';
    }
    const count = Number.parseInt(nc, 16);
    if (!Number.isFinite(count) || count < 1) return 'invalid';
    if (last !== undefined && count <= last) return 'replay';
    this.#seen.set(nonce, count);
    return 'ok';
  }

  /** True when the nonce is one of ours (whatever its age): lets the caller tell stale from forged. */
  isOurs(nonce: string): boolean {
    return this.#verify(nonce) !== undefined;
  }

  #verify(nonce: string): number | undefined {
    if (nonce.length !== Math.ceil((RAW_LENGTH * 4) / 3)) return undefined;
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== RAW_LENGTH || raw.toString('base64url') !== nonce) return undefined;
    const expected = this.#mac(raw.subarray(0, 16));
    if (!timingSafeEqual(expected, raw.subarray(16))) return undefined;
    return Number(raw.readBigUInt64BE(0));
  }

  #mac(data: Buffer): Buffer {
    return createHmac('sha256', this.#secret).update(data).digest().subarray(0, 16);
  }

  /** Forget nonces past their lifetime, at most once a second (amortised, no timer). */
  #sweep(now: number): void {
    if (now - this.#lastSweep < 1000) return;
    this.#lastSweep = now;
    for (const nonce of this.#seen.keys()) {
      const issuedAt = this.#verify(nonce);
      if (issuedAt === undefined || now - issuedAt > this.#lifetimeMs) this.#seen.delete(nonce);
    }
  }
}
