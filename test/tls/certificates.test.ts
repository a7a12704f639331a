import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import tls from 'node:tls';
import { testPki } from '../helpers/certs.js';

test('a CA-signed server certificate and a client certificate pass mutual TLS verification', async () => {
  const pki = await testPki();
  const server = tls.createServer({
    ...pki.server,
    ca: pki.ca.cert,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const subjects: string[] = [];
  server.on('secureConnection', (s) => {
    subjects.push(String(s.getPeerCertificate().subject?.CN));
    s.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const c = tls.connect({ port, host: '127.0.0.1', ca: pki.ca.cert, servername: 'localhost', ...pki.client });
  await once(c, 'secureConnect');
  assert.equal(c.authorized, true);
  const [data] = await once(c, 'data');
  assert.equal(String(data), 'ok');
  c.destroy();
  server.close();
  assert.deepEqual(subjects, ['sipwss test client']);
});

test('a self-signed certificate is refused by a verifying client', async () => {
  const pki = await testPki();
  const self = await pki.issue({ commonName: 'localhost', selfSigned: true });
  const server = tls.createServer({ ...self }, (s) => s.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const c = tls.connect({ port, host: '127.0.0.1', ca: pki.ca.cert, servername: 'localhost' });
  const [err] = await once(c, 'error');
  assert.match(String((err as NodeJS.ErrnoException).code), /SELF_SIGNED|UNABLE_TO_VERIFY/);
  server.close();
});
