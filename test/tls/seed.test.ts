/**
 * The tls_mgm lines of the proto_wss README (shared/seed/proto_wss.txt, "Besides that, you need
 * to define the TLS parameters"), with its /certs paths replaced by real files.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TlsDomains } from '../../src/tls/domains.js';
import { tempDir, testPki } from '../helpers/certs.js';
import { attempt, serve } from './harness.js';

const SEED = `
modparam("tls_mgm", "certificate", "/certs/biloxy.com/cert.pem")
modparam("tls_mgm", "private_key", "/certs/biloxy.com/privkey.pem")
modparam("tls_mgm", "ca_list", "/certs/wellknownCAs")
modparam("tls_mgm", "tls_method", "tlsv1")
modparam("tls_mgm", "verify_cert", "1")
modparam("tls_mgm", "require_cert", "1")
`;

/** The minimal modparam reading a cfg reader does (the real one lives in src/config/). */
function modparams(text: string, file: string, root: string) {
  const out: { name: string; value: string; source: { file: string; line: number } }[] = [];
  text.split('\n').forEach((l, i) => {
    const m = /^modparam\("tls_mgm", "([^"]+)", "([^"]*)"\)$/.exec(l.trim());
    if (m)
      out.push({
        name: m[1] as string,
        value: (m[2] as string).replace(/^\/certs/, root),
        source: { file, line: i },
      });
  });
  return out;
}

test("the proto_wss README's tls_mgm example loads and serves TLS 1.0 with client certificates", async (t) => {
  const pki = await testPki();
  const root = tempDir();
  mkdirSync(join(root, 'biloxy.com'));
  copyFileSync(pki.files.serverCert, join(root, 'biloxy.com/cert.pem'));
  copyFileSync(pki.files.serverKey, join(root, 'biloxy.com/privkey.pem'));
  copyFileSync(pki.files.ca, join(root, 'wellknownCAs'));
  const params = modparams(SEED, 'opensips.cfg', root);
  assert.equal(params.length, 6);

  const domains = await TlsDomains.load(params);
  // Un-prefixed values make the implicit default server and client domains.
  assert.deepEqual(
    [...domains.serverDomains, ...domains.clientDomains].map((d) => `${d.side}:${d.name}`),
    ['server:default', 'client:default'],
  );
  const server = domains.serverDomains[0];
  assert.equal(server?.method.min, 'TLSv1');
  assert.equal(server?.method.max, 'TLSv1');
  assert.equal(server?.verifyCert, true);
  assert.equal(server?.requireCert, true);
  assert.equal(domains.clientDomains[0]?.requireCert, false, 'require_cert is a server parameter');
  assert.ok(domains.warnings.some((w) => w.includes('TLS 1.0')));
  assert.equal(domains.describe().length, 2);

  const s = await serve(domains);
  t.after(() => s.close());
  const tls10 = {
    ca: pki.ca.cert,
    servername: 'localhost',
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1',
    ciphers: 'DEFAULT@SECLEVEL=0',
  } as const;
  assert.equal((await attempt(s.port, tls10)).ok, false, 'no client certificate');
  const ok = await attempt(s.port, { ...tls10, ...pki.client });
  assert.equal(ok.ok, true, ok.error);
  assert.equal(ok.protocol, 'TLSv1');
});
