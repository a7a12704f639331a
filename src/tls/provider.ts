/**
 * The contract between the TLS layer (tls_mgm domains, src/tls/) and the transport
 * (src/transport/). The transport never reads TLS parameters itself: it asks a provider for the
 * options of a listener or of an outbound connection, and re-reads them when told of a reload.
 */
import type { ConnectionOptions, TLSSocket, TlsOptions } from 'node:tls';
import type { SipwssError } from '../errors.js';

export interface LocalAddress {
  readonly address: string;
  readonly port: number;
}

export interface TlsDestination {
  /** IP address actually connected to. */
  readonly address: string;
  readonly port: number;
  /** Host name from the URI, when it had one: sent as SNI and checked against the certificate. */
  readonly hostname?: string;
  /** SIP domain of the request, for client-domain selection by `match_sip_domain`. */
  readonly sipDomain?: string;
}

export interface ServerTlsProvider {
  /**
   * Options for `tls.createServer` on a WSS listener bound to `local` (after port 0 is resolved):
   * the default context of the matching server domain, an SNICallback that picks among the domains
   * of that address, and the certificate-request settings.
   */
  serverOptions(local: LocalAddress): TlsOptions;
  /**
   * Called once the TLS handshake of an accepted socket is done; a returned error rejects the
   * connection (e.g. `require_cert` of the SNI-selected domain with no verified certificate).
   */
  checkPeer?(socket: TLSSocket, local: LocalAddress): SipwssError | undefined;
  /** Called after certificates were replaced; returns an unsubscribe function. */
  onReload?(listener: () => void): () => void;
}

export interface ClientTlsProvider {
  /** Options for `tls.connect` to `dest` (the client domain's cert/key, CA, verification, SNI). */
  clientOptions(dest: TlsDestination): ConnectionOptions;
}
