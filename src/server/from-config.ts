/**
 * From a loaded cfg file to the server's options: the OpenSIPS modparams of each module become the
 * options of the layer that owns them, validated there (TLS material is read and checked here, at
 * start-up, so a bad file is an error naming the parameter and the file).
 */
import { type ConfigNotice, formatSource, type LoadedConfig, type Source } from '../config/index.js';
import { SipwssError } from '../errors.js';
import { TlsDomains } from '../tls/domains.js';
import { type DigestAlgorithm, digestAlgorithm } from './auth/digest.js';
import { loadUsersFile } from './auth/users-file.js';
import type { ListenWithAdvertised, SipServerOptions } from './server.js';

export class ServerConfigError extends SipwssError<'SERVER_CONFIG'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SERVER_CONFIG', message, {}, options);
  }
}

const TRANSPORT_MODULES = ['proto_ws', 'proto_wss'];
const TRANSPORT_GLOBALS = [
  'tcp_max_connections',
  'tcp_connection_lifetime',
  'tcp_max_connections_per_ip',
  'tcp_connect_timeout',
];
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

export interface ServerSetup {
  readonly options: SipServerOptions;
  readonly tls: TlsDomains | undefined;
  readonly logLevel: number;
  /** Things the user should see at start-up (notices of the reader, TLS warnings, open registrar). */
  readonly notes: readonly string[];
}

function one(
  cfg: LoadedConfig,
  module: string,
  name: string,
): { value: number | string; source: Source } | undefined {
  return cfg.modules.get(module)?.params.get(name)?.[0];
}

function int(cfg: LoadedConfig, module: string, name: string): number | undefined {
  const v = one(cfg, module, name)?.value;
  return typeof v === 'number' ? v : undefined;
}

export async function setupFromConfig(
  cfg: LoadedConfig,
  opts: { softphoneDir?: string } = {},
): Promise<ServerSetup> {
  const notes = cfg.notices.map((n: ConfigNotice) => `${formatSource(n.source)}: ${n.message}`);
  if (cfg.listen.length === 0) {
    throw new ServerConfigError(`${cfg.file}: no listen= line: sipwss would serve nothing`);
  }
  const listen: ListenWithAdvertised[] = cfg.listen.map((l) => ({
    proto: l.proto,
    host: l.host,
    ...(l.port !== undefined ? { port: l.port } : {}),
    ...(l.advertised
      ? {
          advertised: {
            host: l.advertised.host,
            ...(l.advertised.port !== undefined ? { port: l.advertised.port } : {}),
          },
        }
      : {}),
  }));

  const transportParams: Record<string, number | string> = {};
  for (const m of TRANSPORT_MODULES) {
    for (const [name, values] of cfg.modules.get(m)?.params ?? []) {
      const v = values[0];
      if (v) transportParams[name] = v.value;
    }
  }
  for (const g of TRANSPORT_GLOBALS) {
    const v = cfg.globals[g];
    if (v !== undefined) transportParams[g] = v;
  }

  let tls: TlsDomains | undefined;
  const tlsParams = [...(cfg.modules.get('tls_mgm')?.params.values() ?? [])].flat();
  if (tlsParams.length > 0 || cfg.listen.some((l) => l.proto === 'wss')) {
    const params = [...(cfg.modules.get('tls_mgm')?.params.entries() ?? [])].flatMap(([name, values]) =>
      values.map((v) => ({ name, value: v.raw, source: { file: v.source.file, line: v.source.line } })),
    );
    params.sort((a, b) => a.source.line - b.source.line);
    tls = await TlsDomains.load(params, { baseDir: dirnameOf(cfg.file) });
    notes.push(...tls.warnings);
  }

  // Authentication, and the guard against an open registrar on a public address.
  const usersFile = one(cfg, 'auth', 'users_file');
  const allowOpen = int(cfg, 'auth', 'allow_unauthenticated') === 1;
  let auth: SipServerOptions['auth'];
  if (usersFile !== undefined) {
    const users = loadUsersFile(String(usersFile.value));
    const algorithms: DigestAlgorithm[] = [];
    const algText = String(one(cfg, 'auth', 'algorithms')?.value ?? 'MD5');
    for (const name of algText
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const alg = digestAlgorithm(name);
      if (alg === undefined) {
        const at = one(cfg, 'auth', 'algorithms')?.source;
        throw new ServerConfigError(
          `${at ? formatSource(at) : cfg.file}: auth.algorithms: unknown algorithm "${name}" (MD5, SHA-256)`,
        );
      }
      algorithms.push(alg);
    }
    if (algorithms.length === 0) {
      const at = one(cfg, 'auth', 'algorithms')?.source;
      throw new ServerConfigError(
        `${at ? formatSource(at) : cfg.file}: auth.algorithms: no algorithm given (MD5, SHA-256)`,
      );
    }
    const nonceExpire = int(cfg, 'auth', 'nonce_expire');
    auth = {
      users,
      algorithms,
      ...(nonceExpire !== undefined ? { nonceLifetimeMs: nonceExpire * 1000 } : {}),
    };
  } else {
    const exposed = cfg.listen.find((l) => !LOOPBACK.test(l.host));
    if (exposed && !allowOpen) {
      throw new ServerConfigError(
        `${formatSource(exposed.source)}: listen=${exposed.proto}:${exposed.host} is beyond loopback and no ` +
          'modparam("auth", "users_file", ...) is set: anyone could register any name. Set users_file, or ' +
          'modparam("auth", "allow_unauthenticated", 1) to run open on purpose.',
      );
    }
    notes.push(
      exposed
        ? `WARNING: registrar open to anyone on ${exposed.host} (allow_unauthenticated=1)`
        : 'registrar open to any user (no users_file): fine on loopback only',
    );
  }

  const registrar: Record<string, number> = {};
  for (const name of ['default_expires', 'min_expires', 'max_expires', 'max_contacts']) {
    const v = int(cfg, 'registrar', name);
    if (v !== undefined) registrar[name] = v;
  }
  const fr = int(cfg, 'tm', 'fr_timeout');
  const frInv = int(cfg, 'tm', 'fr_inv_timeout');
  const maxTransactions = int(cfg, 'tm', 'max_transactions');
  const maxTransactionsPerIp = int(cfg, 'tm', 'max_transactions_per_ip');
  const alias = cfg.globals.alias;
  const node = one(cfg, 'usrloc', 'node_id')?.value;
  const options: SipServerOptions = {
    listen,
    ...(tls ? { tls, clientTls: tls } : {}),
    transportParams,
    registrar,
    ...(auth ? { auth } : {}),
    ...(typeof alias === 'string'
      ? {
          domains: alias
            .split(',')
            .map((d) => d.trim())
            .filter(Boolean),
        }
      : {}),
    ...(typeof node === 'string' ? { node } : {}),
    timers: {
      ...(fr !== undefined ? { frMs: fr * 1000 } : {}),
      ...(frInv !== undefined ? { frInvMs: frInv * 1000 } : {}),
    },
    ...(maxTransactions !== undefined ? { maxTransactions } : {}),
    ...(maxTransactionsPerIp !== undefined ? { maxTransactionsPerIp } : {}),
    ...(opts.softphoneDir ? { softphoneDir: opts.softphoneDir } : {}),
  };
  const logLevel = typeof cfg.globals.log_level === 'number' ? cfg.globals.log_level : 3;
  return { options, tls, logLevel, notes };
}

function dirnameOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i <= 0 ? '/' : file.slice(0, i);
}
