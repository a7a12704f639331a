import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DigestAuthenticator } from '../../src/server/auth/authenticator.js';
import { parseDigestCredentials } from '../../src/server/auth/credentials-header.js';
import { digestResponse, ha1 } from '../../src/server/auth/digest.js';
import { NonceManager } from '../../src/server/auth/nonce.js';
import { parseUsers, UsersFileError } from '../../src/server/auth/users-file.js';

test('digest response matches the RFC 2617 §3.5 example (MD5, qop=auth)', () => {
  const r = digestResponse({
    algorithm: 'MD5',
    ha1: ha1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life'),
    method: 'GET',
    uri: '/dir/index.html',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    qop: 'auth',
    nc: '00000001',
    cnonce: '0a4f113b',
  });
  assert.equal(r, '6629fae49393a05397450978507c4ef1');
});

test('digest response matches the RFC 7616 §3.9.1 example (SHA-256)', () => {
  const r = digestResponse({
    algorithm: 'SHA-256',
    ha1: ha1('SHA-256', 'Mufasa', 'http-auth@example.org', 'Circle of Life'),
    method: 'GET',
    uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    qop: 'auth',
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  });
  assert.equal(r, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
});

test('credentials parse with quoted strings, escapes and unquoted tokens', () => {
  const c = parseDigestCredentials(
    'Digest algorithm=MD5, username="al\\"ice", realm="example.com", nonce="abc", uri="sip:example.com", ' +
      'response="0123ABCD", qop=auth, cnonce="xyz", nc=00000001, opaque=""',
  );
  assert.ok(c);
  assert.equal(c.username, 'al"ice');
  assert.equal(c.response, '0123abcd');
  assert.equal(c.qop, 'auth');
  assert.equal(c.nc, '00000001');
  assert.equal(c.opaque, '');
});

test('malformed credentials are rejected, never thrown', () => {
  for (const bad of [
    '',
    'Basic dXNlcjpwYXNz',
    'Digest',
    'Digest username="a", realm="r", nonce="n", uri="u"', // no response
    'Digest username="a, realm="r", nonce="n", uri="u", response="x"', // unterminated quote
    'Digest username="a", username="b", realm="r", nonce="n", uri="u", response="x"', // duplicate
    'Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth', // qop without nc/cnonce
    'Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, cnonce="c", nc=1',
    `Digest username="${'a'.repeat(5000)}", realm="r", nonce="n", uri="u", response="x"`,
    'Digest =x',
    'Digest a b',
  ]) {
    assert.equal(parseDigestCredentials(bad), undefined, bad);
  }
});

test('users file: username:realm:password, comments, errors name file and line', () => {
  const db = parseUsers('# users\nalice:example.com:se:cret\n\nbob:Example.com:pw\n', 'users.txt');
  assert.equal(db.size, 2);
  assert.equal(db.find('alice', 'example.com')?.password, 'se:cret');
  assert.equal(db.find('bob', 'EXAMPLE.COM')?.password, 'pw');
  assert.equal(db.find('Alice', 'example.com'), undefined);
  assert.throws(
    () => parseUsers('alice:example.com:pw\nbroken-line\n', 'users.txt'),
    (e: unknown) =>
      e instanceof UsersFileError && e.code === 'AUTH_USERS_FILE' && /users\.txt:2:/.test(e.message),
  );
  assert.throws(() => parseUsers('a:r:p\na:R:q\n', 'u'), /u:2: user a@R listed twice/);
});

function answer(
  challenge: string,
  opts: { user: string; password: string; method: string; uri: string; nc?: string },
) {
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const algorithm = /algorithm=([A-Z0-9-]+)/.exec(challenge)?.[1] === 'SHA-256' ? 'SHA-256' : 'MD5';
  const nc = opts.nc ?? '00000001';
  const response = digestResponse({
    algorithm,
    ha1: ha1(algorithm, opts.user, realm, opts.password),
    method: opts.method,
    uri: opts.uri,
    nonce,
    qop: 'auth',
    nc,
    cnonce: 'c0ffee',
  });
  return `Digest username="${opts.user}", realm="${realm}", nonce="${nonce}", uri="${opts.uri}", response="${response}", algorithm=${algorithm}, qop=auth, cnonce="c0ffee", nc=${nc}`;
}

test('authenticator: right password passes, wrong one fails, replay and forged nonces are refused', () => {
  const users = parseUsers('alice:example.com:secret\n', 'u');
  const auth = new DigestAuthenticator({ users });
  const [ch] = auth.challenge('example.com');
  assert.ok(ch);
  assert.match(ch, /^Digest realm="example.com", nonce="[A-Za-z0-9_-]+", algorithm=MD5, qop="auth"$/);
  assert.doesNotMatch(ch, /auth-int/);
  const req = { method: 'REGISTER', uri: 'sip:example.com', realm: 'example.com' };

  const good = answer(ch, { user: 'alice', password: 'secret', method: 'REGISTER', uri: 'sip:example.com' });
  assert.deepEqual(auth.verify({ ...req, headerValues: [good] }), {
    ok: true,
    username: 'alice',
    realm: 'example.com',
  });
  // Same nonce and nc again: a replay.
  assert.deepEqual(auth.verify({ ...req, headerValues: [good] }), { ok: false, reason: 'replay' });
  // Same nonce, higher nc: allowed (RFC 7616 §3.4 nonce-count).
  const next = answer(ch, {
    user: 'alice',
    password: 'secret',
    method: 'REGISTER',
    uri: 'sip:example.com',
    nc: '00000002',
  });
  assert.equal(auth.verify({ ...req, headerValues: [next] }).ok, true);

  const [ch2] = auth.challenge('example.com');
  const wrong = answer(ch2 ?? '', {
    user: 'alice',
    password: 'nope',
    method: 'REGISTER',
    uri: 'sip:example.com',
  });
  assert.deepEqual(auth.verify({ ...req, headerValues: [wrong] }), { ok: false, reason: 'bad-response' });
  const who = answer(ch2 ?? '', {
    user: 'mallory',
    password: 'x',
    method: 'REGISTER',
    uri: 'sip:example.com',
  });
  assert.deepEqual(auth.verify({ ...req, headerValues: [who] }), { ok: false, reason: 'unknown-user' });
  const otherUri = answer(ch2 ?? '', {
    user: 'alice',
    password: 'secret',
    method: 'REGISTER',
    uri: 'sip:evil.com',
  });
  assert.deepEqual(auth.verify({ ...req, headerValues: [otherUri] }), { ok: false, reason: 'uri-mismatch' });
  const forged = good.replace(/nonce="[^"]+"/, 'nonce="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"');
  assert.deepEqual(auth.verify({ ...req, headerValues: [forged] }), { ok: false, reason: 'forged-nonce' });
  assert.deepEqual(auth.verify({ ...req, headerValues: [] }), { ok: false, reason: 'missing' });
  assert.deepEqual(auth.verify({ ...req, headerValues: ['Digest garbage'] }), {
    ok: false,
    reason: 'malformed',
  });
  // Credentials for another realm are not ours to check.
  assert.deepEqual(auth.verify({ ...req, realm: 'other.org', headerValues: [good] }), {
    ok: false,
    reason: 'missing',
  });
});

test('authenticator: an expired nonce with a correct answer is stale; SHA-256 when offered', () => {
  let now = 1_000_000;
  const users = parseUsers('bob:example.com:pw\n', 'u');
  const auth = new DigestAuthenticator({
    users,
    algorithms: ['SHA-256', 'MD5'],
    nonceLifetimeMs: 30_000,
    now: () => now,
  });
  const chs = auth.challenge('example.com', true);
  assert.equal(chs.length, 2);
  assert.match(chs[0] ?? '', /algorithm=SHA-256, qop="auth", stale=true$/);
  assert.match(chs[1] ?? '', /algorithm=MD5/);
  const sha = answer(chs[0] ?? '', {
    user: 'bob',
    password: 'pw',
    method: 'INVITE',
    uri: 'sip:alice@example.com',
  });
  now += 31_000;
  const req = { method: 'INVITE', uri: 'sip:alice@example.com', realm: 'example.com', headerValues: [sha] };
  assert.deepEqual(auth.verify(req), { ok: false, reason: 'stale' });
  const [fresh] = auth.challenge('example.com');
  const ok = answer(fresh ?? '', {
    user: 'bob',
    password: 'pw',
    method: 'INVITE',
    uri: 'sip:alice@example.com',
  });
  assert.equal(auth.verify({ ...req, headerValues: [ok] }).ok, true);
});

test('authenticator refuses an algorithm it did not offer', () => {
  const auth = new DigestAuthenticator({ users: parseUsers('a:r:p\n', 'u') });
  const [ch] = auth.challenge('r');
  const sha = answer((ch ?? '').replace('MD5', 'SHA-256'), {
    user: 'a',
    password: 'p',
    method: 'M',
    uri: 'sip:r',
  });
  assert.deepEqual(auth.verify({ method: 'M', uri: 'sip:r', realm: 'r', headerValues: [sha] }), {
    ok: false,
    reason: 'algorithm',
  });
});

test('nonces from another process secret are not ours', () => {
  const a = new NonceManager({ lifetimeMs: 1000 });
  const b = new NonceManager({ lifetimeMs: 1000 });
  const n = a.issue();
  assert.equal(a.isOurs(n), true);
  assert.equal(b.isOurs(n), false);
  assert.equal(a.use(n, undefined), 'ok');
  assert.equal(a.use(n, undefined), 'replay');
});
