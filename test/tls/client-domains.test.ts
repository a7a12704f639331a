import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TlsDomains } from '../../src/tls/domains.js';
import { tempDir, testPki, writePair } from '../helpers/certs.js';
import { attempt, serve } from './harness.js';

async function serverRequiringClientCert() {
  const pki = await testPki();
  return serve(
    await TlsDomains.load([
      { name: 'certificate', value: pki.files.serverCert },
      { name: 'private_key', value: pki.files.serverKey },
      { name: 'ca_list', value: pki.files.ca },
      { name: 'require_cert', value: 1 },
    ]),
  );
}

test('a client domain presents its certificate and verifies the server against ca_list', async (t) => {
  const pki = await testPki();
  const s = await serverRequiringClientCert();
  t.after(() => s.close());
  const client = await TlsDomains.load([
    { name: 'client_domain', value: 'out' },
    { name: 'certificate', value: `[out]${pki.files.clientCert}` },
    { name: 'private_key', value: `[out]${pki.files.clientKey}` },
    { name: 'ca_list', value: `[out]${pki.files.ca}` },
  ]);
  const opts = client.clientOptions({ address: '127.0.0.1', port: s.port, hostname: 'localhost' });
  assert.equal(opts.servername, 'localhost');
  assert.equal(opts.rejectUnauthorized, true);
  const r = await attempt(s.port, opts);
  assert.equal(r.ok, true, r.error);
  assert.equal(r.serverCn, 'localhost');
});

test('client domains verify the server by default: a server from an unknown CA is refused', async (t) => {
  const pki = await testPki();
  const dir = tempDir();
  const self = writePair(dir, 'self', await pki.issue({ commonName: 'localhost', selfSigned: true }));
  const s = await serve(
    await TlsDomains.load([
      { name: 'certificate', value: self.cert },
      { name: 'private_key', value: self.key },
    ]),
  );
  t.after(() => s.close());
  const client = await TlsDomains.load([
    { name: 'client_domain', value: 'out' },
    { name: 'ca_list', value: `[out]${pki.files.ca}` },
  ]);
  const r = await attempt(
    s.port,
    client.clientOptions({ address: '127.0.0.1', port: s.port, hostname: 'localhost' }),
  );
  assert.equal(r.ok, false);
  assert.match(String(r.error), /SELF_SIGNED|UNABLE_TO_VERIFY/);
  // verify_cert 0 on the client domain: accepted.
  const lax = await TlsDomains.load([
    { name: 'client_domain', value: 'out' },
    { name: 'verify_cert', value: '[out]0' },
  ]);
  const r2 = await attempt(
    s.port,
    lax.clientOptions({ address: '127.0.0.1', port: s.port, hostname: 'localhost' }),
  );
  assert.equal(r2.ok, true, r2.error);
});

test('client domain selection by destination ip:port, then SIP domain', async () => {
  const pki = await testPki();
  const c = (name: string) => [
    { name: 'client_domain', value: name },
    { name: 'certificate', value: `[${name}]${pki.files.clientCert}` },
    { name: 'private_key', value: `[${name}]${pki.files.clientKey}` },
  ];
  const domains = await TlsDomains.load([
    ...c('anywhere'),
    ...c('pinned'),
    ...c('carrier'),
    { name: 'match_ip_address', value: '[pinned]10.0.0.1:5061, [2001:db8::1]:5061' },
    { name: 'match_sip_domain', value: '[carrier]*.carrier.net' },
  ]);
  const pick = (address: string, port: number, sipDomain?: string) =>
    domains.selectClient({ address, port, ...(sipDomain ? { sipDomain } : {}) })?.name;
  assert.equal(pick('10.0.0.1', 5061), 'pinned');
  assert.equal(pick('2001:0db8:0:0::1', 5061), 'pinned');
  assert.equal(pick('10.0.0.1', 5062), 'anywhere');
  assert.equal(pick('192.0.2.7', 443, 'SBC.Carrier.NET.'), 'carrier');
  assert.equal(pick('192.0.2.7', 443, 'example.org'), 'anywhere');
  // A literal IP is never sent as SNI (RFC 6066 §3).
  assert.equal(
    domains.clientOptions({ address: '192.0.2.7', port: 443, hostname: '192.0.2.7' }).servername,
    undefined,
  );
});

test('no client domain matches: TLS_NO_CLIENT_DOMAIN; none configured: Node defaults that verify', async () => {
  const pki = await testPki();
  const only = await TlsDomains.load([
    { name: 'client_domain', value: 'carrier' },
    { name: 'match_sip_domain', value: '[carrier]carrier.net' },
  ]);
  assert.throws(() => only.clientOptions({ address: '192.0.2.1', port: 443, sipDomain: 'other.org' }), {
    code: 'TLS_NO_CLIENT_DOMAIN',
  });
  const serverOnly = await TlsDomains.load([
    { name: 'server_domain', value: 's' },
    { name: 'certificate', value: `[s]${pki.files.serverCert}` },
    { name: 'private_key', value: `[s]${pki.files.serverKey}` },
  ]);
  const opts = serverOnly.clientOptions({ address: '192.0.2.1', port: 443, hostname: 'sip.example.com' });
  assert.equal(opts.rejectUnauthorized, true);
  assert.equal(opts.servername, 'sip.example.com');
  assert.equal(opts.secureContext, undefined);
});
