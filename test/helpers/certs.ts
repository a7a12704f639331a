/**
 * Test certificates, made once per test process: a CA, a server certificate for localhost /
 * 127.0.0.1 / ::1 signed by it, and a client certificate. Written to a temporary directory too,
 * for tests that load tls_mgm-style file paths.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CertificateOptions, makeCertificate, type PemKeyPair } from '../../src/tls/certificates.js';

export interface TestPki {
  readonly ca: PemKeyPair;
  readonly server: PemKeyPair;
  readonly client: PemKeyPair;
  readonly dir: string;
  /** Paths of the PEM files in `dir`: ca.pem, server.pem, server.key, client.pem, client.key */
  readonly files: {
    readonly ca: string;
    readonly serverCert: string;
    readonly serverKey: string;
    readonly clientCert: string;
    readonly clientKey: string;
  };
  /** Make another certificate signed by this CA (or self-signed with `selfSigned`). */
  issue(opts: CertificateOptions & { selfSigned?: boolean }): Promise<PemKeyPair>;
}

/** Writes `pair` as `<name>.pem` and `<name>.key` in `dir`; returns both paths. */
export function writePair(dir: string, name: string, pair: PemKeyPair): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  writeFileSync(cert, pair.cert);
  writeFileSync(key, pair.key);
  return { cert, key };
}

/** A fresh temporary directory for one test's files. */
export function tempDir(prefix = 'sipwss-tls-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let cached: Promise<TestPki> | undefined;

export function testPki(): Promise<TestPki> {
  cached ??= (async () => {
    const ca = await makeCertificate({ commonName: 'sipwss test CA', isCa: true });
    const server = await makeCertificate({
      commonName: 'localhost',
      altNames: ['localhost', '127.0.0.1', '::1'],
      issuer: ca,
      usage: 'server',
    });
    const client = await makeCertificate({ commonName: 'sipwss test client', issuer: ca, usage: 'client' });
    const dir = mkdtempSync(join(tmpdir(), 'sipwss-pki-'));
    const files = {
      ca: join(dir, 'ca.pem'),
      serverCert: join(dir, 'server.pem'),
      serverKey: join(dir, 'server.key'),
      clientCert: join(dir, 'client.pem'),
      clientKey: join(dir, 'client.key'),
    };
    writeFileSync(files.ca, ca.cert);
    writeFileSync(files.serverCert, server.cert);
    writeFileSync(files.serverKey, server.key);
    writeFileSync(files.clientCert, client.cert);
    writeFileSync(files.clientKey, client.key);
    return {
      ca,
      server,
      client,
      dir,
      files,
      issue: (opts) => makeCertificate(opts.selfSigned ? opts : { issuer: ca, ...opts }),
    };
  })();
  return cached;
}
