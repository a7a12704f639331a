import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDomains, splitDomainValue } from '../../src/tls/domain-params.js';
import { TlsDomains } from '../../src/tls/domains.js';
import { TLS_MGM } from '../../src/tls/params.js';

test('[domain]value splits; no prefix means the implicit default domain', () => {
  assert.deepEqual(splitDomainValue('certificate', '[dom1]/x.pem'), { name: 'dom1', value: '/x.pem' });
  assert.deepEqual(splitDomainValue('certificate', '/x.pem'), { name: undefined, value: '/x.pem' });
  assert.throws(() => splitDomainValue('certificate', '[dom1/x.pem'), { code: 'TLS_BAD_VALUE' });
  assert.throws(() => splitDomainValue('certificate', '[a b]x'), { code: 'TLS_BAD_VALUE' });
});

test('[name] lines may come before the declaration; a name declared on both sides gets both', () => {
  const d = parseDomains([
    { name: 'verify_cert', value: '[both]1' },
    { name: 'match_sip_domain', value: '[both]sip.example.com' },
    { name: 'certificate', value: '[both]/c.pem' },
    { name: 'private_key', value: '[both]/k.pem' },
    { name: 'server_domain', value: 'both' },
    { name: 'client_domain', value: 'both' },
  ]);
  assert.deepEqual(
    d.map((x) => [x.side, x.name, x.verifyCert, x.certificate?.path]),
    [
      ['server', 'both', true, '/c.pem'],
      ['client', 'both', true, '/c.pem'],
    ],
  );
});

test('un-prefixed values make default server and client domains; require_cert goes to the server one', () => {
  const d = parseDomains([
    { name: 'certificate', value: '/c.pem', source: { file: 'a.cfg', line: 3 } },
    { name: 'private_key', value: '[default]/k.pem' },
    { name: 'require_cert', value: 1 },
  ]);
  const [server, client] = d;
  assert.equal(server?.side, 'server');
  assert.equal(server?.implicit, true);
  assert.equal(server?.requireCert, true);
  assert.equal(server?.verifyCert, true, 'require_cert implies verification');
  assert.equal(client?.side, 'client');
  assert.equal(client?.requireCert, false);
  assert.equal(client?.verifyCert, true);
  assert.equal(client?.privateKey?.path, '/k.pem');
  assert.deepEqual(server?.sources.certificate, { file: 'a.cfg', line: 3 });
});

test('defaults: server domains ask for no certificate, client domains verify, SSLv23, * and *', () => {
  const [s, c] = parseDomains([
    { name: 'server_domain', value: 's' },
    { name: 'client_domain', value: 'c' },
    { name: 'certificate', value: '[s]/c.pem' },
    { name: 'private_key', value: '[s]/k.pem' },
  ]);
  assert.equal(s?.verifyCert, false);
  assert.equal(s?.requireCert, false);
  assert.equal(c?.verifyCert, true);
  assert.equal(s?.methodText, 'SSLv23');
  assert.deepEqual(s?.matchIp, [{ kind: 'any' }]);
  assert.deepEqual(s?.matchSipDomain, [{ kind: 'any' }]);
  assert.equal(c?.certificate, undefined);
  assert.equal(Object.isFrozen(s), true);
});

test('TLS_MGM describes every parameter, with OpenSIPS defaults where ours differ', () => {
  const names = TLS_MGM.params.map((p) => p.name).sort();
  assert.deepEqual(names, [
    'ca_dir',
    'ca_list',
    'certificate',
    'ciphers_list',
    'client_domain',
    'crl_check_all',
    'crl_dir',
    'dh_params',
    'ec_curve',
    'match_ip_address',
    'match_sip_domain',
    'private_key',
    'require_cert',
    'server_domain',
    'tls_method',
    'verify_cert',
  ]);
  for (const p of TLS_MGM.params) {
    assert.ok(p.doc.length > 10, p.name);
    if (p.opensipsDefault !== undefined) assert.ok(p.differs, `${p.name}: differs must say why`);
    if (!['server_domain', 'client_domain'].includes(p.name)) assert.equal(p.perDomain, true, p.name);
  }
  const req = TLS_MGM.params.find((p) => p.name === 'require_cert');
  assert.equal(req?.default, 0);
  assert.equal(req?.opensipsDefault, 1);
  assert.ok(Object.isFrozen(TLS_MGM));
});

test('no tls_mgm parameters: no domains; a listener then has none (start-up error)', async () => {
  assert.deepEqual(parseDomains([]), []);
  const empty = await TlsDomains.load([]);
  assert.throws(() => empty.serverOptions({ address: '127.0.0.1', port: 443 }), {
    code: 'TLS_NO_SERVER_DOMAIN',
  });
});
