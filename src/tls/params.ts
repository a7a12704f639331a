/**
 * The tls_mgm module's parameters as sipwss reads them: the same names and `"[domain]value"`
 * syntax as OpenSIPS (modules/tls_mgm/README), with defaults that let WebRTC browsers in.
 * A per-domain value without `[domain]` configures the implicit `default` server and client
 * domains, so OpenSIPS 2.x-style lines (`modparam("tls_mgm", "certificate", "/x/cert.pem")`) work.
 */
import type { ModuleSpec, ParamSpec } from '../params.js';

const params: readonly ParamSpec[] = [
  {
    name: 'server_domain',
    type: 'string',
    default: undefined,
    repeatable: true,
    doc: 'Declares a TLS server domain by name (letters, digits, "_", "-", "."); its settings are given with "[name]value".',
  },
  {
    name: 'client_domain',
    type: 'string',
    default: undefined,
    repeatable: true,
    doc: 'Declares a TLS client domain by name, used for outgoing WSS connections.',
  },
  {
    name: 'match_ip_address',
    type: 'string',
    default: '*',
    perDomain: true,
    doc: 'Comma-separated "IP:port" ("[IPv6]:port") or "*": server domains match the local listener address, client domains the destination; an exact entry beats "*".',
  },
  {
    name: 'match_sip_domain',
    type: 'string',
    default: '*',
    perDomain: true,
    doc: 'Comma-separated host patterns (fnmatch wildcards, case-insensitive), "*", or "none" (no SNI / no SIP domain): server domains match the SNI name, client domains the SIP domain; the most specific pattern wins.',
  },
  {
    name: 'certificate',
    type: 'string',
    default: undefined,
    opensipsDefault: 'CFG_DIR/tls/cert.pem',
    differs:
      'OpenSIPS falls back to a path fixed at compile time; sipwss refuses to start a server domain without a certificate instead of guessing a file.',
    perDomain: true,
    file: 'file',
    doc: 'PEM certificate (optionally followed by its chain) presented by the domain; client domains without one send no certificate.',
  },
  {
    name: 'private_key',
    type: 'string',
    default: undefined,
    opensipsDefault: 'CFG_DIR/tls/ckey.pem',
    differs: 'As for "certificate": no compile-time fallback path.',
    perDomain: true,
    file: 'file',
    doc: 'PEM private key (unencrypted) of the certificate; checked against it at start-up.',
  },
  {
    name: 'ca_list',
    type: 'string',
    default: undefined,
    perDomain: true,
    file: 'file',
    doc: 'PEM file of trusted CA certificates used to verify the peer; with neither ca_list nor ca_dir, the Node.js bundled Mozilla root store is used.',
  },
  {
    name: 'ca_dir',
    type: 'string',
    default: undefined,
    opensipsDefault: '/etc/pki/CA/',
    differs:
      'Node.js trusts its bundled Mozilla root store when no CA is given; a distribution-specific directory is not read unless named.',
    perDomain: true,
    file: 'dir',
    doc: 'Directory of PEM CA certificates (e.g. a c_rehash directory); every certificate in its files is trusted.',
  },
  {
    name: 'crl_dir',
    type: 'string',
    default: undefined,
    perDomain: true,
    file: 'dir',
    doc: 'Directory of PEM CRLs ("X509 CRL" blocks); when set, peer certificates are checked for revocation.',
  },
  {
    name: 'crl_check_all',
    type: 'flag',
    default: 1,
    opensipsDefault: 0,
    differs:
      'Node.js always checks the whole chain (X509_V_FLAG_CRL_CHECK_ALL) when CRLs are loaded; 0 with crl_dir is refused rather than silently checking more than asked.',
    perDomain: true,
    doc: '1: every certificate of the peer chain is checked against the CRLs (needs a CRL from each CA level).',
  },
  {
    name: 'tls_method',
    type: 'string',
    default: 'SSLv23',
    perDomain: true,
    doc: 'TLS versions: SSLv23 (alias TLSany: every version the TLS library enables, TLS 1.2+ on Node 20), TLSv1, TLSv1_2, TLSv1_3 (exactly that version), or a range LOW-HIGH with either side optional ("TLSv1_2-", "-TLSv1_3"). Case-insensitive. A range starting at TLSv1 lowers the OpenSSL security level to 0 for that domain, as OpenSSL 3 refuses TLS 1.0 otherwise.',
  },
  {
    name: 'verify_cert',
    type: 'flag',
    default: undefined,
    opensipsDefault: 1,
    differs:
      'Unset means 0 for server domains (browsers have no client certificate; OpenSIPS defaults make every WebRTC client fail) and 1 for client domains (always verify the server we connect to).',
    perDomain: true,
    doc: 'Server domains: ask the client for a certificate and verify it if sent. Client domains: verify the server certificate and host name.',
  },
  {
    name: 'require_cert',
    type: 'flag',
    default: 0,
    opensipsDefault: 1,
    differs:
      'Browsers (WebRTC) present no client certificate; requiring one is an explicit choice. 1 implies verify_cert=1 unless verify_cert is explicitly 0 (an error).',
    perDomain: true,
    doc: 'Server domains: refuse clients that present no verified certificate.',
  },
  {
    name: 'ciphers_list',
    type: 'string',
    default: undefined,
    perDomain: true,
    doc: 'OpenSSL cipher list for TLS 1.2 and below (Node.js default when unset); a "@SECLEVEL=n" in it is kept as given.',
  },
  {
    name: 'dh_params',
    type: 'string',
    default: undefined,
    perDomain: true,
    file: 'file',
    doc: 'PEM Diffie-Hellman parameters (2048 bits or more) for DHE cipher suites.',
  },
  {
    name: 'ec_curve',
    type: 'string',
    default: undefined,
    perDomain: true,
    doc: 'Elliptic curve(s) for ECDHE, an OpenSSL name such as prime256v1 (colon-separated list allowed); Node.js default when unset.',
  },
];

export const TLS_MGM: ModuleSpec = Object.freeze({
  name: 'tls_mgm',
  doc: 'TLS domains: certificates, versions, peer verification, and their selection by listener address and SNI (server) or destination and SIP domain (client).',
  params: Object.freeze(params.map((p) => Object.freeze(p))),
});

export function paramSpec(name: string): ParamSpec | undefined {
  return TLS_MGM.params.find((p) => p.name === name);
}
