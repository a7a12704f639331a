/**
 * Who "we" are: the domains we serve (a request for them is ours to handle) and the listeners
 * whose addresses appear in our Via and Record-Route (a Route naming them is ours to pop).
 */
import type { SipUri } from '../sip/index.js';

export interface AdvertisedListener {
  readonly proto: 'ws' | 'wss';
  /** Address written in Via / Record-Route (the `as` address of a listen line, else the bound one). */
  readonly host: string;
  readonly port: number;
  /** The bound address, as the transport reports it in FlowInfo.local. */
  readonly boundHost: string;
  readonly boundPort: number;
}

function bare(host: string): string {
  return (host.startsWith('[') ? host.slice(1, -1) : host).toLowerCase();
}

export class Identity {
  readonly node: string;
  readonly listeners: readonly AdvertisedListener[];
  readonly #domains: ReadonlySet<string>;
  readonly #routeAddrs: ReadonlySet<string>;

  constructor(opts: { node: string; domains: readonly string[]; listeners: readonly AdvertisedListener[] }) {
    this.node = opts.node;
    this.listeners = opts.listeners;
    const domains = new Set(opts.domains.map(bare));
    const routeAddrs = new Set<string>();
    for (const l of opts.listeners) {
      domains.add(bare(l.host));
      domains.add(bare(l.boundHost));
      routeAddrs.add(`${bare(l.host)}:${l.port}`);
      routeAddrs.add(`${bare(l.boundHost)}:${l.boundPort}`);
    }
    this.#domains = domains;
    this.#routeAddrs = routeAddrs;
  }

  /**
   * A domain we serve (R-URI host of requests for our users, REGISTER targets). With a port, the
   * port must be one of our listeners' too: `sip:x@127.0.0.1:5061` is another server on this host.
   */
  isOurDomain(host: string, port?: number): boolean {
    if (!this.#domains.has(bare(host))) return false;
    return port === undefined || this.listeners.some((l) => l.port === port || l.boundPort === port);
  }

  /** A URI that names one of our listeners by address and port (our Route / Record-Route). */
  isOurAddress(uri: SipUri): boolean {
    const port = uri.port ?? (uri.scheme === 'sips' ? 443 : undefined);
    if (port === undefined) return false;
    return this.#routeAddrs.has(`${uri.address}:${port}`);
  }

  /** The advertised listener for a flow's local end (falls back to the first listener). */
  listenerFor(local: { host: string; port: number }): AdvertisedListener {
    const ls = this.listeners;
    // Called for every forwarded request: usually one listener, matched on the port first.
    let host: string | undefined;
    for (const l of ls) {
      if (l.boundPort !== local.port) continue;
      host ??= bare(local.host);
      if (bare(l.boundHost) === host) return l;
    }
    const first = ls[0];
    if (!first) throw new Error('no listeners');
    return first;
  }
}

/** host:port for a Via sent-by or URI hostport, with IPv6 brackets (RFC 5118). */
export function hostPort(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${h}:${port}`;
}
