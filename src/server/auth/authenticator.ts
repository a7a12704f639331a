/**
 * Digest authentication of SIP requests (RFC 3261 §22, RFC 8760), independent of the message
 * classes: the caller hands in the method, the Request-URI and the credentials header values, and
 * gets either the authenticated user or the reason to challenge again.
 * 401 + WWW-Authenticate for REGISTER, 407 + Proxy-Authenticate for other requests (RFC 3261 §22.3)
 * is the caller's choice of status; this class builds the challenge values.
 */
import { parseDigestCredentials } from './credentials-header.js';
import { type DigestAlgorithm, digestAlgorithm, digestResponse, ha1 } from './digest.js';
import { NonceManager } from './nonce.js';
import type { UserDb } from './users-file.js';

export interface AuthenticatorOptions {
  readonly users: UserDb;
  /** Algorithms offered, in order of preference, one challenge each (RFC 8760 §2.4). Default ['MD5']. */
  readonly algorithms?: readonly DigestAlgorithm[];
  /** Nonce lifetime (ms); a correct answer with an older nonce gets a `stale=true` challenge. */
  readonly nonceLifetimeMs?: number;
  readonly now?: () => number;
}

export type AuthFailure =
  | 'missing' // no credentials for this realm
  | 'malformed' // unparseable credentials
  | 'unknown-user'
  | 'bad-response' // wrong password (or wrong uri/method)
  | 'uri-mismatch' // credentials' uri differs from the Request-URI (RFC 2617 §3.2.2.5)
  | 'algorithm' // an algorithm we did not offer
  | 'stale' // correct, but the nonce expired: challenge with stale=true
  | 'replay'
  | 'forged-nonce';

export type AuthResult =
  | { readonly ok: true; readonly username: string; readonly realm: string }
  | { readonly ok: false; readonly reason: AuthFailure };

export class DigestAuthenticator {
  readonly #users: UserDb;
  readonly #algorithms: readonly DigestAlgorithm[];
  readonly #nonces: NonceManager;

  constructor(opts: AuthenticatorOptions) {
    this.#users = opts.users;
    this.#algorithms = opts.algorithms ?? ['MD5'];
    if (this.#algorithms.length === 0) throw new TypeError('at least one digest algorithm must be offered');
    this.#nonces = new NonceManager({
      lifetimeMs: opts.nonceLifetimeMs ?? 30_000,
      ...(opts.now !== undefined ? { now: opts.now } : {}),
    });
  }

  /** Challenge header values (WWW-Authenticate or Proxy-Authenticate), one per offered algorithm. */
  challenge(realm: string, stale = false): string[] {
    const nonce = this.#nonces.issue();
    return this.#algorithms.map(
      (alg) =>
        `Digest realm="${realm.replace(/["\\]/g, '\\$&')}", nonce="${nonce}", algorithm=${alg}, qop="auth"` +
        (stale ? ', stale=true' : ''),
    );
  }

  /**
   * Check the credentials among `headerValues` (all Authorization or Proxy-Authorization values of
   * the request) that are for `realm`.
   */
  verify(req: { method: string; uri: string; headerValues: readonly string[]; realm: string }): AuthResult {
    let sawMalformed = false;
    for (const value of req.headerValues) {
      const c = parseDigestCredentials(value);
      if (c === undefined) {
        sawMalformed = true;
        continue;
      }
      if (c.realm.toLowerCase() !== req.realm.toLowerCase()) continue;
      const alg = digestAlgorithm(c.algorithm);
      if (alg === undefined || !this.#algorithms.includes(alg)) return { ok: false, reason: 'algorithm' };
      if (c.qop !== undefined && c.qop.toLowerCase() !== 'auth') return { ok: false, reason: 'malformed' };
      if (!this.#nonces.isOurs(c.nonce)) return { ok: false, reason: 'forged-nonce' };
      if (c.uri !== req.uri) return { ok: false, reason: 'uri-mismatch' };
      const user = this.#users.find(c.username, c.realm);
      if (user === undefined) return { ok: false, reason: 'unknown-user' };
      const expected = digestResponse({
        algorithm: alg,
        ha1: ha1(alg, user.username, user.realm, user.password),
        method: req.method,
        uri: c.uri,
        nonce: c.nonce,
        ...(c.qop !== undefined ? { qop: 'auth' as const, nc: c.nc, cnonce: c.cnonce } : {}),
      });
      if (expected !== c.response) return { ok: false, reason: 'bad-response' };
      const check = this.#nonces.use(c.nonce, c.qop !== undefined ? c.nc : undefined);
      if (check === 'ok') return { ok: true, username: user.username, realm: user.realm };
      return { ok: false, reason: check === 'invalid' ? 'forged-nonce' : check };
    }
    return { ok: false, reason: sawMalformed ? 'malformed' : 'missing' };
  }
}
