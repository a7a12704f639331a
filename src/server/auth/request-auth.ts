/**
 * Who may do what (RFC 3261 §22): REGISTER is challenged with 401 / WWW-Authenticate, other new
 * requests from our domain with 407 / Proxy-Authenticate. An authenticated user may only register
 * its own address and send as itself (From), as OpenSIPS's check_to()/check_from() enforce.
 * ACK and CANCEL are never challenged (RFC 3261 §22.1), nor requests inside a dialog.
 */
import type { SipMessage } from '../../sip/index.js';
import type { DigestAuthenticator } from './authenticator.js';

export type AuthDecision =
  | { readonly ok: true; readonly username?: string }
  | {
      readonly ok: false;
      readonly status: 401 | 407;
      readonly headers: ReadonlyArray<readonly [string, string]>;
    }
  | { readonly ok: false; readonly status: 403; readonly reason: string };

export function checkRequestAuth(
  auth: DigestAuthenticator,
  req: SipMessage,
  who: { user: string | undefined; host: string },
  realm: string,
): AuthDecision {
  const register = req.method === 'REGISTER';
  const headerName = register ? 'authorization' : 'proxy-authorization';
  const result = auth.verify({
    method: req.method,
    uri: req.requestUri,
    headerValues: req.getAll(headerName),
    realm,
  });
  if (!result.ok) {
    const status = register ? 401 : 407;
    const challengeName = register ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    const values = auth.challenge(realm, result.reason === 'stale');
    return { ok: false, status, headers: values.map((v) => [challengeName, v] as const) };
  }
  if (who.user !== result.username) {
    return {
      ok: false,
      status: 403,
      reason: register
        ? 'Forbidden: may only register own address'
        : 'Forbidden: From is not the authenticated user',
    };
  }
  return { ok: true, username: result.username };
}
