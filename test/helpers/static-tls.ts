/** Trivial TLS providers built from the test PKI (the real ones, tls_mgm domains, live in src/tls/). */
import type { ClientTlsProvider, ServerTlsProvider } from '../../src/tls/provider.js';
import { testPki } from './certs.js';

export async function staticServerTls(): Promise<ServerTlsProvider & { reload(): void }> {
  const pki = await testPki();
  const listeners = new Set<() => void>();
  return {
    serverOptions: () => ({ key: pki.server.key, cert: pki.server.cert, minVersion: 'TLSv1.2' }),
    onReload(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    reload() {
      for (const fn of listeners) fn();
    },
  };
}

export async function staticClientTls(verify = true): Promise<ClientTlsProvider> {
  const pki = await testPki();
  return { clientOptions: () => ({ ca: pki.ca.cert, rejectUnauthorized: verify }) };
}
