/** Shared helpers for the cfg reader tests. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ConfigError,
  type ConfigInvalidError,
  type LoadedConfig,
  type ParamValue,
  parseConfig,
} from '../../src/config/index.js';
import { TEST_REGISTRY } from './specs.js';

/** A scratch directory for cfg files and the files they name. */
export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'sipwss-cfg-'));
}

export function writeCfg(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export const WSS_PREAMBLE = 'loadmodule "tls_mgm.so"\nloadmodule "proto_wss.so"\n';

/** Parse text that must load; fails the test with every error otherwise. */
export function load(text: string, file = '/nonexistent/test.cfg'): LoadedConfig {
  const r = parseConfig(text, file, TEST_REGISTRY);
  if (!r.ok) assert.fail(`expected the config to load:\n${r.error.message}`);
  return r.value;
}

/** Parse text that must fail; returns the aggregate error. */
export function invalid(text: string, file = 'test.cfg'): ConfigInvalidError {
  const r = parseConfig(text, file, TEST_REGISTRY);
  if (r.ok) assert.fail('expected the config to be refused');
  return r.error;
}

/** Errors as `line:column CODE`, for compact assertions. */
export function where(errors: readonly ConfigError[]): string[] {
  return errors.map((e) => `${e.source.line}:${e.source.column} ${e.code}`);
}

/** The one error of `text`, asserting there is exactly one. */
export function oneError(text: string): ConfigError {
  const e = invalid(text);
  assert.equal(e.errors.length, 1, `expected one error, got:\n${e.message}`);
  return e.errors[0]!;
}

export function param(cfg: LoadedConfig, module: string, name: string): readonly ParamValue[] {
  const values = cfg.modules.get(module)?.params.get(name);
  assert.ok(values, `${module}.${name} is not set`);
  return values;
}
