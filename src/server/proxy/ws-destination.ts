/**
 * A WebSocket server destination from a SIP URI: `transport=ws` / `transport=wss` (or `sips:`),
 * with a resolvable host. A `.invalid` host is a WebSocket *client* (RFC 7118 §5.2): never dialled.
 */
import { parseSipUri } from '../../sip/index.js';
import type { WsDestination } from '../port.js';

export function wsDestination(uriText: string): WsDestination | undefined {
  const r = parseSipUri(uriText.trim().replace(/^<|>$/g, ''));
  if (!r.ok) return undefined;
  const uri = r.value;
  const t = uri.transport;
  if (t !== 'ws' && t !== 'wss') return undefined;
  if (uri.address.endsWith('.invalid')) return undefined;
  const secure = t === 'wss' || uri.scheme === 'sips';
  return { secure, host: uri.address, port: uri.port ?? (secure ? 443 : 80) };
}
