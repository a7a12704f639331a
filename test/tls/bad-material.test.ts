import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { SipwssError } from '../../src/errors.js';
import { TlsDomains, type TlsParam } from '../../src/tls/domains.js';
import { TlsError } from '../../src/tls/errors.js';
import { type TestPki, tempDir, testPki } from '../helpers/certs.js';

let pki: TestPki;
let dir: string;
const cfg = (line: number) => ({ file: '/etc/sipwss/sipwss.cfg', line });

function base(): TlsParam[] {
  return [
    { name: 'certificate', value: pki.files.serverCert, source: cfg(10) },
    { name: 'private_key', value: pki.files.serverKey, source: cfg(11) },
  ];
}

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Loading fails with a TlsError carrying `code`, `param`, and (when given) `file`, all in the message. */
async function fails(params: TlsParam[], code: string, param: string, file?: string, line?: number) {
  const err = await TlsDomains.load(params).then(
    () => assert.fail('load should have failed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TlsError, String(err));
  assert.ok(err instanceof SipwssError);
  assert.equal(err.code, code, err.message);
  assert.equal(err.param, param, err.message);
  assert.ok(err.message.includes(`"${param}"`), err.message);
  if (file !== undefined) {
    assert.equal(err.file, file);
    assert.ok(err.message.includes(file), err.message);
  }
  if (line !== undefined) assert.ok(err.message.includes(`sipwss.cfg:${line}`), err.message);
  return err;
}

describe('bad TLS material is a start-up error naming parameter and file', () => {
  before(async () => {
    pki = await testPki();
    dir = tempDir();
  });

  test('missing certificate file', async () => {
    const missing = join(dir, 'nope.pem');
    await fails(
      [{ name: 'certificate', value: missing, source: cfg(3) }, base()[1] as TlsParam],
      'TLS_FILE_MISSING',
      'certificate',
      missing,
      3,
    );
  });

  test('unreadable file (a directory where a file is expected)', async () => {
    const d = join(dir, 'adir');
    mkdirSync(d, { recursive: true });
    await fails(
      [base()[0] as TlsParam, { name: 'private_key', value: d }],
      'TLS_FILE_UNREADABLE',
      'private_key',
      d,
    );
  });

  test('private key that does not match the certificate', async () => {
    const other = await pki.issue({ commonName: 'other' });
    const key = write('other.key', other.key);
    const err = await fails(
      [base()[0] as TlsParam, { name: 'private_key', value: key, source: cfg(7) }],
      'TLS_KEY_MISMATCH',
      'private_key',
      key,
      7,
    );
    assert.ok(err.message.includes(pki.files.serverCert), 'names the certificate too');
  });

  test('bad PEM: certificate, damaged certificate, key, CA list', async () => {
    const junk = write('junk.pem', 'hello\n');
    await fails(
      [{ name: 'certificate', value: junk }, base()[1] as TlsParam],
      'TLS_BAD_PEM',
      'certificate',
      junk,
    );
    const damaged = write(
      'damaged.pem',
      pki.server.cert.replace(/\n([A-Za-z0-9+/]{20})/, '\n!!!!!!!!!!!!!!!!!!!!'),
    );
    await fails(
      [{ name: 'certificate', value: damaged }, base()[1] as TlsParam],
      'TLS_BAD_PEM',
      'certificate',
      damaged,
    );
    await fails(
      [base()[0] as TlsParam, { name: 'private_key', value: junk }],
      'TLS_BAD_PEM',
      'private_key',
      junk,
    );
    await fails([...base(), { name: 'ca_list', value: junk }], 'TLS_BAD_PEM', 'ca_list', junk);
  });

  test('an encrypted private key is refused: tls_mgm takes unencrypted keys', async () => {
    const encrypted = createPrivateKey(pki.server.key).export({
      format: 'pem',
      type: 'pkcs8',
      cipher: 'aes-256-cbc',
      passphrase: 'secret',
    });
    const key = write('encrypted.key', String(encrypted));
    const err = await fails(
      [base()[0] as TlsParam, { name: 'private_key', value: key }],
      'TLS_BAD_PEM',
      'private_key',
      key,
    );
    assert.match(err.message, /encrypted/);
  });

  test('one file holding certificate and key serves as both parameters', async () => {
    const both = write('both.pem', pki.server.cert + pki.server.key);
    const d = await TlsDomains.load([
      { name: 'certificate', value: both },
      { name: 'private_key', value: both },
    ]);
    assert.equal(d.serverDomains[0]?.material.cert?.subject, 'CN=localhost');
  });

  test('bad dh_params, ciphers_list, ec_curve', async () => {
    const junk = write('dh.pem', '-----BEGIN DH PARAMETERS-----\nAAAA\n-----END DH PARAMETERS-----\n');
    await fails([...base(), { name: 'dh_params', value: junk }], 'TLS_BAD_PEM', 'dh_params', junk);
    await fails(
      [...base(), { name: 'ciphers_list', value: 'NOT-A-CIPHER', source: cfg(20) }],
      'TLS_BAD_VALUE',
      'ciphers_list',
      undefined,
      20,
    );
    await fails([...base(), { name: 'ec_curve', value: 'no-such-curve' }], 'TLS_BAD_VALUE', 'ec_curve');
  });

  test('ca_dir and crl_dir: missing, empty', async () => {
    const missing = join(dir, 'no-such-dir');
    await fails([...base(), { name: 'ca_dir', value: missing }], 'TLS_FILE_MISSING', 'ca_dir', missing);
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    await fails([...base(), { name: 'ca_dir', value: empty }], 'TLS_BAD_PEM', 'ca_dir', empty);
    await fails([...base(), { name: 'crl_dir', value: empty }], 'TLS_BAD_PEM', 'crl_dir', empty);
    await fails(
      [...base(), { name: 'crl_dir', value: empty }, { name: 'crl_check_all', value: 0 }],
      'TLS_UNSUPPORTED',
      'crl_check_all',
    );
  });

  test('unknown method name or bad range', async () => {
    for (const m of ['TLSv1_1', 'tls', 'SSLv3', 'TLSv1_3-TLSv1_2', 'TLSv1--', '']) {
      await fails(
        [...base(), { name: 'tls_method', value: m, source: cfg(30) }],
        'TLS_BAD_METHOD',
        'tls_method',
        undefined,
        30,
      );
    }
  });

  test('[domain]value naming a domain never declared, and malformed [domain]', async () => {
    const err = await fails(
      [
        { name: 'server_domain', value: 'known' },
        { name: 'certificate', value: `[known]${pki.files.serverCert}` },
        { name: 'private_key', value: `[known]${pki.files.serverKey}` },
        { name: 'verify_cert', value: '[unknown]1', source: cfg(40) },
      ],
      'TLS_UNKNOWN_DOMAIN',
      'verify_cert',
      undefined,
      40,
    );
    assert.equal(err.domain, 'unknown');
    await fails(
      [{ name: 'certificate', value: `[known${pki.files.serverCert}` }],
      'TLS_BAD_VALUE',
      'certificate',
    );
    await fails(
      [{ name: 'certificate', value: `[]${pki.files.serverCert}` }],
      'TLS_BAD_VALUE',
      'certificate',
    );
  });

  test('parameter shape errors', async () => {
    await fails([{ name: 'no_such_param', value: 1 }], 'TLS_UNKNOWN_PARAM', 'no_such_param');
    await fails([...base(), { name: 'verify_cert', value: 'yes' }], 'TLS_BAD_VALUE', 'verify_cert');
    await fails(
      [...base(), { name: 'match_ip_address', value: 'example.com:5061' }],
      'TLS_BAD_VALUE',
      'match_ip_address',
    );
    await fails(
      [...base(), { name: 'match_ip_address', value: '127.0.0.1' }],
      'TLS_BAD_VALUE',
      'match_ip_address',
    );
    await fails([...base(), { name: 'match_sip_domain', value: 'a b' }], 'TLS_BAD_VALUE', 'match_sip_domain');
    await fails(
      [...base(), { name: 'verify_cert', value: 0 }, { name: 'require_cert', value: 1 }],
      'TLS_BAD_VALUE',
      'require_cert',
    );
    await fails(
      [...base(), { name: 'certificate', value: pki.files.serverCert, source: cfg(50) }],
      'TLS_DUPLICATE',
      'certificate',
      undefined,
      50,
    );
    await fails(
      [
        { name: 'server_domain', value: 'd' },
        { name: 'server_domain', value: 'd' },
      ],
      'TLS_DUPLICATE',
      'server_domain',
    );
    await fails([{ name: 'server_domain', value: 'default' }], 'TLS_BAD_VALUE', 'server_domain');
    await fails([{ name: 'server_domain', value: 'd=1.2.3.4:5061' }], 'TLS_BAD_VALUE', 'server_domain');
    await fails([{ name: 'server_domain', value: 'd' }], 'TLS_NO_CERTIFICATE', 'certificate');
    await fails([base()[0] as TlsParam], 'TLS_NO_CERTIFICATE', 'private_key');
    await fails(
      [
        { name: 'client_domain', value: 'c' },
        { name: 'require_cert', value: '[c]1' },
      ],
      'TLS_BAD_VALUE',
      'require_cert',
    );
  });

  test('relative paths resolve against baseDir and are reported resolved', async () => {
    const err = await TlsDomains.load(
      [
        { name: 'certificate', value: 'rel/cert.pem' },
        { name: 'private_key', value: 'rel/k.pem' },
      ],
      {
        baseDir: dir,
      },
    ).catch((e: unknown) => e);
    assert.ok(err instanceof TlsError);
    assert.equal(err.code, 'TLS_FILE_MISSING');
    assert.equal(err.file, join(dir, 'rel/cert.pem'));
  });
});
