// The cfg reader's public surface.
export { CONFIG_CORE } from './core.js';
export {
  CONFIG_ERROR_CODES,
  CONFIG_NOTICE_CODES,
  ConfigError,
  type ConfigErrorCode,
  ConfigInvalidError,
  type ConfigNotice,
  type ConfigNoticeCode,
  formatSource,
  type Source,
} from './errors.js';
export type { HostPort, ListenProto, ListenSpec } from './listen.js';
export {
  type ConfigOptions,
  type ConfigResult,
  DEFAULT_MAX_ERRORS,
  loadConfigFile,
  MAX_CONFIG_BYTES,
  parseConfig,
} from './loader.js';
export { KNOWN_MODULES, type KnownModule, knownModule, type ModuleRole, moduleNameOf } from './modules.js';
export { type ConfigRegistry, resolveRegistry } from './registry.js';
export type { LoadedConfig, LoadedModule, ParamValue } from './types.js';
