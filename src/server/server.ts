/**
 * The sipwss server: the WebSocket transport, the SIP core (registrar + proxy), the location
 * store and digest authentication, wired together. `SipServer.start()` is what `sipwss` runs; a
 * Node application can run it too.
 */
import { hostname } from 'node:os';
import type { ClientTlsProvider, ServerTlsProvider } from '../tls/provider.js';
import { Transport } from '../transport/index.js';
import type { ListenerInfo, Logger } from '../transport/types.js';
import { DigestAuthenticator } from './auth/authenticator.js';
import type { DigestAlgorithm } from './auth/digest.js';
import type { UserDb } from './auth/users-file.js';
import { SipCore } from './core.js';
import { type AdvertisedListener, Identity } from './identity.js';
import { MemoryLocationStore } from './location/memory-store.js';
import type { LocationStore } from './location/store.js';
import { DEFAULT_MAX_TRANSACTIONS, DEFAULT_MAX_TRANSACTIONS_PER_IP } from './params.js';
import { FlowTokens } from './proxy/flow-token.js';
import { DEFAULT_REGISTRAR_POLICY, type RegistrarPolicy } from './registrar/policy.js';
import { Registrar } from './registrar/registrar.js';
import { softphoneHandler } from './softphone-http.js';
import { inboundOf, TransportPort } from './transport-port.js';

export interface ListenWithAdvertised {
  readonly proto: 'ws' | 'wss';
  readonly host: string;
  readonly port?: number;
  /** Written in Via / Record-Route instead of the bound address (OpenSIPS `as`). */
  readonly advertised?: { readonly host: string; readonly port?: number };
}

export interface SipServerOptions {
  readonly listen: readonly (string | ListenWithAdvertised)[];
  readonly tls?: ServerTlsProvider;
  readonly clientTls?: ClientTlsProvider;
  /** proto_ws / proto_wss / core tcp_* parameters by name. */
  readonly transportParams?: Readonly<Record<string, unknown>>;
  readonly registrar?: Partial<RegistrarPolicy>;
  /** Digest authentication; omitted: anyone may register any name. */
  readonly auth?: {
    readonly users: UserDb;
    readonly algorithms?: readonly DigestAlgorithm[];
    readonly nonceLifetimeMs?: number;
  };
  /** Domains served besides the listeners' own addresses (OpenSIPS `alias`). */
  readonly domains?: readonly string[];
  /** Name of this instance in bindings. */
  readonly node?: string;
  readonly timers?: { readonly frMs?: number; readonly frInvMs?: number };
  /** tm `max_transactions`: requests in progress past which new ones get 503; 0 = no limit. */
  readonly maxTransactions?: number;
  /** tm `max_transactions_per_ip`: the same, for the requests from one address; 0 = no limit. */
  readonly maxTransactionsPerIp?: number;
  readonly location?: LocationStore;
  /** Directory with the bundled softphone page; omitted: no page. */
  readonly softphoneDir?: string;
  readonly logger?: Logger;
}

const LOOPBACK = /^(127\.|::1$|localhost$)/;

export class SipServer {
  readonly transport: Transport;
  readonly core: SipCore;
  readonly location: LocationStore;
  readonly identity: Identity;
  readonly #purge: NodeJS.Timeout;

  private constructor(transport: Transport, core: SipCore, location: LocationStore, identity: Identity) {
    this.transport = transport;
    this.core = core;
    this.location = location;
    this.identity = identity;
    // Expired bindings are dropped in the background, once a minute.
    this.#purge = setInterval(() => {
      void location.purgeExpired(Date.now()).catch(() => {});
    }, 60_000);
    this.#purge.unref();
  }

  static async start(o: SipServerOptions): Promise<SipServer> {
    const listen = o.listen.map((l) =>
      typeof l === 'string'
        ? l
        : { proto: l.proto, host: l.host, ...(l.port !== undefined ? { port: l.port } : {}) },
    );
    const transport = await Transport.start({
      listen,
      ...(o.tls ? { tls: o.tls } : {}),
      ...(o.clientTls ? { clientTls: o.clientTls } : {}),
      ...(o.transportParams ? { params: o.transportParams } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.softphoneDir ? { http: softphoneHandler(o.softphoneDir) } : {}),
    });
    try {
      const listeners = advertise(transport.listeners, o.listen);
      const domains = [...(o.domains ?? [])];
      if (listeners.some((l) => LOOPBACK.test(l.boundHost))) domains.push('localhost');
      const node = o.node ?? `${hostname()}-${process.pid}`;
      const identity = new Identity({ node, domains, listeners });
      const location = o.location ?? new MemoryLocationStore();
      const core = new SipCore({
        port: new TransportPort(transport),
        identity,
        tokens: new FlowTokens(),
        registrar: new Registrar({
          store: location,
          policy: { ...DEFAULT_REGISTRAR_POLICY, ...o.registrar },
          node,
        }),
        location,
        ...(o.auth
          ? {
              auth: new DigestAuthenticator({
                users: o.auth.users,
                ...(o.auth.algorithms ? { algorithms: o.auth.algorithms } : {}),
                ...(o.auth.nonceLifetimeMs ? { nonceLifetimeMs: o.auth.nonceLifetimeMs } : {}),
              }),
              knownUser: (user: string, domain: string) => o.auth?.users.find(user, domain) !== undefined,
            }
          : {}),
        ...(o.timers ? { timers: o.timers } : {}),
        maxTransactions: o.maxTransactions ?? DEFAULT_MAX_TRANSACTIONS,
        maxTransactionsPerIp: o.maxTransactionsPerIp ?? DEFAULT_MAX_TRANSACTIONS_PER_IP,
        ...(o.logger ? { logger: o.logger } : {}),
      });
      transport.on('message', (m) => core.receive(inboundOf(m)));
      transport.on('close', (info) => core.connectionClosed(String(info.id)));
      return new SipServer(transport, core, location, identity);
    } catch (e) {
      await transport.stop();
      throw e;
    }
  }

  /** Where clients connect: `wss://host:port/`, one per listener. */
  get urls(): string[] {
    return this.transport.listeners.map((l) => {
      const host = l.address.includes(':') ? `[${l.address}]` : l.address;
      return `${l.proto}://${host}:${l.port}/`;
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.#purge);
    this.core.stop();
    await this.transport.stop();
    await this.location.close();
  }
}

/** Pair each bound listener with the advertised address of its listen line, if it had one. */
function advertise(
  bound: readonly ListenerInfo[],
  listen: readonly (string | ListenWithAdvertised)[],
): AdvertisedListener[] {
  return bound.map((l, i) => {
    const spec = listen[i];
    const adv = typeof spec === 'object' ? spec.advertised : undefined;
    return {
      proto: l.proto,
      host: adv?.host ?? l.address,
      port: adv?.port ?? l.port,
      boundHost: l.address,
      boundPort: l.port,
    };
  });
}
