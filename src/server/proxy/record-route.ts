/**
 * Record-Route and Route entries that name us (RFC 3261 §16.6 step 4, §16.4), carrying a flow
 * token (RFC 5626 §5.2) in the user part. `;transport=ws` for ws and wss alike (RFC 7118 §5.2;
 * `transport=wss` does not exist, RFC 7118 errata 5937).
 */
import type { NameAddr, SipUri } from '../../sip/index.js';
import { hostPort, type Identity } from '../identity.js';
import type { FlowTokens } from './flow-token.js';

export function recordRouteValue(token: string, listener: { host: string; port: number }): string {
  return `<sip:${token}@${hostPort(listener.host, listener.port)};transport=ws;lr>`;
}

export type RouteOwner = { readonly ours: false } | { readonly ours: true; readonly connectionId?: string };

/** Whether a Route value names us, and the connection its flow token points to (if it has one). */
export function routeOwner(route: NameAddr, identity: Identity, tokens: FlowTokens): RouteOwner {
  const parsed = route.parsedUri();
  if (!parsed.ok || parsed.value.kind !== 'sip') return { ours: false };
  const uri: SipUri = parsed.value;
  if (!identity.isOurAddress(uri)) return { ours: false };
  const connectionId = uri.user === undefined ? undefined : tokens.decode(uri.user);
  return connectionId === undefined ? { ours: true } : { ours: true, connectionId };
}
