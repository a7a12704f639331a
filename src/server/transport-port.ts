/**
 * The SIP core's view of the WebSocket transport: connection ids as strings (they are stored in
 * bindings and flow tokens), flows as the core describes them.
 */
import type { Transport } from '../transport/index.js';
import type { IncomingMessage } from '../transport/types.js';
import type { FlowInfo, Inbound, SipPort, WsDestination } from './port.js';

export function inboundOf(m: IncomingMessage): Inbound {
  return {
    data: m.data,
    connectionId: String(m.connectionId),
    transport: m.transport,
    remote: m.remote,
    local: { host: m.local.address, port: m.local.port },
    receivedAt: m.receivedAt,
  };
}

export class TransportPort implements SipPort {
  readonly #t: Transport;

  constructor(t: Transport) {
    this.#t = t;
  }

  send(connectionId: string, data: Buffer): Promise<void> {
    return this.#t.send(Number(connectionId), data);
  }

  sendTo(dest: WsDestination, data: Buffer): Promise<void> {
    return this.#t.sendTo(
      {
        proto: dest.secure ? 'wss' : 'ws',
        host: dest.host,
        port: dest.port,
        ...(dest.path !== undefined ? { resource: dest.path } : {}),
      },
      data,
    );
  }

  flow(connectionId: string): FlowInfo | undefined {
    const id = Number(connectionId);
    if (!Number.isSafeInteger(id)) return undefined;
    // Looked up for every routed request: the cheap accessor, not a connection snapshot.
    const c = this.#t.openEndpoint(id);
    if (c === undefined) return undefined;
    return {
      connectionId,
      transport: c.transport,
      remote: c.remote,
      local: { host: c.local.address, port: c.local.port },
    };
  }
}
