import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { TlsDomains } from '../../src/tls/domains.js';
import { testPki } from '../helpers/certs.js';
import { attempt, serve } from './harness.js';

async function serverWith(method: string) {
  const pki = await testPki();
  const domains = await TlsDomains.load([
    { name: 'certificate', value: pki.files.serverCert },
    { name: 'private_key', value: pki.files.serverKey },
    { name: 'tls_method', value: method },
  ]);
  return serve(domains);
}

describe('tls_method on real handshakes', () => {
  let ca = '';
  before(async () => {
    ca = (await testPki()).ca.cert;
  });
  const client = (min: 'TLSv1' | 'TLSv1.2' | 'TLSv1.3', max: 'TLSv1' | 'TLSv1.2' | 'TLSv1.3') => ({
    ca,
    servername: 'localhost',
    minVersion: min,
    maxVersion: max,
    // Lets the client offer TLS 1.0 on OpenSSL 3; the server's own setting is what is tested.
    ciphers: 'DEFAULT@SECLEVEL=0',
  });

  test('TLSv1_3 alone refuses a client capped at TLS 1.2 and accepts TLS 1.3', async (t) => {
    const s = await serverWith('TLSv1_3');
    t.after(() => s.close());
    const old = await attempt(s.port, client('TLSv1.2', 'TLSv1.2'));
    assert.equal(old.ok, false);
    const cur = await attempt(s.port, client('TLSv1.2', 'TLSv1.3'));
    assert.equal(cur.ok, true);
    assert.equal(cur.protocol, 'TLSv1.3');
  });

  test('TLSv1_2-TLSv1_3 accepts 1.2 and 1.3, refuses 1.0', async (t) => {
    const s = await serverWith('TLSv1_2-TLSv1_3');
    t.after(() => s.close());
    const v12 = await attempt(s.port, client('TLSv1.2', 'TLSv1.2'));
    assert.equal(v12.ok, true);
    assert.equal(v12.protocol, 'TLSv1.2');
    const v13 = await attempt(s.port, client('TLSv1.3', 'TLSv1.3'));
    assert.equal(v13.protocol, 'TLSv1.3');
    assert.equal(v13.ok, true);
    const v10 = await attempt(s.port, client('TLSv1', 'TLSv1'));
    assert.equal(v10.ok, false);
  });

  test('TLSv1_2 alone (exactly X) refuses TLS 1.3-only clients', async (t) => {
    const s = await serverWith('tlsv1_2');
    t.after(() => s.close());
    assert.equal((await attempt(s.port, client('TLSv1.3', 'TLSv1.3'))).ok, false);
    const v12 = await attempt(s.port, client('TLSv1.2', 'TLSv1.3'));
    assert.equal(v12.protocol, 'TLSv1.2');
  });

  test('"tlsv1" (the proto_wss README example) serves TLS 1.0 exactly on OpenSSL 3', async (t) => {
    const s = await serverWith('tlsv1');
    t.after(() => s.close());
    const v10 = await attempt(s.port, client('TLSv1', 'TLSv1'));
    assert.equal(v10.ok, true, v10.error);
    assert.equal(v10.protocol, 'TLSv1');
    assert.equal((await attempt(s.port, client('TLSv1.2', 'TLSv1.3'))).ok, false);
  });

  test('SSLv23 (default) serves what Node enables: 1.2 and 1.3, not 1.0', async (t) => {
    const s = await serverWith('SSLv23');
    t.after(() => s.close());
    assert.equal((await attempt(s.port, client('TLSv1.2', 'TLSv1.2'))).protocol, 'TLSv1.2');
    assert.equal((await attempt(s.port, client('TLSv1.3', 'TLSv1.3'))).protocol, 'TLSv1.3');
    assert.equal((await attempt(s.port, client('TLSv1', 'TLSv1'))).ok, false);
  });
});
