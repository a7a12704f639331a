/**
 * Parameters of the WebSocket transports, described once (src/params.ts) for the cfg reader, the
 * library options and docs/configuration.md. Names follow OpenSIPS proto_ws / proto_wss and the core
 * TCP globals; ours are marked `ours`. The library options object (src/transport/options.ts) uses
 * exactly these names.
 */
import type { ModuleSpec, ParamSpec } from '../params.js';

const MINUTE = 60_000;

function common(p: 'ws' | 'wss', defaultPort: number): ParamSpec[] {
  const T = p.toUpperCase();
  return [
    {
      name: `${p}_port`,
      type: 'int',
      default: defaultPort,
      min: 1,
      max: 65535,
      doc: `Port of a ${p}: listener given without one, and of a ${T} destination URI without one.`,
    },
    {
      name: `${p}_max_msg_chunks`,
      type: 'int',
      default: 4,
      min: 1,
      max: 1024,
      doc:
        'Most socket reads over which one incoming unit (the upgrade request, then each WebSocket message) ' +
        'may arrive; past it the connection is dropped without an answer.',
    },
    {
      name: `${p}_resource`,
      type: 'string',
      default: '/',
      doc: `Resource (path) requested when sipwss opens a ${T} connection to a SIP destination.`,
    },
    {
      name: `${p}_handshake_timeout`,
      type: 'int',
      default: 100,
      min: 1,
      max: MINUTE,
      unit: 'ms',
      doc: `Time an outbound ${T} connection waits for the server's 101 answer; queued sends fail after it.`,
    },
    {
      name: `${p}_send_timeout`,
      type: 'int',
      default: 10_000,
      opensipsDefault: 100,
      differs:
        'OpenSIPS blocks a worker for at most this long on a write; sipwss never blocks, so the value is how ' +
        'long a queued send may wait for a peer that stopped reading, and 100 ms would cut off slow mobile links.',
      min: 10,
      max: 10 * MINUTE,
      unit: 'ms',
      doc: 'A send still not written to the socket after this long closes the connection and fails its queue.',
    },
    {
      name: 'require_origin',
      type: 'flag',
      default: 0,
      opensipsDefault: 1,
      differs:
        'Non-browser clients (Node ws, baresip, Flutter) send no Origin (RFC 6455 §4.1 makes it a browser ' +
        'header); OpenSIPS 3.4 added the flag after they were refused. Use *_origins to restrict browsers.',
      doc: 'Refuse (403) an upgrade request without an Origin header. Applies to ws and wss listeners alike.',
    },
    {
      name: `${p}_max_msg_size`,
      type: 'int',
      default: 65_536,
      min: 1024,
      max: 16 * 1024 * 1024,
      unit: 'bytes',
      ours: true,
      doc: 'Largest WebSocket message (after reassembly of fragments); a bigger one closes with 1009.',
    },
    {
      name: `${p}_max_fragments`,
      type: 'int',
      default: 128,
      min: 1,
      max: 16_384,
      ours: true,
      doc: 'Most frames one fragmented WebSocket message may span (RFC 6455 §5.4); past it, close 1008.',
    },
    {
      name: `${p}_msg_timeout`,
      type: 'int',
      default: 10_000,
      min: 0,
      max: 10 * MINUTE,
      unit: 'ms',
      ours: true,
      doc: 'A WebSocket message whose first byte arrived must be complete within this time, else close 1008 (0: off).',
    },
    {
      name: `${p}_upgrade_timeout`,
      type: 'int',
      default: 5_000,
      min: 10,
      max: 10 * MINUTE,
      unit: 'ms',
      ours: true,
      doc: `The complete upgrade request must arrive within this time of the ${p === 'wss' ? 'TLS handshake' : 'TCP accept'}, else 408.`,
    },
    {
      name: `${p}_resources`,
      type: 'string',
      default: '',
      ours: true,
      doc: 'Comma-separated allow-list of request paths served by listeners (query ignored); empty: any (404 otherwise).',
    },
    {
      name: `${p}_origins`,
      type: 'string',
      default: '',
      ours: true,
      doc: 'Comma-separated allow-list of Origin values (e.g. https://app.example.com); empty: any. Others get 403.',
    },
    {
      name: `${p}_ping_interval`,
      type: 'int',
      default: 30_000,
      min: 0,
      max: 24 * 60 * MINUTE,
      unit: 'ms',
      ours: true,
      doc: 'Send a WebSocket Ping when nothing was received for this long (RFC 6455 §5.5.2; 0: never).',
    },
    {
      name: `${p}_ping_timeout`,
      type: 'int',
      default: 10_000,
      min: 10,
      max: 10 * MINUTE,
      unit: 'ms',
      ours: true,
      doc: 'Close a connection whose Ping got no answer (no frame at all) within this time.',
    },
    {
      name: `${p}_send_buffer`,
      type: 'int',
      default: 1024 * 1024,
      min: 1024,
      max: 256 * 1024 * 1024,
      unit: 'bytes',
      ours: true,
      doc: 'Most bytes queued for one peer; a send beyond it closes the connection and fails its queue.',
    },
  ];
}

export const PROTO_WS: ModuleSpec = {
  name: 'proto_ws',
  doc: 'SIP over WebSocket (RFC 7118) on plain TCP: ws: listeners and ws:// destinations.',
  params: common('ws', 80),
};

export const PROTO_WSS: ModuleSpec = {
  name: 'proto_wss',
  doc: 'SIP over secure WebSocket (RFC 7118) on TLS: wss: listeners and wss:// destinations.',
  params: [
    ...common('wss', 443),
    {
      name: 'wss_tls_handshake_timeout',
      type: 'int',
      default: 100,
      min: 1,
      max: MINUTE,
      unit: 'ms',
      doc: 'Time an outbound WSS connection waits for its TLS handshake to complete.',
    },
    {
      name: 'wss_tls_accept_timeout',
      type: 'int',
      default: 10_000,
      min: 10,
      max: 10 * MINUTE,
      unit: 'ms',
      ours: true,
      doc:
        'Time an accepted connection has to complete its TLS handshake (a browser on a mobile link needs ' +
        'seconds, not the 100 ms of the outbound limit).',
    },
  ],
};

export const CORE_TCP: ModuleSpec = {
  name: 'core',
  doc: 'Core connection-table globals shared by the stream transports.',
  params: [
    {
      name: 'tcp_max_connections',
      type: 'int',
      default: 2048,
      min: 1,
      max: 1_000_000,
      doc: 'Most live connections (accepted and outbound, in any state); more are refused at accept.',
    },
    {
      name: 'tcp_connection_lifetime',
      type: 'int',
      default: 900,
      opensipsDefault: 120,
      differs:
        'Browsers send nothing between re-REGISTERs (SIP.js re-registers 594 s after a 600 s REGISTER, ' +
        'JsSIP up to 568 s): at 120 s every idle registered browser would be cut off.',
      min: 1,
      max: 7 * 24 * 3600,
      unit: 's',
      doc: 'Close a connection on which nothing was received for this long (pongs count).',
    },
    {
      name: 'tcp_max_connections_per_ip',
      type: 'int',
      default: 256,
      min: 0,
      max: 1_000_000,
      ours: true,
      doc: 'Most live connections from one remote IP address (0: no limit); more are refused at accept.',
    },
    {
      name: 'tcp_connect_timeout',
      type: 'int',
      default: 1000,
      opensipsDefault: 100,
      differs:
        'OpenSIPS connects blocking a worker; sipwss does not block, so it can wait for a WAN round trip.',
      min: 1,
      max: MINUTE,
      unit: 'ms',
      doc: 'Time an outbound TCP connect may take.',
    },
  ],
};

export const TRANSPORT_MODULES: readonly ModuleSpec[] = [CORE_TCP, PROTO_WS, PROTO_WSS];
