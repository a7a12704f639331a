/**
 * Values of the cfg language, and their conversion by a ParamSpec. Conversion is exact: a string is
 * never read as a number or the reverse (OpenSIPS refuses a type mismatch too), a flag is 0 or 1
 * (given as an integer or as "0"/"1"), integers are range-checked, and file parameters must name an
 * existing path. Nothing is clamped or defaulted here.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ParamSpec } from '../params.js';
import { ConfigError, type Source } from './errors.js';
import type { Token } from './lexer.js';

/** A value as written: an integer (decimal, 0x hex, 0 octal, yes/no words), a quoted string, or a bare word. */
export type CfgValue =
  | { readonly kind: 'int'; readonly value: number; readonly text: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'word'; readonly value: string };

export interface Converted {
  readonly value: number | string;
  readonly raw: number | string;
  readonly domain?: string | undefined;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
// cfg.lex: NUMBER 0|[1-9][0-9]*, HEXNUMBER 0x.., OCTNUMBER 0[0-7]+, and YES / NO words.
const NUMBER = /^[+-]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;
const YES: ReadonlySet<string> = new Set(['yes', 'true', 'on', 'enable']);
const NO: ReadonlySet<string> = new Set(['no', 'false', 'off', 'disable']);

export function cfgValue(t: Token): CfgValue {
  if (t.kind === 'string') return { kind: 'string', value: t.text };
  const w = t.text;
  if (YES.has(w)) return { kind: 'int', value: 1, text: w };
  if (NO.has(w)) return { kind: 'int', value: 0, text: w };
  if (NUMBER.test(w)) {
    const neg = w.startsWith('-');
    const body = w.replace(/^[+-]/, '');
    const n = /^0[xX]/.test(body)
      ? Number.parseInt(body.slice(2), 16)
      : body.length > 1 && body.startsWith('0')
        ? Number.parseInt(body, 8)
        : Number.parseInt(body, 10);
    return { kind: 'int', value: neg ? -n : n, text: w };
  }
  return { kind: 'word', value: w };
}

function show(v: CfgValue): string {
  return v.kind === 'string'
    ? `the string "${v.value}"`
    : v.kind === 'int'
      ? `the integer ${v.text}`
      : `"${v.value}"`;
}

/**
 * Convert `v` for parameter `spec`. `label` names it in messages (`proto_wss.wss_port`, `log_level`);
 * `baseDir` resolves relative file paths.
 */
export function convert(
  spec: ParamSpec,
  label: string,
  v: CfgValue,
  source: Source,
  baseDir: string,
): { ok: true; value: Converted } | { ok: false; error: ConfigError } {
  const err = (code: ConstructorParameters<typeof ConfigError>[0], detail: string) =>
    ({ ok: false, error: new ConfigError(code, source, `${label}: ${detail}`, label) }) as const;
  const done = (value: number | string, raw: number | string, domain?: string) =>
    ({ ok: true, value: domain === undefined ? { value, raw } : { value, raw, domain } }) as const;

  if (spec.perDomain) {
    if (v.kind !== 'string') {
      return err(
        'CONFIG_WRONG_TYPE',
        `expects a quoted string ("[domain]value" or "value"), found ${show(v)}`,
      );
    }
    let domain: string | undefined;
    let rest = v.value;
    if (rest.startsWith('[')) {
      const close = rest.indexOf(']');
      if (close === -1)
        return err('CONFIG_BAD_VALUE', `"${v.value}": "[" without "]" in the [domain] prefix`);
      domain = rest.slice(1, close);
      if (domain.trim() === '') return err('CONFIG_BAD_VALUE', `"${v.value}": empty [domain] name`);
      rest = rest.slice(close + 1);
    }
    const prefix = domain === undefined ? '' : `[${domain}]`;
    switch (spec.type) {
      case 'flag':
        if (rest !== '0' && rest !== '1') {
          return err('CONFIG_OUT_OF_RANGE', `"${v.value}": the value after the domain must be 0 or 1`);
        }
        return done(v.value, v.value, domain);
      case 'int': {
        if (!/^[+-]?[0-9]+$/.test(rest))
          return err('CONFIG_WRONG_TYPE', `"${v.value}": expects an integer value`);
        const r = checkRange(spec, Number(rest));
        return r ? err('CONFIG_OUT_OF_RANGE', r) : done(v.value, v.value, domain);
      }
      case 'string': {
        if (!spec.file) return done(v.value, v.value, domain);
        const f = checkPath(spec.file, rest, baseDir);
        return typeof f === 'string' ? done(prefix + f, v.value, domain) : err(f.code, f.detail);
      }
    }
  }

  switch (spec.type) {
    case 'int': {
      if (v.kind !== 'int') {
        const hint = v.kind === 'string' && NUMBER.test(v.value) ? ' (remove the quotes)' : '';
        return err('CONFIG_WRONG_TYPE', `expects an integer, found ${show(v)}${hint}`);
      }
      const r = checkRange(spec, v.value);
      return r ? err('CONFIG_OUT_OF_RANGE', r) : done(v.value, v.value);
    }
    case 'flag': {
      if (v.kind === 'int' || (v.kind === 'string' && /^[0-9]+$/.test(v.value))) {
        const n = Number(v.value);
        if (n !== 0 && n !== 1) return err('CONFIG_OUT_OF_RANGE', `is a flag: 0 or 1, found ${show(v)}`);
        return done(n, v.value);
      }
      return err('CONFIG_WRONG_TYPE', `is a flag: 0 or 1, found ${show(v)}`);
    }
    case 'string': {
      if (v.kind !== 'string') {
        return err('CONFIG_WRONG_TYPE', `expects a quoted string, found ${show(v)}`);
      }
      if (!spec.file) return done(v.value, v.value);
      const f = checkPath(spec.file, v.value, baseDir);
      return typeof f === 'string' ? done(f, v.value) : err(f.code, f.detail);
    }
  }
}

function checkRange(spec: ParamSpec, n: number): string | undefined {
  const min = spec.min ?? INT32_MIN;
  const max = spec.max ?? INT32_MAX;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const unit = spec.unit ? ` ${spec.unit}` : '';
    return `${n}${unit} is out of range ${min}..${max}${unit}`;
  }
  return undefined;
}

type PathProblem = {
  code: 'CONFIG_FILE_MISSING' | 'CONFIG_FILE_UNUSABLE' | 'CONFIG_BAD_VALUE';
  detail: string;
};

/** The absolute path when usable; otherwise what is wrong with it. */
function checkPath(kind: 'file' | 'dir', path: string, baseDir: string): string | PathProblem {
  if (path === '')
    return { code: 'CONFIG_BAD_VALUE', detail: `empty ${kind === 'dir' ? 'directory' : 'file'} path` };
  const abs = isAbsolute(path) ? path : resolve(baseDir, path);
  const shown = abs === path ? `"${path}"` : `"${path}" (${abs}: relative to the cfg file's directory)`;
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(abs);
  } catch {
    return {
      code: 'CONFIG_FILE_MISSING',
      detail: `${kind === 'dir' ? 'directory' : 'file'} ${shown} does not exist`,
    };
  }
  if (kind === 'file' && !st.isFile())
    return { code: 'CONFIG_FILE_UNUSABLE', detail: `${shown} is not a file` };
  if (kind === 'dir' && !st.isDirectory())
    return { code: 'CONFIG_FILE_UNUSABLE', detail: `${shown} is not a directory` };
  try {
    accessSync(abs, kind === 'dir' ? constants.R_OK | constants.X_OK : constants.R_OK);
  } catch {
    return { code: 'CONFIG_FILE_UNUSABLE', detail: `${shown} is not readable` };
  }
  return abs;
}
