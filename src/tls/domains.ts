/**
 * TLS domains as OpenSIPS tls_mgm has them, serving the transport through the provider contract
 * (provider.ts): `serverOptions` per listener, `checkPeer` after each accepted handshake,
 * `clientOptions` per outbound connection, `onReload` when certificates were replaced.
 *
 * Server side in Node. The listener's own context is the domain its address selects for a client
 * that sends no SNI (`none`, else `*`); an `SNICallback` (RFC 6066 §3) switches to the domain the
 * SNI name selects, or refuses the handshake when none matches. Node's TLSWrap fixes the verify
 * mode of a socket before SNI is seen, so per-domain `verify_cert` / `require_cert` cannot be set
 * per SNI: the listener asks for a client certificate when any domain of its address verifies
 * (refusing in the handshake when all of them require one), and `checkPeer` applies the chosen
 * domain's own verify/require after the handshake. The CA store used to verify is the chosen
 * domain's (OpenSSL verifies against the context switched to). Consequence: on an address where
 * one domain verifies, browsers reaching the other domains also receive a CertificateRequest (a
 * browser holding client certificates may then ask its user to pick one); give domains that
 * verify clients their own listener address (`match_ip_address`) to keep browsers out of that.
 * `checkPeer` also covers resumed sessions, whose certificate is the one of the first handshake.
 * It must be called with the same `local` as `serverOptions` (the listener's bound address,
 * not `socket.localAddress`), so that both select the same domains.
 *
 * Reload (field lesson 22): `reload()` re-reads every file, builds every context, and only then
 * swaps them in; on any error the old material stays and the error is thrown. Open connections
 * keep their session; new handshakes use the new contexts (the SNI callback reads the current
 * set, and the transport hands the new `serverOptions` to `server.setSecureContext`).
 */
import { isIP } from 'node:net';
import type { ConnectionOptions, TLSSocket, TlsOptions } from 'node:tls';
import {
  bestByName,
  candidatesFor,
  formatAddressList,
  formatNamePatterns,
  normalizeName,
  selectDomain,
} from './domain-matching.js';
import {
  DEFAULT_DOMAIN,
  type DomainConfig,
  type ParseOptions,
  parseDomains,
  type TlsParam,
} from './domain-params.js';
import { TlsError } from './errors.js';
import { formatMethodRange } from './method-range.js';
import type { ClientTlsProvider, LocalAddress, ServerTlsProvider, TlsDestination } from './provider.js';
import { type DomainMaterial, loadMaterial } from './secure-context.js';

export type { TlsParam } from './domain-params.js';

export interface LoadedDomain extends DomainConfig {
  readonly material: DomainMaterial;
}

interface DomainSet {
  readonly server: readonly LoadedDomain[];
  readonly client: readonly LoadedDomain[];
  readonly warnings: readonly string[];
}

export interface PemMaterial {
  /** PEM certificate, optionally followed by its chain. */
  readonly cert: string;
  /** PEM private key (unencrypted). */
  readonly key: string;
  /** PEM CA certificates to verify peers with (default: Node's bundled roots). */
  readonly ca?: string;
  /** Require clients to present a certificate that verifies against `ca` (default false: browsers have none). */
  readonly requireCert?: boolean;
  /** tls_mgm method or range (default SSLv23: what Node enables). */
  readonly tlsMethod?: string;
}

type Source = () => DomainConfig[];

async function build(configs: readonly DomainConfig[]): Promise<DomainSet> {
  const loaded: LoadedDomain[] = [];
  // One at a time: a start-up path, and the first bad file is the one reported.
  for (const c of configs) loaded.push(Object.freeze({ ...c, material: await loadMaterial(c) }));
  return Object.freeze({
    server: Object.freeze(loaded.filter((d) => d.side === 'server')),
    client: Object.freeze(loaded.filter((d) => d.side === 'client')),
    warnings: Object.freeze(loaded.flatMap((d) => d.material.warnings)),
  });
}

function serverName(socket: TLSSocket): string | undefined {
  const s = (socket as TLSSocket & { servername?: string | false | null }).servername;
  return normalizeName(s);
}

export class TlsDomains implements ServerTlsProvider, ClientTlsProvider {
  #source: Source;
  #set: DomainSet;
  #listeners = new Set<() => void>();
  #reloading: Promise<void> = Promise.resolve();

  private constructor(source: Source, set: DomainSet) {
    this.#source = source;
    this.#set = set;
  }

  /**
   * Domains from tls_mgm parameters (`modparam("tls_mgm", name, value)` lines, in cfg order).
   * Throws a TlsError naming the parameter, domain, file and cfg line on any bad value or file.
   */
  static async load(params: readonly TlsParam[], opts: ParseOptions = {}): Promise<TlsDomains> {
    const frozen = Object.freeze(params.map((p) => Object.freeze({ ...p })));
    const configs = parseDomains(frozen, opts);
    const source = () => parseDomains(frozen, opts);
    return new TlsDomains(source, await build(configs));
  }

  /**
   * For a library user who has a certificate and key: one default server and client domain.
   * The client domain presents the same certificate and verifies servers against `ca` (or Node's
   * bundled roots).
   */
  static async fromPem(pem: PemMaterial): Promise<TlsDomains> {
    const source = TlsDomains.#pemSource(pem);
    return new TlsDomains(source, await build(source()));
  }

  static #pemSource(pem: PemMaterial): Source {
    const params: TlsParam[] = [
      { name: 'certificate', value: '(pem)' },
      { name: 'private_key', value: '(pem)' },
    ];
    if (pem.requireCert === true) params.push({ name: 'require_cert', value: 1 });
    if (pem.tlsMethod !== undefined) params.push({ name: 'tls_method', value: pem.tlsMethod });
    return () =>
      parseDomains(params).map((d) => ({
        ...d,
        certificate: { param: 'certificate', pem: pem.cert },
        privateKey: { param: 'private_key', pem: pem.key },
        ...(pem.ca !== undefined ? { caList: { param: 'ca_list', pem: pem.ca } } : {}),
      }));
  }

  /**
   * Re-reads every certificate, key, CA and CRL file and swaps them in, for new handshakes only.
   * Validates everything first: on error the current material stays and the TlsError is thrown.
   * Reloads run one after the other.
   */
  reload(): Promise<void> {
    const run = this.#reloading.then(() => this.#swap(this.#source));
    this.#reloading = run.catch(() => undefined);
    return run;
  }

  /** fromPem users: new PEM material, validated first, swapped in as by `reload()`. */
  replacePem(pem: PemMaterial): Promise<void> {
    const source = TlsDomains.#pemSource(pem);
    const run = this.#reloading.then(() => this.#swap(source));
    this.#reloading = run.catch(() => undefined);
    return run;
  }

  /**
   * Builds the new set (any TlsError leaves everything as it was), swaps it in, then tells the
   * listeners. A listener that throws does not stop the others nor undo the swap: its errors are
   * thrown together afterwards.
   */
  async #swap(source: Source): Promise<void> {
    const next = await build(source());
    this.#set = next;
    this.#source = source;
    const errors: unknown[] = [];
    for (const l of this.#listeners) {
      try {
        l();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'TLS reload listener failed');
  }

  onReload(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Warnings found at load (expired certificate, TLS 1.0 enabled): for the start-up log. */
  get warnings(): readonly string[] {
    return this.#set.warnings;
  }

  get serverDomains(): readonly LoadedDomain[] {
    return this.#set.server;
  }

  get clientDomains(): readonly LoadedDomain[] {
    return this.#set.client;
  }

  /** The server domain a handshake on `local` with SNI `servername` gets (undefined: refused). */
  selectServer(local: LocalAddress, servername?: string): LoadedDomain | undefined {
    return selectDomain(this.#set.server, local.address, local.port, normalizeName(servername));
  }

  /** The client domain for `dest` (undefined: none matches). */
  selectClient(dest: TlsDestination): LoadedDomain | undefined {
    return selectDomain(this.#set.client, dest.address, dest.port, normalizeName(dest.sipDomain));
  }

  serverOptions(local: LocalAddress): TlsOptions {
    const candidates = candidatesFor(this.#set.server, local.address, local.port);
    if (candidates.length === 0) {
      throw new TlsError(
        'TLS_NO_SERVER_DOMAIN',
        `no server domain matches the listener ${local.address}:${local.port} (match_ip_address)`,
        { param: 'match_ip_address' },
      );
    }
    const noSni = bestByName(candidates, undefined);
    const requestCert = candidates.some((d) => d.verifyCert);
    const rejectUnauthorized = requestCert && candidates.every((d) => d.requireCert);
    return {
      // No domain for clients without SNI: a context without certificate, so they fail the handshake.
      ...(noSni ? noSni.material.options : {}),
      requestCert,
      rejectUnauthorized,
      SNICallback: (servername, cb) => {
        const d = this.selectServer(local, servername);
        if (!d) {
          cb(
            new TlsError(
              'TLS_NO_SNI_DOMAIN',
              `SNI "${servername}" on ${local.address}:${local.port} matches no server domain (match_sip_domain)`,
            ),
            undefined,
          );
          return;
        }
        cb(null, d.material.context);
      },
    };
  }

  checkPeer(socket: TLSSocket, local: LocalAddress): TlsError | undefined {
    const name = serverName(socket);
    const d = this.selectServer(local, name);
    if (!d) {
      return new TlsError('TLS_NO_SNI_DOMAIN', `${name ?? '(no SNI)'} on ${local.address}:${local.port}`);
    }
    if (!d.verifyCert) return undefined;
    const peer = socket.getPeerCertificate();
    const present = peer !== null && typeof peer === 'object' && Object.keys(peer).length > 0;
    if (!present) {
      return d.requireCert
        ? new TlsError('TLS_PEER_CERT_REQUIRED', 'the client sent no certificate', {
            param: 'require_cert',
            domain: d.name,
          })
        : undefined;
    }
    if (!socket.authorized) {
      return new TlsError('TLS_PEER_CERT_INVALID', String(socket.authorizationError ?? 'not authorized'), {
        param: 'verify_cert',
        domain: d.name,
      });
    }
    return undefined;
  }

  /**
   * Options for `tls.connect` to `dest`. With no client domain configured at all, Node's defaults:
   * verify the server against the bundled roots, no client certificate. Throws
   * TLS_NO_CLIENT_DOMAIN when client domains exist and none matches.
   */
  clientOptions(dest: TlsDestination): ConnectionOptions {
    const host = dest.hostname?.replace(/\.$/, '');
    // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName".
    const sni = host !== undefined && host !== '' && isIP(host) === 0 ? { servername: host } : {};
    if (this.#set.client.length === 0) return { ...sni, rejectUnauthorized: true };
    const d = this.selectClient(dest);
    if (!d) {
      throw new TlsError(
        'TLS_NO_CLIENT_DOMAIN',
        `no client domain matches ${dest.address}:${dest.port}${dest.sipDomain ? ` / ${dest.sipDomain}` : ''}`,
        { param: 'match_ip_address' },
      );
    }
    return { ...sni, secureContext: d.material.context, rejectUnauthorized: d.verifyCert };
  }

  /** One line per domain, for the start-up log. */
  describe(): string[] {
    const line = (d: LoadedDomain) => {
      const parts = [
        `${d.side} domain "${d.name}"${d.implicit ? ' (implicit)' : ''}`,
        `match_ip_address=${formatAddressList(d.matchIp)}`,
        `match_sip_domain=${formatNamePatterns(d.matchSipDomain)}`,
        `tls_method=${d.methodText} (${formatMethodRange(d.method)})`,
        `verify_cert=${d.verifyCert ? 1 : 0}`,
      ];
      if (d.side === 'server') parts.push(`require_cert=${d.requireCert ? 1 : 0}`);
      const c = d.material.cert;
      if (c) parts.push(`certificate=${d.certificate?.path ?? '(pem)'} [${c.subject}; until ${c.validTo}]`);
      if (d.caList) parts.push(`ca_list=${d.caList.path ?? '(pem)'}`);
      if (d.caDir) parts.push(`ca_dir=${d.caDir.path}`);
      if (d.crlDir) parts.push(`crl_dir=${d.crlDir.path}`);
      return parts.join(' ');
    };
    return [...this.#set.server, ...this.#set.client].map(line);
  }
}

export { DEFAULT_DOMAIN };
