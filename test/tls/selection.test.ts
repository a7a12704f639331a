import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { TlsDomains } from '../../src/tls/domains.js';
import { type TestPki, tempDir, testPki, writePair } from '../helpers/certs.js';
import { attempt, serve } from './harness.js';

let pki: TestPki;
const files = new Map<string, { cert: string; key: string }>();

/** A certificate whose CN is `cn` (the test reads which one the server presented). */
async function certFor(cn: string) {
  let f = files.get(cn);
  if (!f) {
    f = writePair(
      tempDir(),
      'c',
      await pki.issue({ commonName: cn, altNames: ['localhost'], usage: 'server' }),
    );
    files.set(cn, f);
  }
  return f;
}

/** server_domain lines: name → [match_ip_address, match_sip_domain]. */
async function domainsOf(spec: Record<string, [string, string]>) {
  const params: { name: string; value: string }[] = [];
  for (const [name, [ip, sip]] of Object.entries(spec)) {
    const f = await certFor(`cert-${name}`);
    params.push(
      { name: 'server_domain', value: name },
      { name: 'match_ip_address', value: `[${name}]${ip}` },
      { name: 'match_sip_domain', value: `[${name}]${sip}` },
      { name: 'certificate', value: `[${name}]${f.cert}` },
      { name: 'private_key', value: `[${name}]${f.key}` },
    );
  }
  return TlsDomains.load(params);
}

describe('server domain selection on real handshakes', () => {
  before(async () => {
    pki = await testPki();
  });
  const sni = (servername?: string) => ({
    ca: pki.ca.cert,
    checkServerIdentity: () => undefined,
    ...(servername ? { servername } : {}),
  });

  test('SNI picks the domain: the client sees that domain certificate', async (t) => {
    const s = await serve(await domainsOf({ a: ['*', 'a.example.com'], b: ['*', 'b.example.com'] }));
    t.after(() => s.close());
    assert.equal((await attempt(s.port, sni('a.example.com'))).serverCn, 'cert-a');
    assert.equal((await attempt(s.port, sni('B.Example.COM'))).serverCn, 'cert-b');
  });

  test('wildcards and most-specific matching; none for clients without SNI', async (t) => {
    const s = await serve(
      await domainsOf({
        any: ['*', '*'],
        wild: ['*', '*.example.com'],
        deeper: ['*', '*.sip.example.com'],
        exact: ['*', 'ws.sip.example.com'],
        nosni: ['*', 'none'],
      }),
    );
    t.after(() => s.close());
    assert.equal((await attempt(s.port, sni('x.example.com'))).serverCn, 'cert-wild');
    assert.equal((await attempt(s.port, sni('x.sip.example.com'))).serverCn, 'cert-deeper');
    assert.equal((await attempt(s.port, sni('ws.sip.example.com'))).serverCn, 'cert-exact');
    assert.equal((await attempt(s.port, sni('other.org'))).serverCn, 'cert-any');
    assert.equal((await attempt(s.port, sni())).serverCn, 'cert-nosni');
  });

  test('an SNI name no domain matches is refused cleanly, and the server keeps serving', async (t) => {
    const s = await serve(await domainsOf({ a: ['*', 'a.example.com'], b: ['*', '*.b.example.com'] }));
    t.after(() => s.close());
    const r = await attempt(s.port, sni('c.example.com'));
    assert.equal(r.ok, false);
    assert.ok(s.refusals.some((e) => (e as { code?: string }).code === 'TLS_NO_SNI_DOMAIN'));
    // No domain for clients without SNI either: refused in the handshake.
    assert.equal((await attempt(s.port, sni())).ok, false);
    assert.equal((await attempt(s.port, sni('x.b.example.com'))).serverCn, 'cert-b');
  });

  test('match_ip_address chooses by listener address: exact IP:port beats *', async (t) => {
    const probe = await serve(await domainsOf({ p: ['*', '*'] }));
    const port = probe.port;
    await probe.close();
    const domains = await domainsOf({
      fallback: ['*', '*'],
      pinned: [`127.0.0.1:${port}`, '*'],
      other: ['127.0.0.1:9', '*'],
    });
    const s = await serve(domains, '127.0.0.1', port);
    t.after(() => s.close());
    assert.equal((await attempt(s.port, sni('any.example.com'))).serverCn, 'cert-pinned');
    // Another listener address falls back to the `*` domains.
    const s2 = await serve(domains);
    t.after(() => s2.close());
    assert.equal((await attempt(s2.port, sni('any.example.com'))).serverCn, 'cert-fallback');
  });

  test('a listener whose address selects no domain is a start-up error', async () => {
    const domains = await domainsOf({ only: ['10.1.1.1:5061', '*'] });
    assert.throws(() => domains.serverOptions({ address: '127.0.0.1', port: 5061 }), {
      code: 'TLS_NO_SERVER_DOMAIN',
    });
  });
});
