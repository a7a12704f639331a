/**
 * Flow tokens (RFC 5626 §5.2): the user part of the Record-Route URIs we insert names the
 * connection a dialog's requests must go down, so in-dialog requests from either side reach the
 * other side's WebSocket, whose Contact host is an unresolvable `.invalid` name (RFC 7118 §5.2).
 * The token is HMAC-protected: a forged or altered one is refused (430 Flow Failed is the answer
 * for a token whose connection is gone, RFC 5626 §5.3.1; a forged one is treated as not ours).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 10;

export class FlowTokens {
  readonly #key: Buffer;

  constructor(key: Buffer = randomBytes(32)) {
    this.#key = key;
  }

  /** A token for a connection id (any string of URI-safe length). */
  encode(connectionId: string): string {
    const id = Buffer.from(connectionId, 'utf8');
    return Buffer.concat([this.#mac(id), id]).toString('base64url');
  }

  /** The connection id in a token we made, or undefined for anything else. */
  decode(token: string): string | undefined {
    if (token.length < 15 || token.length > 256 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length <= MAC_BYTES) return undefined;
    const id = raw.subarray(MAC_BYTES);
    if (!timingSafeEqual(raw.subarray(0, MAC_BYTES), this.#mac(id))) return undefined;
    return id.toString('utf8');
  }

  #mac(data: Buffer): Buffer {
    return createHmac('sha256', this.#key).update(data).digest().subarray(0, MAC_BYTES);
  }
}
