/** Every parameter table sipwss knows, for the cfg reader and docs/configuration.md. */
import type { ConfigRegistry } from '../config/index.js';
import { TLS_MGM } from '../tls/params.js';
import { CORE_TCP, PROTO_WS, PROTO_WSS } from '../transport/params.js';
import { AUTH, REGISTRAR, RR, SERVER_CORE, TM, USRLOC } from './params.js';

export const SIPWSS_REGISTRY: ConfigRegistry = Object.freeze({
  core: [CORE_TCP, SERVER_CORE],
  modules: [PROTO_WS, PROTO_WSS, TLS_MGM, REGISTRAR, USRLOC, AUTH, TM, RR],
});
