/**
 * Transport parameters: defaults from params.ts, validated once with exact messages (unknown names,
 * wrong types and out-of-range values are TransportErrors; nothing is clamped), then frozen.
 */
import type { ParamSpec } from '../params.js';
import { TransportError } from './errors.js';
import { TRANSPORT_MODULES } from './params.js';

interface PerProto {
  port: number;
  max_msg_chunks: number;
  resource: string;
  handshake_timeout: number;
  send_timeout: number;
  max_msg_size: number;
  max_fragments: number;
  msg_timeout: number;
  upgrade_timeout: number;
  resources: string;
  origins: string;
  ping_interval: number;
  ping_timeout: number;
  send_buffer: number;
}

type Prefixed<P extends string> = { [K in keyof PerProto as `${P}_${K}`]: PerProto[K] };

export type TransportParams = Prefixed<'ws'> &
  Prefixed<'wss'> & {
    require_origin: number;
    wss_tls_handshake_timeout: number;
    wss_tls_accept_timeout: number;
    tcp_max_connections: number;
    tcp_connection_lifetime: number;
    tcp_max_connections_per_ip: number;
    tcp_connect_timeout: number;
  };

/** Every transport parameter by name (require_origin, present in both proto modules, once). */
export const PARAM_SPECS: ReadonlyMap<string, ParamSpec> = new Map(
  TRANSPORT_MODULES.flatMap((m) => m.params.map((p) => [p.name, p] as const)),
);

export function resolveParams(input: Readonly<Record<string, unknown>> = {}): Readonly<TransportParams> {
  const out: Record<string, number | string> = {};
  for (const [name, spec] of PARAM_SPECS) {
    if (spec.default !== undefined) out[name] = spec.default;
  }
  for (const [name, value] of Object.entries(input)) {
    const spec = PARAM_SPECS.get(name);
    if (!spec) throw new TransportError('OPTION_UNKNOWN', `"${name}"`);
    if (value === undefined) continue;
    out[name] = checkValue(spec, value);
  }
  return Object.freeze(out) as unknown as Readonly<TransportParams>;
}

function checkValue(spec: ParamSpec, value: unknown): number | string {
  if (spec.type === 'string') {
    if (typeof value !== 'string') throw new TransportError('OPTION_TYPE', `"${spec.name}" must be a string`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TransportError(
      'OPTION_TYPE',
      `"${spec.name}" must be an integer, got ${JSON.stringify(value)}`,
    );
  }
  if (spec.type === 'flag' && value !== 0 && value !== 1) {
    throw new TransportError('OPTION_RANGE', `"${spec.name}" must be 0 or 1, got ${value}`);
  }
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
    throw new TransportError(
      'OPTION_RANGE',
      `"${spec.name}" must be between ${spec.min ?? '-∞'} and ${spec.max ?? '∞'}${spec.unit ? ` ${spec.unit}` : ''}, got ${value}`,
    );
  }
  return value;
}

/** Splits a comma-separated allow-list; empty: undefined (any). */
export function parseList(value: string): ReadonlySet<string> | undefined {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return items.length ? new Set(items) : undefined;
}

/** The per-protocol view of the parameters the listener and connection code use. */
export interface ProtoPolicy extends PerProto {
  readonly proto: 'ws' | 'wss';
  readonly requireOrigin: boolean;
  readonly resourceSet: ReadonlySet<string> | undefined;
  readonly originSet: ReadonlySet<string> | undefined;
}

export function protoPolicy(params: Readonly<TransportParams>, proto: 'ws' | 'wss'): Readonly<ProtoPolicy> {
  const get = <K extends keyof PerProto>(k: K): PerProto[K] =>
    (params as unknown as Record<string, PerProto[K]>)[`${proto}_${k}`] as PerProto[K];
  const policy: ProtoPolicy = {
    proto,
    port: get('port'),
    max_msg_chunks: get('max_msg_chunks'),
    resource: get('resource'),
    handshake_timeout: get('handshake_timeout'),
    send_timeout: get('send_timeout'),
    max_msg_size: get('max_msg_size'),
    max_fragments: get('max_fragments'),
    msg_timeout: get('msg_timeout'),
    upgrade_timeout: get('upgrade_timeout'),
    resources: get('resources'),
    origins: get('origins'),
    ping_interval: get('ping_interval'),
    ping_timeout: get('ping_timeout'),
    send_buffer: get('send_buffer'),
    requireOrigin: params.require_origin === 1,
    resourceSet: parseList(get('resources')),
    originSet: parseList(get('origins')),
  };
  return Object.freeze(policy);
}
