/**
 * How a module describes its parameters, once, for every consumer: the cfg reader (validation with
 * file:line errors), the library options (defaults), and docs/configuration.md. Values in an
 * OpenSIPS cfg are integers or strings; a `flag` is 0/1 given as either.
 */

export type ParamType = 'int' | 'string' | 'flag';

export interface ParamSpec {
  /** Name exactly as in `modparam("module", "name", value)` or a global `name=value` line. */
  readonly name: string;
  readonly type: ParamType;
  /** Our default. `undefined`: unset (the parameter is optional and has no value). */
  readonly default: number | string | undefined;
  /** OpenSIPS's default, when ours differs; docs explain why in `differs`. */
  readonly opensipsDefault?: number | string;
  /** Why our default differs from OpenSIPS's (required when `opensipsDefault` is set). */
  readonly differs?: string;
  /** Inclusive bounds for `int`. */
  readonly min?: number;
  readonly max?: number;
  /** Unit shown in docs: 'ms', 's', 'bytes', ... */
  readonly unit?: string;
  /** May be given several times (each value kept, in order), e.g. tls_mgm `server_domain`. */
  readonly repeatable?: boolean;
  /** tls_mgm-style `"[domain]value"` syntax: the value belongs to one TLS domain. */
  readonly perDomain?: boolean;
  /** A file path that must exist and be readable at start-up. */
  readonly file?: 'file' | 'dir';
  /** Not in OpenSIPS: a sipwss addition. */
  readonly ours?: boolean;
  /** One-sentence meaning, for docs and `--help`. */
  readonly doc: string;
}

export interface ModuleSpec {
  /** Module name as in `loadmodule "NAME.so"` and `modparam("NAME", ...)`. */
  readonly name: string;
  readonly doc: string;
  readonly params: readonly ParamSpec[];
}
