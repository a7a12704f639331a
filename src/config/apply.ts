/**
 * Statements → configuration state: loadmodule, modparam and global lines checked against the
 * registry and converted by the parameter specs, with every problem recorded as a ConfigError.
 * The rules (duplicates are errors, modparam needs its loadmodule first, listen needs its protocol
 * module) are documented in loader.ts and docs/configuration.md.
 */
import type { ParamSpec } from '../params.js';
import { IGNORED_GLOBALS, LISTEN_GLOBALS } from './core.js';
import { ConfigError, type ConfigErrorCode, type ConfigNotice, formatSource, type Source } from './errors.js';
import type { Token } from './lexer.js';
import { type ListenSpec, parseListen } from './listen.js';
import { KNOWN_MODULES, knownModule, moduleNameOf } from './modules.js';
import type { Statement } from './parser.js';
import type { ResolvedRegistry } from './registry.js';
import { suggest } from './suggest.js';
import type { ParamValue } from './types.js';
import { cfgValue, convert } from './values.js';

export interface ModuleState {
  readonly name: string;
  readonly loadedAt: Source;
  readonly params: Map<string, ParamValue[]>;
}

export interface Applied {
  readonly modules: Map<string, ModuleState>;
  readonly listen: ListenSpec[];
  readonly globals: Record<string, number | string>;
  readonly globalSources: Record<string, Source>;
}

/**
 * Apply `statements` in file order. Errors and notices are appended to the given arrays.
 * `baseDir` resolves relative file paths.
 */
export function applyStatements(
  statements: readonly Statement[],
  reg: ResolvedRegistry,
  fileName: string,
  baseDir: string,
  errors: ConfigError[],
  notices: ConfigNotice[],
): Applied {
  const src = (t: Token): Source => ({ file: fileName, line: t.line, column: t.column });
  const error = (code: ConfigErrorCode, at: Source, detail: string, param?: string): void => {
    errors.push(new ConfigError(code, at, detail, param));
  };
  const modules = new Map<string, ModuleState>();
  const listen: ListenSpec[] = [];
  const globals: Record<string, number | string> = {};
  const globalSources: Record<string, Source> = {};
  const knownNames = (): string[] => [
    ...new Set([...KNOWN_MODULES.map((m) => m.name), ...reg.modules.keys()]),
  ];

  // Every module sipwss knows is built in: `loadmodule` lines are accepted in any order and are
  // optional, so that a fragment such as the seed's `modparam("proto_wss", "wss_port", 44344)`
  // loads verbatim. OpenSIPS would require the loadmodule line first; a notice says so.
  for (const s of statements) if (s.kind === 'loadmodule') loadModule(s);
  for (const s of statements) {
    if (s.kind === 'modparam') modparam(s);
    else if (s.kind !== 'loadmodule') assign(s);
  }

  for (const l of listen) implicitLoad(`proto_${l.proto}`, l.source, `${l.keyword}=${l.proto}:`);
  for (const m of [...modules.values()]) {
    for (const dep of knownModule(m.name)?.requires ?? []) implicitLoad(dep, m.loadedAt, `module ${m.name}`);
  }

  return { modules, listen, globals, globalSources };

  function loadModule(s: Extract<Statement, { kind: 'loadmodule' }>): void {
    const at = src(s.arg);
    const name = moduleNameOf(s.arg.text);
    if (name === '') {
      error('CONFIG_SYNTAX', at, 'loadmodule: empty module name');
      return;
    }
    const known = knownModule(name);
    if (!known && !reg.modules.has(name)) {
      const hint = suggest(name, knownNames()) || `; sipwss knows: ${knownNames().join(', ')}`;
      error('CONFIG_UNKNOWN_MODULE', at, `loadmodule: unknown module "${name}"${hint}`);
      return;
    }
    const prior = modules.get(name);
    if (prior) {
      error(
        'CONFIG_DUPLICATE',
        at,
        `loadmodule: module ${name} already loaded at ${formatSource(prior.loadedAt)}`,
      );
      return;
    }
    modules.set(name, { name, loadedAt: at, params: new Map() });
    if (known && known.role !== 'transport') {
      notices.push({ code: 'CONFIG_MODULE_BUILT_IN', source: at, message: `${name}: ${known.note}` });
    }
  }

  /** Load a built-in module that the file uses without a loadmodule line, with a notice. */
  function implicitLoad(name: string, at: Source, usedBy: string): ModuleState {
    const loaded = modules.get(name);
    if (loaded) return loaded;
    const state: ModuleState = { name, loadedAt: at, params: new Map() };
    modules.set(name, state);
    notices.push({
      code: 'CONFIG_MODULE_IMPLICIT',
      source: at,
      message: `${name}: loaded implicitly for ${usedBy} (built into sipwss; OpenSIPS would need loadmodule "${name}.so" first)`,
    });
    return state;
  }

  function modparam(s: Extract<Statement, { kind: 'modparam' }>): void {
    const modName = s.module.text;
    const paramName = s.param.text;
    const label = `${modName}.${paramName}`;
    const at = src(s.module);
    if (/[|()[\]*+?^$\\.{}]/.test(modName)) {
      error(
        'CONFIG_UNSUPPORTED',
        at,
        `modparam: module name patterns ("${modName}") are not supported: write one modparam per module`,
        label,
      );
      return;
    }
    if (!knownModule(modName) && !reg.modules.has(modName)) {
      error(
        'CONFIG_UNKNOWN_MODULE',
        at,
        `modparam: unknown module "${modName}"${suggest(modName, knownNames())}`,
        label,
      );
      return;
    }
    const mod = modules.get(modName) ?? implicitLoad(modName, at, `modparam("${modName}", ...)`);
    const table = reg.modules.get(modName);
    if (!table) {
      const known = knownModule(modName);
      const note = known ? ` (${known.note})` : '';
      error(
        'CONFIG_UNKNOWN_PARAM',
        src(s.param),
        `modparam: module ${modName} has no parameters in sipwss${note}: remove the line`,
        label,
      );
      return;
    }
    const spec = table.get(paramName);
    if (!spec) {
      error(
        'CONFIG_UNKNOWN_PARAM',
        src(s.param),
        `modparam: module ${modName} has no parameter "${paramName}"${suggest(paramName, table.keys())}`,
        label,
      );
      return;
    }
    const value = src(s.value);
    store(spec, label, s.value, value, mod.params);
  }

  function store(
    spec: ParamSpec,
    label: string,
    tok: Token,
    at: Source,
    into: Map<string, ParamValue[]>,
  ): void {
    const r = convert(spec, label, cfgValue(tok), at, baseDir);
    if (!r.ok) {
      errors.push(r.error);
      return;
    }
    const list = into.get(spec.name) ?? [];
    if (!spec.repeatable) {
      const clash = spec.perDomain ? list.find((p) => p.domain === r.value.domain) : list[0];
      if (clash) {
        const what = spec.perDomain
          ? clash.domain === undefined
            ? ' without a [domain] prefix'
            : ` for domain [${clash.domain}]`
          : '';
        error(
          'CONFIG_DUPLICATE',
          at,
          `${label}: set twice${what}, first at ${formatSource(clash.source)} ` +
            '(OpenSIPS would keep the last one silently; remove one of them)',
          label,
        );
        return;
      }
    }
    list.push(Object.freeze({ ...r.value, source: at }));
    into.set(spec.name, list);
  }

  function assign(s: Extract<Statement, { kind: 'assign' }>): void {
    const name = s.name.text;
    const at = src(s.value);
    if (LISTEN_GLOBALS.has(name)) {
      const r = parseListen(name as 'listen' | 'socket', s.value.text, at, s.extras, fileName);
      errors.push(...r.errors);
      if (r.spec) listen.push(r.spec);
      return;
    }
    if (IGNORED_GLOBALS.has(name)) {
      notices.push({
        code: 'CONFIG_GLOBAL_IGNORED',
        source: src(s.name),
        message: `${name} ignored: sipwss has no module files to look for`,
      });
      return;
    }
    const spec = reg.globals.get(name);
    if (!spec) {
      error(
        'CONFIG_UNKNOWN_GLOBAL',
        src(s.name),
        `unknown global parameter "${name}"${suggest(name, reg.globals.keys())}`,
        name,
      );
      return;
    }
    const holder = new Map<string, ParamValue[]>();
    const prior = globalSources[name];
    if (prior) {
      error(
        'CONFIG_DUPLICATE',
        at,
        `${name}: set twice, first at ${formatSource(prior)} (OpenSIPS would keep the last one silently; remove one of them)`,
        name,
      );
      return;
    }
    store(spec, name, s.value, at, holder);
    const v = holder.get(name)?.[0];
    if (v) {
      globals[name] = v.value;
      globalSources[name] = at;
    }
  }
}
