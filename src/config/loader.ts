/**
 * The cfg reader: text → tokens (lexer.ts) → statements (parser.ts) → a validated, frozen
 * LoadedConfig. Every error of the file is collected (up to `maxErrors`) and returned together;
 * the reader returns a Result and never throws for bad input.
 *
 * Decisions (see docs/configuration.md):
 * - A parameter given twice is an error naming both lines. OpenSIPS keeps the last modparam
 *   silently; sipwss refuses so that the value in force is never a surprise. Repeatable
 *   parameters keep every value; per-domain ones may appear once per domain.
 * - modparam needs the module's loadmodule line before it, as in OpenSIPS.
 * - Relative file paths are resolved against the cfg file's directory, not the working directory,
 *   so a cfg file means the same thing wherever sipwss is started from.
 * - A line that is exactly `...` (an elision in the OpenSIPS docs) is skipped with one notice.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fail, ok, type Result } from '../errors.js';
import type { ParamSpec } from '../params.js';
import { IGNORED_GLOBALS, LISTEN_GLOBALS } from './core.js';
import {
  ConfigError,
  type ConfigErrorCode,
  ConfigInvalidError,
  type ConfigNotice,
  formatSource,
  type Source,
} from './errors.js';
import { deepFreeze, FrozenMap } from './frozen.js';
import { lex, type Token } from './lexer.js';
import { type ListenSpec, parseListen } from './listen.js';
import { KNOWN_MODULES, knownModule, moduleNameOf } from './modules.js';
import { parseStatements, type Statement } from './parser.js';
import { type ConfigRegistry, resolveRegistry } from './registry.js';
import { suggest } from './suggest.js';
import type { LoadedConfig, LoadedModule, ParamValue } from './types.js';
import { cfgValue, convert } from './values.js';

export interface ConfigOptions {
  /** Stop collecting after this many errors (default 50). */
  readonly maxErrors?: number;
}

export const DEFAULT_MAX_ERRORS = 50;

/** Largest cfg file read. Real ones are a few kB; the cap keeps /dev/zero or a log file from being slurped. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export type ConfigResult = Result<LoadedConfig, ConfigInvalidError>;

/** Read and validate a cfg file. Synchronous: it runs once, at start-up, before anything listens. */
export function loadConfigFile(
  path: string,
  registry: ConfigRegistry,
  options: ConfigOptions = {},
): ConfigResult {
  const unreadable = (detail: string): ConfigResult => {
    const err = new ConfigError('CONFIG_FILE_UNREADABLE', { file: path, line: 1, column: 1 }, detail);
    return fail(new ConfigInvalidError(path, [err], [], false));
  };
  let text: string;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    // fstat on the open descriptor: a FIFO or device would block or never end, so only regular files.
    const st = fstatSync(fd);
    if (!st.isFile()) return unreadable('cannot read: not a regular file');
    if (st.size > MAX_CONFIG_BYTES) {
      return unreadable(
        `cannot read: ${st.size} bytes is more than the ${MAX_CONFIG_BYTES} a cfg file may have`,
      );
    }
    text = readFileSync(fd, 'utf8');
  } catch (e) {
    return unreadable(`cannot read: ${e instanceof Error && 'code' in e ? String(e.code) : String(e)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return parseConfig(text, path, registry, options);
}

interface ModuleState {
  readonly name: string;
  readonly loadedAt: Source;
  readonly params: Map<string, ParamValue[]>;
}

/**
 * Validate cfg text. `fileName` is used in messages and, resolved against the working directory,
 * as the base for relative file paths.
 */
export function parseConfig(
  text: string,
  fileName: string,
  registry: ConfigRegistry,
  options: ConfigOptions = {},
): ConfigResult {
  const reg = resolveRegistry(registry);
  const file = resolve(fileName);
  const baseDir = dirname(file);
  const maxErrors = Math.max(1, options.maxErrors ?? DEFAULT_MAX_ERRORS);

  const lexed = lex(text, fileName);
  const parsed = parseStatements(lexed.tokens, fileName);
  const errors: ConfigError[] = [...lexed.errors, ...parsed.errors];
  const notices: ConfigNotice[] = [...lexed.notices];
  const src = (t: Token): Source => ({ file: fileName, line: t.line, column: t.column });
  const error = (code: ConfigErrorCode, at: Source, detail: string, param?: string): void => {
    errors.push(new ConfigError(code, at, detail, param));
  };

  if (lexed.elisions.length > 0) {
    const lines = lexed.elisions;
    notices.push({
      code: 'CONFIG_ELISION_IGNORED',
      source: { file: fileName, line: lines[0]!, column: 1 },
      message: `ignored ${lines.length} line${lines.length === 1 ? '' : 's'} holding only "..." (elisions in the OpenSIPS docs): line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}`,
    });
  }

  // Where each module is loaded, for "loaded later at line N: move it up" hints.
  const loadLines = new Map<string, Source>();
  for (const s of parsed.statements) {
    if (s.kind === 'loadmodule') {
      const name = moduleNameOf(s.arg.text);
      if (!loadLines.has(name)) loadLines.set(name, src(s.arg));
    }
  }

  const modules = new Map<string, ModuleState>();
  const listen: ListenSpec[] = [];
  const globals: Record<string, number | string> = {};
  const globalSources: Record<string, Source> = {};
  const knownNames = (): string[] => [
    ...new Set([...KNOWN_MODULES.map((m) => m.name), ...reg.modules.keys()]),
  ];

  for (const s of parsed.statements) {
    if (s.kind === 'loadmodule') loadModule(s);
    else if (s.kind === 'modparam') modparam(s);
    else assign(s);
  }

  for (const l of listen) {
    const needed = `proto_${l.proto}`;
    if (!modules.has(needed)) {
      error(
        'CONFIG_MODULE_NOT_LOADED',
        l.source,
        `${l.keyword}: protocol ${l.proto} needs loadmodule "${needed}.so"`,
        l.keyword,
      );
    }
  }
  for (const m of modules.values()) {
    for (const dep of knownModule(m.name)?.requires ?? []) {
      if (!modules.has(dep)) {
        error(
          'CONFIG_MODULE_DEPENDENCY',
          m.loadedAt,
          `module ${m.name} needs ${dep}: add loadmodule "${dep}.so"`,
        );
      }
    }
  }

  if (errors.length > 0) {
    errors.sort((a, b) => a.source.line - b.source.line || a.source.column - b.source.column);
    const truncated = errors.length > maxErrors;
    return fail(new ConfigInvalidError(fileName, errors.slice(0, maxErrors), notices, truncated));
  }

  const frozenModules = new FrozenMap<string, LoadedModule>(
    [...modules.values()].map((m) => [
      m.name,
      {
        name: m.name,
        loadedAt: m.loadedAt,
        params: new FrozenMap([...m.params]),
      },
    ]),
  );
  const config: LoadedConfig = { file, listen, globals, globalSources, modules: frozenModules, notices };
  return ok(deepFreeze(config));

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
    const mod = modules.get(modName);
    if (!mod) {
      const later = loadLines.get(modName);
      const hint = later
        ? `; it is loaded later, at line ${later.line}: move that line up`
        : `; add loadmodule "${modName}.so" before it`;
      error('CONFIG_MODULE_NOT_LOADED', at, `modparam: module ${modName} is not loaded${hint}`, label);
      return;
    }
    const table = reg.modules.get(modName);
    if (!table) {
      error(
        'CONFIG_UNKNOWN_PARAM',
        src(s.param),
        `modparam: module ${modName} has no parameters in sipwss`,
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
