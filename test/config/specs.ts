/**
 * A test registry mirroring the real parameter tables (PROTO_WS, PROTO_WSS, CORE_TCP in
 * src/transport/params.ts and TLS_MGM in src/tls/params.ts, written on other branches). The reader
 * is tested against these so its tests do not depend on those branches; names, types and flags
 * follow OpenSIPS's documentation.
 */

import type { ConfigRegistry } from '../../src/config/index.js';
import type { ModuleSpec, ParamSpec } from '../../src/params.js';

const int = (
  name: string,
  def: number | undefined,
  doc: string,
  extra: Partial<ParamSpec> = {},
): ParamSpec => ({
  name,
  type: 'int',
  default: def,
  doc,
  ...extra,
});
const str = (
  name: string,
  def: string | undefined,
  doc: string,
  extra: Partial<ParamSpec> = {},
): ParamSpec => ({
  name,
  type: 'string',
  default: def,
  doc,
  ...extra,
});

function wsModule(p: 'ws' | 'wss', port: number): ModuleSpec {
  const params: ParamSpec[] = [
    int(`${p}_port`, port, 'Default port for listeners without one and for URIs without one.', {
      min: 1,
      max: 65535,
    }),
    int(`${p}_max_msg_chunks`, 4, 'Reads a handshake or frame may take before the connection is dropped.', {
      min: 1,
      max: 1000,
    }),
    str(`${p}_resource`, '/', 'Resource (path) requested in outgoing handshakes.'),
    int(`${p}_handshake_timeout`, 100, 'How long to wait for the 101 of an outgoing handshake.', {
      unit: 'ms',
      min: 1,
      max: 600_000,
    }),
    int(`${p}_send_timeout`, 100, 'How long a blocked send may wait before the connection is dropped.', {
      unit: 'ms',
      min: 1,
      max: 600_000,
    }),
    {
      name: 'require_origin',
      type: 'flag',
      default: 1,
      doc: 'Refuse upgrade requests without an Origin header.',
    },
  ];
  if (p === 'wss') {
    params.push(
      int('wss_tls_handshake_timeout', 100, 'How long an outgoing TLS handshake may take.', {
        unit: 'ms',
        min: 1,
        max: 600_000,
      }),
    );
  }
  return { name: `proto_${p}`, doc: `SIP over ${p === 'ws' ? '' : 'secure '}WebSocket.`, params };
}

const dom = { perDomain: true } as const;

export const TEST_TLS_MGM: ModuleSpec = {
  name: 'tls_mgm',
  doc: 'TLS domains.',
  params: [
    str('server_domain', undefined, 'Declares a server TLS domain.', { repeatable: true }),
    str('client_domain', undefined, 'Declares a client TLS domain.', { repeatable: true }),
    str('certificate', undefined, 'PEM certificate of the domain.', { ...dom, file: 'file' }),
    str('private_key', undefined, 'PEM private key of the domain.', { ...dom, file: 'file' }),
    str('ca_list', undefined, 'PEM CA certificates trusted by the domain.', { ...dom, file: 'file' }),
    str('ca_dir', undefined, 'Directory of hashed CA certificates.', { ...dom, file: 'dir' }),
    str('tls_method', 'SSLv23', 'TLS version or range.', dom),
    { name: 'verify_cert', type: 'flag', default: 1, doc: 'Verify the peer certificate.', ...dom },
    { name: 'require_cert', type: 'flag', default: 1, doc: 'Require a client certificate.', ...dom },
    str('ciphers_list', undefined, 'OpenSSL cipher list.', dom),
    str('dh_params', undefined, 'DH parameters file.', { ...dom, file: 'file' }),
    str('ec_curve', undefined, 'Elliptic curve for ECDHE.', dom),
    str('crl_dir', undefined, 'Directory of CRLs.', { ...dom, file: 'dir' }),
    str('match_ip_address', '*', 'Addresses the domain serves.', dom),
    str('match_sip_domain', '*', 'SIP domains (SNI names) the domain serves.', dom),
  ],
};

export const TEST_CORE: ModuleSpec = {
  name: 'core_tcp',
  doc: 'Core globals.',
  params: [
    int('log_level', 2, 'Logging verbosity, -3..4 as in OpenSIPS.', { min: -3, max: 4 }),
    int('tcp_max_connections', 4096, 'Most connections open at once.', {
      min: 1,
      max: 1_000_000,
      opensipsDefault: 2048,
      differs: 'WebRTC clients each hold a connection; 2048 is low for a WebSocket edge.',
    }),
    int('tcp_connection_lifetime', 120, 'Idle time before a connection is closed.', {
      unit: 's',
      min: 1,
      max: 86_400,
    }),
    int('tcp_max_connections_per_ip', 0, 'Most connections from one IP (0: no limit).', {
      min: 0,
      max: 1_000_000,
      ours: true,
    }),
  ],
};

export const TEST_REGISTRY: ConfigRegistry = {
  core: [TEST_CORE],
  modules: [wsModule('ws', 80), wsModule('wss', 443), TEST_TLS_MGM],
};
