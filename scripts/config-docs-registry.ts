/**
 * The registry docs/configuration.md is generated from, and checked against by
 * test/config/docs.test.ts. Until the module tables are merged it is the test registry, which mirrors
 * them; to switch, import the real tables here, set PROVISIONAL to false, and run
 * `node --import tsx scripts/gen-config-docs.ts`.
 */
import type { ConfigRegistry } from '../src/config/index.js';
import { TEST_REGISTRY } from '../test/config/specs.js';

export const DOCS_REGISTRY: ConfigRegistry = TEST_REGISTRY;
// import { CORE_TCP, PROTO_WS, PROTO_WSS } from '../src/transport/params.js';
// import { TLS_MGM } from '../src/tls/params.js';
// export const DOCS_REGISTRY: ConfigRegistry = { core: [CORE_TCP], modules: [PROTO_WS, PROTO_WSS, TLS_MGM] };

/** True while DOCS_REGISTRY is the test mirror: the generated page says so. */
export const PROVISIONAL = true;
