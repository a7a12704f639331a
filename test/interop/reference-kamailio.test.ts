/**
 * The real-client harnesses (test/helpers/node-clients.ts, test/helpers/browser-phones.ts) proven
 * against a reference WSS registrar/proxy: Kamailio 5.6 (routing 'registrar').
 *
 * The server under test is a small factory, startReferenceServer({ auth }) → ServerUnderTest
 * ({ url, domain, ca, users, log(), stop() }). To run the same tests against sipwss, copy this file and
 * swap the factory: start sipwss on a free 127.0.0.1 port with a WSS listener using the test PKI
 * (testPki().files.serverCert/serverKey; clients trust testPki().ca.cert), as registrar + proxy, with
 * digest auth (MD5, qop=auth) for alice/bob/carol when `auth` is set; `domain` is the SIP domain it
 * serves. Expectations that are Kamailio's choices, not the clients': wrong/no password → 401 (a new
 * challenge), MESSAGE without credentials → 407, unknown user → 404.
 *
 * Budget: the Node tests take 0.2–2.5 s each (JsSIP's ua.stop() waits 2 s for its un-REGISTER
 * transaction), the browser calls 5–8 s each; every test is bounded (30–60 s).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { type BrowserPhone, callWithMedia, type PhoneLab, startPhoneLab } from '../helpers/browser-phones.js';
import { testPki } from '../helpers/certs.js';
import { KAMAILIO_TEST_USERS, startKamailio } from '../helpers/kamailio.js';
import {
  CLIENT_LIBRARIES,
  type ClientLibrary,
  createNodeUa,
  type NodeUa,
  SipStatusError,
  stopAllNodeUas,
} from '../helpers/node-clients.js';
import { missingPeer } from '../helpers/peers.js';

const skipKamailio = missingPeer('kamailio');
const skipBrowser = skipKamailio || missingPeer('chromium');

/** A running server under test, as the harnesses need it. */
interface ServerUnderTest {
  /** `wss://127.0.0.1:<port>/` */
  readonly url: string;
  /** The SIP domain of the users. */
  readonly domain: string;
  /** PEM CA that signed the server certificate. */
  readonly ca: string;
  /** user → password, when digest auth is on. */
  readonly users: Readonly<Record<string, string>> | undefined;
  /** The server's log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

async function startReferenceServer(opts: { auth: boolean }): Promise<ServerUnderTest> {
  const pki = await testPki();
  const kam = await startKamailio({
    certFile: pki.files.serverCert,
    keyFile: pki.files.serverKey,
    routing: 'registrar',
    auth: opts.auth,
  });
  return {
    url: kam.url,
    domain: '127.0.0.1',
    ca: pki.ca.cert,
    users: opts.auth ? KAMAILIO_TEST_USERS : undefined,
    log: () => kam.log(),
    stop: () => kam.stop(),
  };
}

/** Run `fn`; on failure, add the UAs' events and the server log tail to the error. */
async function explained(server: ServerUnderTest, uas: readonly NodeUa[], fn: () => Promise<void>) {
  try {
    await fn();
  } catch (err) {
    const detail = uas.map((u) => `--- ${u.user} (${u.library}) events:\n${u.events.join('\n')}`).join('\n');
    if (err instanceof Error)
      err.message += `\n${detail}\n--- server log tail:\n${server.log().slice(-3000)}`;
    throw err;
  }
}

describe('reference registrar without auth (Kamailio): Node clients', { timeout: 90_000 }, () => {
  let server: ServerUnderTest | undefined;
  before(async () => {
    if (skipKamailio) return;
    server = await startReferenceServer({ auth: false });
  });
  afterEach(() => stopAllNodeUas());
  after(async () => {
    await stopAllNodeUas();
    await server?.stop();
  });

  const ua = (library: ClientLibrary, user: string) => {
    assert.ok(server);
    return createNodeUa({ library, user, server });
  };

  for (const library of CLIENT_LIBRARIES) {
    test(`${library}: two UAs register, exchange MESSAGEs, unregister`, {
      skip: skipKamailio,
      timeout: 30_000,
    }, async () => {
      assert.ok(server);
      const alice = ua(library, 'alice');
      const bob = ua(library, 'bob');
      await explained(server, [alice, bob], async () => {
        await alice.register();
        await bob.register();
        assert.ok(alice.isRegistered() && bob.isRegistered());

        const toBob = await alice.message('bob', `hello bob from ${library}`);
        assert.equal(toBob.status, 200);
        const got = await bob.nextMessage((m) => m.body === `hello bob from ${library}`);
        assert.equal(got.from, 'sip:alice@127.0.0.1');
        assert.match(got.contentType, /^text\/plain/);

        const toAlice = await bob.message('alice', 'héllo alice ✓', 'text/plain;charset=utf-8');
        assert.equal(toAlice.status, 200);
        assert.equal((await alice.nextMessage()).body, 'héllo alice ✓');

        // nobody registered as carol
        assert.equal((await alice.message('carol', 'anyone?')).status, 404);

        await bob.unregister();
        assert.equal(bob.isRegistered(), false);
        assert.equal((await alice.message('bob', 'gone?')).status, 404);
        assert.equal(bob.received.length, 1);
        await alice.unregister();
      });
    });
  }

  for (const library of CLIENT_LIBRARIES) {
    test(`${library}: after a lost connection the UA re-REGISTERs and MESSAGEs reach it on the new one`, {
      skip: skipKamailio,
      timeout: 30_000,
    }, async () => {
      assert.ok(server);
      const alice = ua(library, 'alice');
      const bob = ua('sipjs', 'bob');
      await explained(server, [alice, bob], async () => {
        await Promise.all([alice.register(), bob.register()]);
        assert.equal(alice.connections(), 1);
        alice.dropConnection();
        await alice.recover();
        assert.equal(alice.connections(), 2);
        // the binding now points at the new connection
        assert.equal((await bob.message('alice', 'still there?')).status, 200);
        assert.equal((await alice.nextMessage()).body, 'still there?');
      });
    });
  }

  test('jssip and sipjs UAs message each other', { skip: skipKamailio, timeout: 30_000 }, async () => {
    assert.ok(server);
    const alice = ua('jssip', 'alice');
    const bob = ua('sipjs', 'bob');
    await explained(server, [alice, bob], async () => {
      await Promise.all([alice.register(), bob.register()]);
      assert.equal((await alice.message('bob', 'from jssip')).status, 200);
      assert.equal((await bob.nextMessage()).body, 'from jssip');
      assert.equal((await bob.message('alice', 'from sipjs')).status, 200);
      assert.equal((await alice.nextMessage()).body, 'from sipjs');
    });
  });
});

describe('reference registrar with digest auth (Kamailio): Node clients', { timeout: 90_000 }, () => {
  let server: ServerUnderTest | undefined;
  before(async () => {
    if (skipKamailio) return;
    server = await startReferenceServer({ auth: true });
  });
  afterEach(() => stopAllNodeUas());
  after(async () => {
    await stopAllNodeUas();
    await server?.stop();
  });

  for (const library of CLIENT_LIBRARIES) {
    test(`${library}: a wrong password fails with 401, no password too; the right one registers and sends`, {
      skip: skipKamailio,
      timeout: 30_000,
    }, async () => {
      assert.ok(server?.users);
      const { users } = server;
      const wrong = createNodeUa({ library, user: 'alice', password: 'not-the-password', server });
      const none = createNodeUa({ library, user: 'carol', server });
      const alice = createNodeUa({ library, user: 'alice', password: users.alice, server });
      const bob = createNodeUa({ library, user: 'bob', password: users.bob, server });
      await explained(server, [wrong, none, alice, bob], async () => {
        await assert.rejects(wrong.register(), (err: unknown) => {
          assert.ok(err instanceof SipStatusError, String(err));
          assert.equal(err.status, 401);
          return true;
        });
        assert.equal(wrong.isRegistered(), false);
        await assert.rejects(
          none.register(),
          (err: unknown) => err instanceof SipStatusError && err.status === 401,
        );

        await alice.register();
        await bob.register();
        // MESSAGE is challenged with 407 and retried with credentials by the library
        assert.equal((await alice.message('bob', 'authenticated')).status, 200);
        assert.equal((await bob.nextMessage()).body, 'authenticated');
        // a UA with the wrong password cannot send either
        assert.equal((await wrong.message('bob', 'spoof')).status, 407);
        await alice.unregister();
      });
    });
  }
});

describe('reference registrar/proxy (Kamailio): two browsers call each other', { timeout: 150_000 }, () => {
  let server: ServerUnderTest | undefined;
  let lab: PhoneLab | undefined;
  before(async () => {
    if (skipBrowser) return;
    server = await startReferenceServer({ auth: true });
    lab = await startPhoneLab();
  });
  after(async () => {
    await lab?.close();
    await server?.stop();
  });

  /** Run `fn` with two phones; on failure, add their events, the browser console and the server log. */
  const withPhones = async (
    libraries: readonly [ClientLibrary, ClientLibrary],
    fn: (a: BrowserPhone, b: BrowserPhone) => Promise<void>,
  ) => {
    assert.ok(server?.users && lab);
    const phones: BrowserPhone[] = [];
    try {
      const a = await lab.phone(libraries[0], server, { user: 'alice', password: server.users.alice });
      phones.push(a);
      const b = await lab.phone(libraries[1], server, { user: 'bob', password: server.users.bob });
      phones.push(b);
      await Promise.all([a.register(), b.register()]);
      await fn(a, b);
    } catch (err) {
      if (err instanceof Error) {
        err.message += `\n${await lab.diagnostics()}\n--- server log tail:\n${server.log().slice(-3000)}`;
      }
      throw err;
    } finally {
      await Promise.all(phones.map((p) => p.stop()));
    }
  };

  test('jssip calls sipjs across libraries; a wrong password and a call to an unregistered user fail', {
    skip: skipBrowser,
    timeout: 60_000,
  }, async () => {
    await withPhones(['jssip', 'sipjs'], async (a, b) => {
      assert.ok(lab && server);
      for (const library of CLIENT_LIBRARIES) {
        const carol = await lab.phone(library, server, { user: 'carol', password: 'wrong' });
        try {
          await assert.rejects(carol.register(), /registration failed: 401/);
          assert.equal((await carol.state()).registered, false);
        } finally {
          await carol.stop();
        }
      }
      await assert.rejects(a.call('carol'), /call failed: .*(404|Not Found)/);
      assert.equal((await a.state()).call, 'ended');
      const report = await callWithMedia(a, b, { mediaMs: 3000 });
      assert.equal(report.calleeEndedBy, 'remote');
    });
  });

  for (const library of CLIENT_LIBRARIES) {
    test(`${library} in Chromium: A calls B, audio flows both ways for 3 s, A hangs up`, {
      skip: skipBrowser,
      timeout: 60_000,
    }, async () => {
      await withPhones([library, library], async (a, b) => {
        const report = await callWithMedia(a, b, { mediaMs: 3000 });
        const last = report.samples.at(-1);
        assert.ok(last);
        // Opus at 20 ms is ~50 packets/s: well over 100 after 3 s
        assert.ok(last[0].packetsReceived > 100 && last[1].packetsReceived > 100, JSON.stringify(last));
        assert.equal(report.calleeEndedBy, 'remote');
        assert.equal(report.callerEndedBy, 'local');
      });
    });
  }
});
