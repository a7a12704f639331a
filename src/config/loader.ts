/**
 * The cfg reader: text → tokens (lexer.ts) → statements (parser.ts) → a validated, frozen
 * LoadedConfig (statements applied by apply.ts). Every error of the file is collected (up to `maxErrors`) and returned together;
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
import { applyStatements } from './apply.js';
import { ConfigError, ConfigInvalidError, type ConfigNotice } from './errors.js';
import { deepFreeze, FrozenMap } from './frozen.js';
import { lex } from './lexer.js';
import { parseStatements } from './parser.js';
import { type ConfigRegistry, resolveRegistry } from './registry.js';
import type { LoadedConfig, LoadedModule } from './types.js';

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
  if (lexed.elisions.length > 0) {
    const lines = lexed.elisions;
    notices.push({
      code: 'CONFIG_ELISION_IGNORED',
      source: { file: fileName, line: lines[0]!, column: 1 },
      message: `ignored ${lines.length} line${lines.length === 1 ? '' : 's'} holding only "..." (elisions in the OpenSIPS docs): line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}`,
    });
  }

  const applied = applyStatements(parsed.statements, reg, fileName, baseDir, errors, notices);
  const { listen, globals, globalSources } = applied;

  if (errors.length > 0) {
    errors.sort((a, b) => a.source.line - b.source.line || a.source.column - b.source.column);
    const truncated = errors.length > maxErrors;
    return fail(new ConfigInvalidError(fileName, errors.slice(0, maxErrors), notices, truncated));
  }

  const frozenModules = new FrozenMap<string, LoadedModule>(
    [...applied.modules.values()].map((m) => [
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
}
