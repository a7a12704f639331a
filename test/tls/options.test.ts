import assert from 'node:assert/strict';
import { getDiffieHellman } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeCrl } from '../../src/tls/certificates.js';
import { dhParamsPem } from '../../src/tls/dh-params.js';
import { TlsDomains } from '../../src/tls/domains.js';
import { tempDir, testPki } from '../helpers/certs.js';
import { attempt, serve } from './harness.js';

async function base() {
  const pki = await testPki();
  return [
    { name: 'certificate', value: pki.files.serverCert },
    { name: 'private_key', value: pki.files.serverKey },
  ];
}

test('ca_dir: every CA certificate of a c_rehash-style directory is trusted (symlinks followed)', async (t) => {
  const pki = await testPki();
  const dir = tempDir();
  const cas = join(dir, 'cas');
  mkdirSync(cas);
  writeFileSync(join(cas, 'test-ca.pem'), pki.ca.cert);
  symlinkSync(join(cas, 'test-ca.pem'), join(cas, '1a2b3c4d.0'));
  writeFileSync(join(cas, 'README'), 'not a certificate\n');
  const domains = await TlsDomains.load([
    ...(await base()),
    { name: 'ca_dir', value: cas },
    { name: 'require_cert', value: 1 },
  ]);
  assert.equal(domains.serverDomains[0]?.material.options.ca?.length, 1, 'deduplicated');
  const s = await serve(domains);
  t.after(() => s.close());
  assert.equal((await attempt(s.port, { ca: pki.ca.cert, servername: 'localhost', ...pki.client })).ok, true);
});

test('crl_dir: a revoked client certificate is refused, another one from the same CA accepted', async (t) => {
  const pki = await testPki();
  const revoked = await pki.issue({ commonName: 'revoked client', usage: 'client' });
  const dir = tempDir();
  const crls = join(dir, 'crl');
  mkdirSync(crls);
  writeFileSync(join(crls, 'ca.crl.pem'), await makeCrl(pki.ca, [revoked.cert]));
  const domains = await TlsDomains.load([
    ...(await base()),
    { name: 'ca_list', value: pki.files.ca },
    { name: 'crl_dir', value: crls },
    { name: 'require_cert', value: 1 },
  ]);
  const s = await serve(domains);
  t.after(() => s.close());
  const opts = { ca: pki.ca.cert, servername: 'localhost' };
  assert.equal((await attempt(s.port, { ...opts, ...revoked })).ok, false);
  assert.equal((await attempt(s.port, { ...opts, ...pki.client })).ok, true);
});

test('dh_params enables DHE suites; ec_curve and ciphers_list reach the context', async (t) => {
  // The test certificates are ECDSA, so no DHE suite (RSA-authenticated) can be negotiated: the
  // DH parameters are checked to load; a TLS 1.2 handshake checks curve and cipher.
  const dir = tempDir();
  const modp14 = getDiffieHellman('modp14');
  const dh = join(dir, 'dh.pem');
  writeFileSync(dh, dhParamsPem(modp14.getPrime(), 2));
  const domains = await TlsDomains.load([
    ...(await base()),
    { name: 'dh_params', value: dh },
    { name: 'ec_curve', value: 'secp384r1' },
    { name: 'ciphers_list', value: 'ECDHE-ECDSA-AES256-GCM-SHA384' },
  ]);
  const o = domains.serverDomains[0]?.material.options;
  assert.ok(o?.dhparam);
  assert.equal(o?.ecdhCurve, 'secp384r1');
  const s = await serve(domains);
  t.after(() => s.close());
  const pki = await testPki();
  const r = await attempt(
    s.port,
    { ca: pki.ca.cert, servername: 'localhost', maxVersion: 'TLSv1.2' },
    { keep: true },
  );
  assert.equal(r.ok, true, r.error);
  assert.equal(r.socket?.getCipher().name, 'ECDHE-ECDSA-AES256-GCM-SHA384');
  const eph = r.socket?.getEphemeralKeyInfo();
  assert.equal(eph && 'name' in eph ? eph.name : undefined, 'secp384r1');
  r.socket?.destroy();
  // A client that only offers another curve is refused.
  assert.equal(
    (
      await attempt(s.port, {
        ca: pki.ca.cert,
        servername: 'localhost',
        maxVersion: 'TLSv1.2',
        ecdhCurve: 'prime256v1',
      })
    ).ok,
    false,
  );
});

test('a weak DH prime is refused at load', async () => {
  const dir = tempDir();
  const dh = join(dir, 'dh512.pem');
  writeFileSync(dh, dhParamsPem(Buffer.alloc(64, 0xff), 2));
  await assert.rejects(TlsDomains.load([...(await base()), { name: 'dh_params', value: dh }]), {
    code: 'TLS_BAD_PEM',
    param: 'dh_params',
    file: dh,
  });
});

test('IPv6 listener: match_ip_address [::1]:port selects the domain', async (t) => {
  const pki = await testPki();
  const probe = await serve(await TlsDomains.load(await base()), '::1');
  const port = probe.port;
  await probe.close();
  const domains = await TlsDomains.load([
    { name: 'server_domain', value: 'v6' },
    { name: 'match_ip_address', value: `[v6][::1]:${port}` },
    { name: 'certificate', value: `[v6]${pki.files.serverCert}` },
    { name: 'private_key', value: `[v6]${pki.files.serverKey}` },
  ]);
  const s = await serve(domains, '::1', port);
  t.after(() => s.close());
  const r = await attempt(s.port, { ca: pki.ca.cert, servername: 'localhost' }, { host: '::1' });
  assert.equal(r.ok, true, r.error);
});
