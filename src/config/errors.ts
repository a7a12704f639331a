/**
 * The cfg reader's error catalogue. Every problem found in a cfg file becomes a `ConfigError` with a
 * stable code, the `file:line:column` it was found at and, when one is involved, the parameter it is
 * about. The reader collects them (up to a cap) and hands back one `ConfigInvalidError` so a user fixes
 * a whole file in one go instead of one restart per mistake.
 *
 * Config errors happen before any connection exists, so they map to no protocol outcome.
 */
import { SipwssError } from '../errors.js';

/** Code → one-line meaning. docs/configuration.md renders this table; keep it the single source. */
export const CONFIG_ERROR_CODES = {
  CONFIG_FILE_UNREADABLE: 'The cfg file itself cannot be read.',
  CONFIG_SYNTAX: 'The text does not follow the cfg syntax (unterminated string or comment, misplaced token).',
  CONFIG_UNSUPPORTED:
    'Valid OpenSIPS syntax that sipwss does not implement (include_file, module name patterns, listen extras).',
  CONFIG_ROUTE_BLOCK: 'A routing block (route, onreply_route, ...): sipwss routing is built in.',
  CONFIG_UNKNOWN_GLOBAL: 'A global `name = value` line whose name sipwss does not know.',
  CONFIG_UNKNOWN_MODULE: 'loadmodule or modparam names a module sipwss does not know.',
  CONFIG_UNKNOWN_PARAM: 'modparam names a parameter the module does not have.',
  CONFIG_WRONG_TYPE: 'A string where an integer is expected, or the reverse.',
  CONFIG_OUT_OF_RANGE: 'An integer outside the parameter’s bounds, or a flag other than 0/1.',
  CONFIG_BAD_VALUE: 'A value of the right type but wrong form (bad "[domain]" prefix, empty path).',
  CONFIG_BAD_LISTEN: 'A listen/socket value that is not proto:host[:port] [as host[:port]].',
  CONFIG_FILE_MISSING: 'A file or directory parameter names a path that does not exist.',
  CONFIG_FILE_UNUSABLE: 'A file or directory parameter names a path of the wrong kind, or unreadable.',
  CONFIG_DUPLICATE: 'A parameter or module given twice where only one value can hold.',
  CONFIG_INVALID: 'The file has errors: the aggregate holding every error found.',
} as const;

export type ConfigErrorCode = keyof typeof CONFIG_ERROR_CODES;

/** Where something was written. Lines and columns are 1-based; a tab counts as one column. */
export interface Source {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export function formatSource(s: Source): string {
  return `${s.file}:${s.line}:${s.column}`;
}

export class ConfigError extends SipwssError<ConfigErrorCode> {
  readonly source: Source;
  /** `module.param`, a global's name, or `listen`; absent for pure syntax errors. */
  readonly param: string | undefined;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(code: ConfigErrorCode, source: Source, detail: string, param?: string) {
    super(code, `${formatSource(source)}: ${detail}`);
    this.name = 'ConfigError';
    this.source = source;
    this.param = param;
    this.detail = detail;
  }
}

/** Notices: what the user should know that does not stop loading. Rendered in docs/configuration.md. */
export const CONFIG_NOTICE_CODES = {
  CONFIG_ELISION_IGNORED:
    'Lines holding only "..." (elisions in the OpenSIPS docs) were skipped; one notice lists them.',
  CONFIG_GLOBAL_IGNORED: 'A global accepted for compatibility and ignored (mpath).',
  CONFIG_MODULE_BUILT_IN:
    'A loaded module whose job is built into sipwss or done by Node (registrar, tls_openssl, ...).',
  CONFIG_MODULE_IMPLICIT:
    'A built-in module used (modparam, listen, dependency) without a loadmodule line: loaded anyway.',
  CONFIG_DIRECTIVE_IGNORED: 'A #! line (Kamailio preprocessor directive), read as a comment.',
} as const;

export type ConfigNoticeCode = keyof typeof CONFIG_NOTICE_CODES;

export interface ConfigNotice {
  readonly code: ConfigNoticeCode;
  readonly source: Source;
  readonly message: string;
}

/** All errors of one file. `message` lists them one per line, ready to print. */
export class ConfigInvalidError extends SipwssError<'CONFIG_INVALID'> {
  readonly file: string;
  readonly errors: readonly ConfigError[];
  readonly notices: readonly ConfigNotice[];
  /** True when the cap was reached and later errors were not collected. */
  readonly truncated: boolean;

  constructor(
    file: string,
    errors: readonly ConfigError[],
    notices: readonly ConfigNotice[],
    truncated: boolean,
  ) {
    const n = errors.length;
    const head = `${file}: ${n} error${n === 1 ? '' : 's'}${truncated ? ` (stopped after ${n})` : ''}`;
    super('CONFIG_INVALID', [head, ...errors.map((e) => `  ${e.message}`)].join('\n'));
    this.name = 'ConfigInvalidError';
    this.file = file;
    this.errors = Object.freeze([...errors]);
    this.notices = Object.freeze([...notices]);
    this.truncated = truncated;
  }
}
