import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TlsDomains } from '../../src/tls/domains.js';
import { tempDir, testPki, writePair } from '../helpers/certs.js';
import { attempt, serve } from './harness.js';

async function domainsWith(extra: { name: string; value: string | number }[]) {
  const pki = await testPki();
  return TlsDomains.load([
    { name: 'certificate', value: pki.files.serverCert },
    { name: 'private_key', value: pki.files.serverKey },
    { name: 'ca_list', value: pki.files.ca },
    ...extra,
  ]);
}

test('require_cert refuses a client without a certificate and accepts one signed by ca_list', async (t) => {
  const pki = await testPki();
  const s = await serve(await domainsWith([{ name: 'require_cert', value: '1' }]));
  t.after(() => s.close());
  const without = await attempt(s.port, { ca: pki.ca.cert, servername: 'localhost' });
  assert.equal(without.ok, false);
  const withCert = await attempt(s.port, { ca: pki.ca.cert, servername: 'localhost', ...pki.client });
  assert.equal(withCert.ok, true, withCert.error);
});

test('require_cert refuses a client certificate from another CA', async (t) => {
  const pki = await testPki();
  const s = await serve(await domainsWith([{ name: 'require_cert', value: 1 }]));
  t.after(() => s.close());
  const stranger = await pki.issue({ commonName: 'stranger', selfSigned: true, usage: 'client' });
  const r = await attempt(s.port, { ca: pki.ca.cert, servername: 'localhost', ...stranger });
  assert.equal(r.ok, false);
});

test('by default a server domain asks for no certificate: a browser-like client gets in', async (t) => {
  const pki = await testPki();
  const domains = await domainsWith([]);
  assert.equal(domains.serverDomains[0]?.verifyCert, false);
  const opts = domains.serverOptions({ address: '127.0.0.1', port: 1 });
  assert.equal(opts.requestCert, false);
  const s = await serve(domains);
  t.after(() => s.close());
  assert.equal((await attempt(s.port, { ca: pki.ca.cert, servername: 'localhost' })).ok, true);
});

test('verify_cert without require_cert: no certificate is fine, a bad one is refused by checkPeer', async (t) => {
  const pki = await testPki();
  const s = await serve(await domainsWith([{ name: 'verify_cert', value: 1 }]));
  t.after(() => s.close());
  assert.equal((await attempt(s.port, { ca: pki.ca.cert, servername: 'localhost' })).ok, true);
  assert.equal((await attempt(s.port, { ca: pki.ca.cert, servername: 'localhost', ...pki.client })).ok, true);
  const stranger = await pki.issue({ commonName: 'stranger', selfSigned: true, usage: 'client' });
  const bad = await attempt(s.port, { ca: pki.ca.cert, servername: 'localhost', ...stranger });
  assert.equal(bad.ok, false);
  assert.ok(s.refusals.some((e) => (e as { code?: string }).code === 'TLS_PEER_CERT_INVALID'));
});

test('require_cert per SNI domain: enforced after the handshake for the chosen domain only', async (t) => {
  const pki = await testPki();
  const dir = tempDir();
  const open = writePair(
    dir,
    'open',
    await pki.issue({ commonName: 'open.example.com', altNames: ['open.example.com'], usage: 'server' }),
  );
  const closed = writePair(
    dir,
    'closed',
    await pki.issue({ commonName: 'closed.example.com', altNames: ['closed.example.com'], usage: 'server' }),
  );
  const domains = await TlsDomains.load([
    { name: 'server_domain', value: 'open' },
    { name: 'server_domain', value: 'closed' },
    { name: 'match_sip_domain', value: '[open]open.example.com' },
    { name: 'match_sip_domain', value: '[closed]closed.example.com' },
    { name: 'certificate', value: `[open]${open.cert}` },
    { name: 'private_key', value: `[open]${open.key}` },
    { name: 'certificate', value: `[closed]${closed.cert}` },
    { name: 'private_key', value: `[closed]${closed.key}` },
    { name: 'ca_list', value: `[closed]${pki.files.ca}` },
    { name: 'require_cert', value: '[closed]1' },
  ]);
  const opts = domains.serverOptions({ address: '127.0.0.1', port: 1 });
  // Mixed policies on one address: ask for a certificate, decide per domain after the handshake.
  assert.equal(opts.requestCert, true);
  assert.equal(opts.rejectUnauthorized, false);
  const s = await serve(domains);
  t.after(() => s.close());
  const ca = pki.ca.cert;
  assert.equal((await attempt(s.port, { ca, servername: 'open.example.com' })).ok, true);
  const refused = await attempt(s.port, { ca, servername: 'closed.example.com' });
  assert.equal(refused.ok, false);
  assert.ok(s.refusals.some((e) => (e as { code?: string }).code === 'TLS_PEER_CERT_REQUIRED'));
  const accepted = await attempt(s.port, { ca, servername: 'closed.example.com', ...pki.client });
  assert.equal(accepted.ok, true, accepted.error);
  assert.equal(accepted.serverCn, 'closed.example.com');
});

test('the CA store of the SNI-selected domain verifies the client certificate', async (t) => {
  const pki = await testPki();
  const otherCa = await pki.issue({ commonName: 'other CA', selfSigned: true, isCa: true });
  const otherClient = await pki.issue({ commonName: 'other client', issuer: otherCa, usage: 'client' });
  const dir = tempDir();
  const a = writePair(
    dir,
    'a',
    await pki.issue({ commonName: 'a.example.com', altNames: ['a.example.com'] }),
  );
  const b = writePair(
    dir,
    'b',
    await pki.issue({ commonName: 'b.example.com', altNames: ['b.example.com'] }),
  );
  const otherCaFile = writePair(dir, 'otherca', otherCa).cert;
  const domains = await TlsDomains.load([
    { name: 'server_domain', value: 'a' },
    { name: 'server_domain', value: 'b' },
    { name: 'match_sip_domain', value: '[a]a.example.com' },
    { name: 'match_sip_domain', value: '[b]b.example.com' },
    { name: 'certificate', value: `[a]${a.cert}` },
    { name: 'private_key', value: `[a]${a.key}` },
    { name: 'certificate', value: `[b]${b.cert}` },
    { name: 'private_key', value: `[b]${b.key}` },
    { name: 'ca_list', value: `[a]${pki.files.ca}` },
    { name: 'ca_list', value: `[b]${otherCaFile}` },
    { name: 'require_cert', value: '[a]1' },
    { name: 'require_cert', value: '[b]1' },
  ]);
  const s = await serve(domains);
  t.after(() => s.close());
  const ca = pki.ca.cert;
  assert.equal((await attempt(s.port, { ca, servername: 'a.example.com', ...pki.client })).ok, true);
  assert.equal((await attempt(s.port, { ca, servername: 'a.example.com', ...otherClient })).ok, false);
  assert.equal((await attempt(s.port, { ca, servername: 'b.example.com', ...otherClient })).ok, true);
  assert.equal((await attempt(s.port, { ca, servername: 'b.example.com', ...pki.client })).ok, false);
});
