/**
 * The embedded default configuration (`sipwss` with no --config): WSS on 127.0.0.1:8443 with a
 * self-signed certificate made on first run and kept in a data directory, and an open registrar
 * (safe on loopback only). Written as cfg text and read by the same reader as any config file,
 * so what it does is exactly what the printed text says.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate } from '../tls/certificates.js';

/** Where the default configuration keeps its certificate: $SIPWSS_DATA_DIR, else XDG data home. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SIPWSS_DATA_DIR) return env.SIPWSS_DATA_DIR;
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'sipwss');
}

export interface DefaultConfig {
  readonly text: string;
  readonly dir: string;
  readonly certFile: string;
  readonly madeCertificate: boolean;
}

export async function defaultConfig(dir: string, listen = 'wss:127.0.0.1:8443'): Promise<DefaultConfig> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  let made = false;
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const pair = await makeCertificate({
      commonName: 'localhost',
      altNames: ['localhost', '127.0.0.1', '::1'],
      days: 825,
      usage: 'server',
    });
    writeFileSync(keyFile, pair.key, { mode: 0o600 });
    writeFileSync(certFile, pair.cert);
    made = true;
  } else {
    readFileSync(certFile); // readable, or the reader's error names it
  }
  const text = `# sipwss embedded default configuration
listen=${listen}
loadmodule "tls_mgm.so"
loadmodule "proto_wss.so"
modparam("tls_mgm", "certificate", "${certFile}")
modparam("tls_mgm", "private_key", "${keyFile}")
# No modparam("auth", "users_file", ...): the registrar is open, which is only allowed on loopback.
`;
  return { text, dir, certFile, madeCertificate: made };
}
