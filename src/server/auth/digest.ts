/**
 * Digest computations (RFC 2617 §3.2.2 as used by RFC 3261 §22.4; SHA-256 per RFC 7616 §3.4.1 and
 * RFC 8760 §2). qop=auth only: auth-int is never offered (JsSIP prefers it when offered, and it
 * would need the body hashed on every request: clients-on-the-wire.md).
 */
import { createHash } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'SHA-256';

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['MD5', 'SHA-256'];

/** The algorithm named in a challenge or credentials; case-insensitive (RFC 7616 §3.3). */
export function digestAlgorithm(name: string): DigestAlgorithm | undefined {
  const upper = name.toUpperCase();
  if (upper === 'MD5') return 'MD5';
  if (upper === 'SHA-256') return 'SHA-256';
  return undefined;
}

function h(alg: DigestAlgorithm, s: string): string {
  return createHash(alg === 'MD5' ? 'md5' : 'sha256')
    .update(s, 'utf8')
    .digest('hex');
}

/** HA1 = H(username:realm:password) */
export function ha1(alg: DigestAlgorithm, username: string, realm: string, password: string): string {
  return h(alg, `${username}:${realm}:${password}`);
}

export interface ResponseInput {
  readonly algorithm: DigestAlgorithm;
  readonly ha1: string;
  readonly method: string;
  readonly uri: string;
  readonly nonce: string;
  /** With qop=auth: */
  readonly qop?: 'auth';
  readonly nc?: string;
  readonly cnonce?: string;
}

/** The expected `response` directive (RFC 2617 §3.2.2.1; RFC 2069 form when no qop). */
export function digestResponse(i: ResponseInput): string {
  const ha2 = h(i.algorithm, `${i.method}:${i.uri}`);
  if (i.qop === 'auth') return h(i.algorithm, `${i.ha1}:${i.nonce}:${i.nc}:${i.cnonce}:auth:${ha2}`);
  return h(i.algorithm, `${i.ha1}:${i.nonce}:${ha2}`);
}
