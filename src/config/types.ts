/** The loaded configuration: what the server and library consume. Everything in it is frozen. */
import type { ConfigNotice, Source } from './errors.js';
import type { ListenSpec } from './listen.js';

export type { ListenSpec } from './listen.js';

export interface ParamValue {
  /**
   * The value converted by the parameter's type: int → number, flag → 0 | 1, string → string.
   * Per-domain parameters stay strings with their `[domain]` prefix (the TLS layer reads it).
   * File and directory paths are made absolute (relative ones resolved against the cfg file's
   * directory), so the path used later is the one checked here.
   */
  readonly value: number | string;
  /**
   * The value as the cfg language read it, before conversion by the parameter's type: a string
   * stays a string ("1" for a flag, a file path unresolved), an integer is its number (0x10 → 16).
   */
  readonly raw: number | string;
  /** Per-domain parameters: the `[domain]` name, or undefined when the value had no prefix. */
  readonly domain?: string | undefined;
  readonly source: Source;
}

export interface LoadedModule {
  readonly name: string;
  readonly loadedAt: Source;
  /**
   * Parameters given by modparam, in file order. One entry for an ordinary parameter; every value
   * for a repeatable one; one per domain for a per-domain one.
   */
  readonly params: ReadonlyMap<string, readonly ParamValue[]>;
}

export interface LoadedConfig {
  /** Absolute path of the cfg file. */
  readonly file: string;
  readonly listen: readonly ListenSpec[];
  /** Global `name = value` lines other than listen/socket/mpath, converted by type. Unset ones are absent. */
  readonly globals: Readonly<Record<string, number | string>>;
  /** Where each global was set. */
  readonly globalSources: Readonly<Record<string, Source>>;
  readonly modules: ReadonlyMap<string, LoadedModule>;
  readonly notices: readonly ConfigNotice[];
}
