/**
 * Issue 4's acceptance items beyond the shared client suite, against sipwss with real clients:
 * the server drops a client's connection (JsSIP reconnects, re-registers, and a MESSAGE sent in
 * between gets 430 at once); a client cannot register someone else's address; malformed SIP during
 * a call between two other clients; the softphone page sipwss serves makes a call. (The JsSIP call
 * that outlives its session-timer UPDATE is in the client suite, acceptance-sipwss.test.ts.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import JsSIP from 'jssip';
import WebSocket from 'ws';
import { loadUsersFile } from '../../src/server/auth/users-file.js';
import { SipServer } from '../../src/server/server.js';
import { TlsDomains } from '../../src/tls/domains.js';
import { startPhoneLab } from '../helpers/browser-phones.js';
import { testPki } from '../helpers/certs.js';
import { launchChromium } from '../helpers/chromium.js';
import { createNodeUa, stopAllNodeUas, WsJsSipSocket } from '../helpers/node-clients.js';
import { missingPeer } from '../helpers/peers.js';

const DOMAIN = '127.0.0.1';
const servers: SipServer[] = [];
after(async () => {
  await stopAllNodeUas();
  for (const s of servers) await s.stop();
});

async function start(opts: { users?: Record<string, string>; softphone?: boolean } = {}) {
  const pki = await testPki();
  const tls = await TlsDomains.fromPem({ cert: pki.server.cert, key: pki.server.key });
  let auth: Parameters<typeof SipServer.start>[0]['auth'];
  if (opts.users) {
    const file = join(mkdtempSync(join(tmpdir(), 'sipwss-users-')), 'users');
    writeFileSync(
      file,
      Object.entries(opts.users)
        .map(([u, p]) => `${u}:${DOMAIN}:${p}`)
        .join('\n'),
    );
    auth = { users: loadUsersFile(file) };
  }
  const server = await SipServer.start({
    listen: ['wss:127.0.0.1:0'],
    tls,
    node: 'behaviour',
    ...(auth ? { auth } : {}),
    ...(opts.softphone ? { softphoneDir: bundleSoftphone() } : {}),
  });
  servers.push(server);
  return { server, target: { url: server.urls[0] as string, domain: DOMAIN, ca: pki.ca.cert } };
}

/** The softphone bundled from the current source (dist/ may be older than the tree under test). */
function bundleSoftphone(): string {
  const out = mkdtempSync(join(tmpdir(), 'sipwss-softphone-'));
  const root = join(import.meta.dirname, '..', '..');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-softphone.mjs'), out], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return out;
}

async function bindingConnection(server: SipServer, user: string): Promise<string | undefined> {
  const b = await server.location.lookup(`sip:${user}@${DOMAIN}`, Date.now());
  return b.find((x) => x.flowFailedAt === undefined)?.flow.connectionId;
}

async function until<T>(what: string, ms: number, f: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("sipwss closes a JsSIP client's connection: 430 at once meanwhile, then JsSIP re-registers and MESSAGEs arrive on the new connection", async () => {
  const { server, target } = await start();
  const alice = createNodeUa({ library: 'jssip', user: 'alice', server: target });
  const bob = createNodeUa({ library: 'sipjs', user: 'bob', server: target });
  await alice.register();
  await bob.register();
  const first = await bindingConnection(server, 'alice');
  assert.ok(first);
  assert.equal(server.transport.close(Number(first), 1001), true);

  const t0 = Date.now();
  const during = await bob.message('alice', 'in between');
  // RFC 5626 §5.3.1: JsSIP registered an outbound flow (+sip.instance, reg-id): 430 Flow Failed.
  assert.equal(during.status, 430);
  assert.ok(Date.now() - t0 < 1000, `answered in ${Date.now() - t0} ms`);

  const second = await until('the re-REGISTER on a new connection', 15_000, async () => {
    const c = await bindingConnection(server, 'alice');
    return c !== undefined && c !== first ? c : undefined;
  });
  assert.notEqual(second, first);
  const after = await bob.message('alice', 'after the reconnect');
  assert.equal(after.status, 200);
  assert.equal((await alice.nextMessage((m) => m.body === 'after the reconnect')).from, bob.aor);
  assert.equal(alice.connections(), 2);
});

test("with digest auth, bob's credentials cannot register alice's address (403); his own work", async () => {
  const { target } = await start({ users: { alice: 'alice-pw', bob: 'bob-pw' } });
  const socket = new WsJsSipSocket(target.url, { ca: target.ca, perMessageDeflate: false });
  const ua = new JsSIP.UA({
    sockets: [socket as unknown as JsSIP.Socket],
    uri: `sip:alice@${DOMAIN}`,
    authorization_user: 'bob',
    password: 'bob-pw',
    register: false,
  });
  try {
    const outcome = new Promise<string>((resolve) => {
      ua.on('registered', () => resolve('registered'));
      ua.on('registrationFailed', (e: { response?: { status_code?: number } }) =>
        resolve(`failed ${e.response?.status_code ?? '?'}`),
      );
    });
    ua.start();
    ua.on('connected', () => ua.register());
    assert.equal(
      await Promise.race([outcome, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]),
      'failed 403',
    );
  } finally {
    ua.stop();
    await new Promise((r) => setTimeout(r, 100));
  }
  const bob = createNodeUa({ library: 'jssip', user: 'bob', password: 'bob-pw', server: target });
  await bob.register();
  assert.ok(bob.isRegistered());
});

describe('sipwss with browsers', { skip: missingPeer('chromium') }, () => {
  test('malformed SIP from another client during a call: 400 when answerable, dropped and counted when not; the call goes on', async () => {
    const { server, target } = await start();
    const lab = await startPhoneLab();
    try {
      const a = await lab.phone('jssip', target, { user: 'alice' });
      const b = await lab.phone('jssip', target, { user: 'bob' });
      await a.register();
      await b.register();
      await Promise.all([a.call('bob'), b.answer(15_000)]);
      const before = await until('audio both ways', 10_000, async () => {
        const [sa, sb] = [await a.stats(), await b.stats()];
        return sa.packetsReceived > 0 && sb.packetsReceived > 0 ? ([sa, sb] as const) : undefined;
      });

      const pki = await testPki();
      const rogue = new WebSocket(target.url, 'sip', { ca: pki.ca.cert });
      await new Promise((r, j) => rogue.once('open', r).once('error', j));
      const replies: string[] = [];
      rogue.on('message', (d) => replies.push(String(d)));
      const malformedBefore = server.core.stats.malformed;
      const droppedBefore = server.core.stats.dropped;
      rogue.send(
        'MESSAGE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WSS r.invalid;branch=z9hG4bKbad\r\nMax-Forwards: 70\r\n' +
          'To: <sip:bob@127.0.0.1>\r\nFrom: <sip:eve@127.0.0.1>;tag=e\r\nCall-ID: bad1\r\nCSeq: x MESSAGE\r\nContent-Length: 0\r\n\r\n',
      );
      rogue.send(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x02]));
      rogue.send('INVITE sip:bob@127.0.0.1 SIP/2.0\r\nthis is not a header\r\n\r\n');
      await until('the 400', 2000, async () =>
        replies.some((r) => r.startsWith('SIP/2.0 400 ')) ? true : undefined,
      );
      assert.equal(server.core.stats.malformed - malformedBefore, 3);
      assert.equal(server.core.stats.dropped - droppedBefore, 2);
      rogue.close();

      // The call in progress is untouched: audio still flows both ways, then it ends normally.
      await new Promise((r) => setTimeout(r, 1500));
      const [sa, sb] = [await a.stats(), await b.stats()];
      assert.ok(sa.packetsReceived > before[0].packetsReceived, 'caller still receives audio');
      assert.ok(sb.packetsReceived > before[1].packetsReceived, 'callee still receives audio');
      await a.hangup();
      await b.waitForCall('ended', 10_000);
    } finally {
      await lab.close();
    }
  });

  test('the softphone page sipwss serves: two tabs register, alice calls bob, audio flows, alice hangs up', async () => {
    const { target } = await start({ softphone: true });
    const page = target.url.replace(/^wss:/, 'https:');
    const browser = await launchChromium();
    try {
      const tabs = [await browser.context.newPage(), await browser.context.newPage()];
      for (const [i, user] of ['alice', 'bob'].entries()) {
        const tab = tabs[i];
        assert.ok(tab);
        await tab.goto(page);
        await tab.fill('#user', user);
        await tab.click('#register');
        await tab.waitForFunction('window.softphone.registered === true', undefined, { timeout: 10_000 });
      }
      const [alice, bob] = tabs as [NonNullable<(typeof tabs)[0]>, NonNullable<(typeof tabs)[0]>];
      await alice.fill('#target', 'bob');
      await alice.click('#call');
      await bob.waitForFunction("window.softphone.call === 'ringing-in'", undefined, { timeout: 10_000 });
      await bob.click('#answer');
      for (const tab of tabs) {
        await tab.waitForFunction("window.softphone.call === 'in-call'", undefined, { timeout: 10_000 });
      }
      for (const tab of tabs) {
        await tab.waitForFunction('window.softphone.packetsReceived().then((n) => n > 0)', undefined, {
          timeout: 10_000,
        });
      }
      const n0 = [
        await alice.evaluate('window.softphone.packetsReceived()'),
        await bob.evaluate('window.softphone.packetsReceived()'),
      ];
      await new Promise((r) => setTimeout(r, 3000));
      const n1 = [
        await alice.evaluate('window.softphone.packetsReceived()'),
        await bob.evaluate('window.softphone.packetsReceived()'),
      ];
      assert.ok(
        Number(n1[0]) > Number(n0[0]) && Number(n1[1]) > Number(n0[1]),
        `audio both ways: ${n0} → ${n1}`,
      );
      await alice.click('#hangup');
      for (const tab of tabs) {
        await tab.waitForFunction("window.softphone.call === 'ended'", undefined, { timeout: 10_000 });
      }
    } finally {
      await browser.close();
    }
  });
});
