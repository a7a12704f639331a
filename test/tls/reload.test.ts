import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { TlsDomains } from '../../src/tls/domains.js';
import { tempDir, testPki, writePair } from '../helpers/certs.js';
import { attempt, echo, serve } from './harness.js';

test('reload serves the new certificate to new connections; an open one stays up and exchanges data', async (t) => {
  const pki = await testPki();
  const dir = tempDir();
  const first = await pki.issue({ commonName: 'first', altNames: ['localhost'], usage: 'server' });
  writePair(dir, 'server', first);
  const domains = await TlsDomains.load(
    [
      { name: 'certificate', value: 'server.pem' },
      { name: 'private_key', value: 'server.key' },
    ],
    { baseDir: dir },
  );
  let reloads = 0;
  domains.onReload(() => reloads++);
  const s = await serve(domains);
  t.after(() => s.close());
  const opts = { ca: pki.ca.cert, servername: 'localhost' };

  const old = await attempt(s.port, opts, { keep: true });
  assert.equal(old.serverCn, 'first');
  t.after(() => old.socket?.destroy());

  writePair(
    dir,
    'server',
    await pki.issue({ commonName: 'second', altNames: ['localhost'], usage: 'server' }),
  );
  await domains.reload();
  assert.equal(reloads, 1);

  const fresh = await attempt(s.port, opts);
  assert.equal(fresh.ok, true);
  assert.equal(fresh.serverCn, 'second');
  // Without SNI, the listener's own context: replaced by the transport's setSecureContext call.
  const noSni = await attempt(s.port, { ca: pki.ca.cert, checkServerIdentity: () => undefined });
  assert.equal(noSni.serverCn, 'second');

  assert.ok(old.socket);
  assert.equal(await echo(old.socket, 'still here'), 'still here');
  assert.equal(old.socket.getPeerCertificate().subject?.CN, 'first');
});

test('a reload with bad material throws a typed error and keeps serving the old certificate', async (t) => {
  const pki = await testPki();
  const dir = tempDir();
  const files = writePair(dir, 'server', await pki.issue({ commonName: 'kept', altNames: ['localhost'] }));
  const domains = await TlsDomains.load([
    { name: 'certificate', value: files.cert },
    { name: 'private_key', value: files.key },
  ]);
  let reloads = 0;
  domains.onReload(() => reloads++);
  const s = await serve(domains);
  t.after(() => s.close());

  // A new certificate whose key has not been written yet: mismatch.
  const next = await pki.issue({ commonName: 'next', altNames: ['localhost'] });
  writeFileSync(files.cert, next.cert);
  await assert.rejects(domains.reload(), { code: 'TLS_KEY_MISMATCH', param: 'private_key', file: files.key });
  writeFileSync(files.cert, 'garbage');
  await assert.rejects(domains.reload(), { code: 'TLS_BAD_PEM', param: 'certificate', file: files.cert });
  assert.equal(reloads, 0);
  const r = await attempt(s.port, { ca: pki.ca.cert, servername: 'localhost' });
  assert.equal(r.serverCn, 'kept');

  // Fixed: the next reload goes through.
  writePair(dir, 'server', next);
  await domains.reload();
  assert.equal((await attempt(s.port, { ca: pki.ca.cert, servername: 'localhost' })).serverCn, 'next');
});

test('fromPem: a library user with a certificate and key; replacePem swaps it', async (t) => {
  const pki = await testPki();
  const domains = await TlsDomains.fromPem({ cert: pki.server.cert, key: pki.server.key });
  const s = await serve(domains);
  t.after(() => s.close());
  assert.equal((await attempt(s.port, { ca: pki.ca.cert, servername: 'localhost' })).serverCn, 'localhost');
  const other = await pki.issue({ commonName: 'replaced', altNames: ['localhost'] });
  await assert.rejects(domains.replacePem({ cert: other.cert, key: pki.server.key }), {
    code: 'TLS_KEY_MISMATCH',
  });
  await domains.replacePem(other);
  assert.equal((await attempt(s.port, { ca: pki.ca.cert, servername: 'localhost' })).serverCn, 'replaced');
});

test('handshakes racing a reload all complete, with the old or the new certificate', async (t) => {
  const pki = await testPki();
  const dir = tempDir();
  writePair(dir, 'server', await pki.issue({ commonName: 'before', altNames: ['localhost'] }));
  const domains = await TlsDomains.load([
    { name: 'certificate', value: `${dir}/server.pem` },
    { name: 'private_key', value: `${dir}/server.key` },
  ]);
  const s = await serve(domains);
  t.after(() => s.close());
  const opts = { ca: pki.ca.cert, servername: 'localhost' };
  writePair(dir, 'server', await pki.issue({ commonName: 'after', altNames: ['localhost'] }));
  const results = await Promise.all([
    ...Array.from({ length: 10 }, () => attempt(s.port, opts)),
    domains.reload().then(() => undefined),
    ...Array.from({ length: 10 }, () => attempt(s.port, opts)),
  ]);
  const seen = results.flatMap((r) => (r ? [r] : []));
  assert.equal(seen.length, 20);
  for (const r of seen) {
    assert.equal(r.ok, true, r.error);
    assert.ok(r.serverCn === 'before' || r.serverCn === 'after');
  }
  assert.equal((await attempt(s.port, opts)).serverCn, 'after');
});
