/**
 * What the reader validates against: the global (core) parameter tables and the module tables.
 * Module tables are written next to the code that uses them (src/transport/params.ts,
 * src/tls/params.ts); the server assembles a registry from them. Inconsistent tables are programmer
 * errors and throw at once.
 */
import type { ModuleSpec, ParamSpec } from '../params.js';
import { CONFIG_CORE } from './core.js';

export interface ConfigRegistry {
  /** Tables of global `name = value` parameters; merged with the reader's own (listen, socket, mpath). */
  readonly core: readonly ModuleSpec[];
  /** Module tables, one per `loadmodule`-able module with parameters. */
  readonly modules: readonly ModuleSpec[];
}

export interface ResolvedRegistry {
  readonly globals: ReadonlyMap<string, ParamSpec>;
  readonly modules: ReadonlyMap<string, ReadonlyMap<string, ParamSpec>>;
}

const cache = new WeakMap<ConfigRegistry, ResolvedRegistry>();

export function resolveRegistry(registry: ConfigRegistry): ResolvedRegistry {
  const hit = cache.get(registry);
  if (hit) return hit;
  const globals = new Map<string, ParamSpec>();
  for (const table of [CONFIG_CORE, ...registry.core]) {
    for (const p of table.params) {
      if (globals.has(p.name)) throw new Error(`config registry: global "${p.name}" defined twice`);
      if (table !== CONFIG_CORE && (p.repeatable || p.perDomain)) {
        throw new Error(`config registry: global "${p.name}" cannot be repeatable or per-domain`);
      }
      checkSpec(table.name, p);
      globals.set(p.name, p);
    }
  }
  const modules = new Map<string, ReadonlyMap<string, ParamSpec>>();
  for (const m of registry.modules) {
    if (modules.has(m.name)) throw new Error(`config registry: module "${m.name}" defined twice`);
    const params = new Map<string, ParamSpec>();
    for (const p of m.params) {
      if (params.has(p.name)) throw new Error(`config registry: ${m.name}.${p.name} defined twice`);
      checkSpec(m.name, p);
      params.set(p.name, p);
    }
    modules.set(m.name, params);
  }
  const resolved: ResolvedRegistry = { globals, modules };
  cache.set(registry, resolved);
  return resolved;
}

function checkSpec(module: string, p: ParamSpec): void {
  const where = `config registry: ${module}.${p.name}`;
  if (p.file && p.type !== 'string') throw new Error(`${where}: a file parameter must be of type string`);
  if (p.opensipsDefault !== undefined && !p.differs)
    throw new Error(`${where}: opensipsDefault without differs`);
  if ((p.min !== undefined || p.max !== undefined) && p.type !== 'int')
    throw new Error(`${where}: bounds on a non-int`);
}
