/**
 * Module names sipwss accepts in `loadmodule`, and what loading each one means here. Parameters
 * live in each module's ModuleSpec (src/transport/params.ts, src/tls/params.ts); this list only
 * says which names are known, so that `loadmodule "sl.so"` fails with a clear message instead of
 * being ignored.
 */
import { basename } from 'node:path';

export type ModuleRole =
  /** Implemented by sipwss with a parameter table. */
  | 'transport'
  /** Built into the sipwss server; accepted so OpenSIPS configs keep their loadmodule lines. */
  | 'server'
  /** Accepted for compatibility only: Node provides what it does (e.g. the TLS library). */
  | 'compat';

export interface KnownModule {
  readonly name: string;
  readonly role: ModuleRole;
  /** Modules that must be loaded too (anywhere in the file: OpenSIPS ≥ 2.4 sorts by dependency). */
  readonly requires?: readonly string[];
  readonly note: string;
}

export const KNOWN_MODULES: readonly KnownModule[] = Object.freeze([
  { name: 'proto_ws', role: 'transport', note: 'SIP over WebSocket (RFC 7118), ws: listeners' },
  {
    name: 'proto_wss',
    role: 'transport',
    requires: ['tls_mgm'],
    note: 'SIP over secure WebSocket, wss: listeners',
  },
  {
    name: 'tls_mgm',
    role: 'transport',
    note: 'TLS domains: certificates, verification, SNI and address matching',
  },
  { name: 'tls_openssl', role: 'compat', note: 'TLS comes from Node (OpenSSL); nothing to configure' },
  {
    name: 'tls_wolfssl',
    role: 'compat',
    note: 'TLS comes from Node (OpenSSL), not wolfSSL; nothing to configure',
  },
  { name: 'registrar', role: 'server', note: 'built into the sipwss server' },
  { name: 'usrloc', role: 'server', note: 'built into the sipwss server (location store)' },
  { name: 'auth', role: 'server', note: 'built into the sipwss server (digest authentication)' },
  { name: 'auth_db', role: 'server', note: 'built into the sipwss server (credentials store)' },
  { name: 'tm', role: 'server', note: 'built into the sipwss server (transactions)' },
  { name: 'rr', role: 'server', note: 'built into the sipwss server (record-routing)' },
]);

const BY_NAME: ReadonlyMap<string, KnownModule> = new Map(KNOWN_MODULES.map((m) => [m.name, m]));

export function knownModule(name: string): KnownModule | undefined {
  return BY_NAME.get(name);
}

/**
 * The module name in a loadmodule argument: OpenSIPS accepts a bare name, `name.so`, or a path
 * to the shared object; only the base name counts here.
 */
export function moduleNameOf(loadmoduleArg: string): string {
  const base = basename(loadmoduleArg.trim());
  return base.endsWith('.so') ? base.slice(0, -3) : base;
}
