/**
 * Issue 4's acceptance: the client acceptance suite (test/helpers/client-suite.ts: real JsSIP and
 * SIP.js in Node and in headless Chromium) against sipwss itself, the same suite that Kamailio
 * passes as the reference (reference-kamailio.test.ts). The server runs in this process, as a
 * library user would run it; a user with no binding gets 480 (sipwss knows no user list when the
 * registrar is open, and a known user who is not registered is temporarily unavailable).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadUsersFile } from '../../src/server/auth/users-file.js';
import { SipServer } from '../../src/server/server.js';
import { TlsDomains } from '../../src/tls/domains.js';
import { testPki } from '../helpers/certs.js';
import { clientAcceptanceSuite, type ServerUnderTest } from '../helpers/client-suite.js';
import { missingPeer } from '../helpers/peers.js';

const USERS = { alice: 'wonderland-4', bob: 'builder-7', carol: 'singer-2' } as const;

async function startSipwss(opts: { auth: boolean }): Promise<ServerUnderTest> {
  const pki = await testPki();
  const tls = await TlsDomains.fromPem({ cert: pki.server.cert, key: pki.server.key });
  const lines: string[] = [];
  const log = (level: string) => (obj: object, msg?: string) => {
    lines.push(
      `${level} ${msg ?? ''} ${JSON.stringify(obj, (_k, v) => (v instanceof Error ? v.message : v))}`,
    );
  };
  let auth: Parameters<typeof SipServer.start>[0]['auth'];
  if (opts.auth) {
    const dir = mkdtempSync(join(tmpdir(), 'sipwss-users-'));
    const file = join(dir, 'users');
    writeFileSync(
      file,
      Object.entries(USERS)
        .map(([u, p]) => `${u}:127.0.0.1:${p}`)
        .join('\n'),
    );
    auth = { users: loadUsersFile(file) };
  }
  const server = await SipServer.start({
    listen: ['wss:127.0.0.1:0'],
    tls,
    node: 'acceptance',
    ...(auth ? { auth } : {}),
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
  });
  return {
    url: server.urls[0] as string,
    domain: '127.0.0.1',
    ca: pki.ca.cert,
    users: opts.auth ? USERS : undefined,
    log: () => lines.join('\n'),
    stop: () => server.stop(),
  };
}

clientAcceptanceSuite({
  name: 'sipwss',
  start: startSipwss,
  skip: false,
  skipBrowser: missingPeer('chromium'),
  expect: { unknownUser: 480 },
  sessionTimerTest: true,
});
