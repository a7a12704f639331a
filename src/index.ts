// The public surface of the sipwss library: nothing else is imported from outside.
export * as config from './config/index.js';
export { type Outcome, type Result, SipwssError } from './errors.js';
export type { ModuleSpec, ParamSpec } from './params.js';
export { DigestAuthenticator } from './server/auth/authenticator.js';
export { loadUsersFile, parseUsers, type UserDb } from './server/auth/users-file.js';
export type { Binding, Flow } from './server/location/binding.js';
export { MemoryLocationStore } from './server/location/memory-store.js';
export type { LocationStore, Mutation } from './server/location/store.js';
export { SIPWSS_REGISTRY } from './server/registry.js';
export { SipServer, type SipServerOptions } from './server/server.js';
export * as sip from './sip/index.js';
export { makeCertificate, makeCrl, type PemKeyPair } from './tls/certificates.js';
export { TlsDomains } from './tls/domains.js';
export { TLS_ERROR_CODES, TlsError } from './tls/errors.js';
export { TLS_MGM } from './tls/params.js';
export type { ClientTlsProvider, LocalAddress, ServerTlsProvider, TlsDestination } from './tls/provider.js';
export * from './transport/index.js';
