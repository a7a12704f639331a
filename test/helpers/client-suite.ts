/**
 * The client acceptance suite: real JsSIP and SIP.js clients (Node, test/helpers/node-clients.ts) and
 * real browsers (Chromium, test/helpers/browser-phones.ts) against a WSS registrar/proxy under test.
 * Proven against Kamailio (test/interop/reference-kamailio.test.ts); the same suite runs against
 * sipwss by calling clientAcceptanceSuite() with another `start` factory:
 *
 *   clientAcceptanceSuite({ name: 'sipwss', skip: false, skipBrowser: missingPeer('chromium'), start: startSipwss });
 *
 * What `start({ auth })` must give (ServerUnderTest): a running server on 127.0.0.1 with a WSS
 * listener whose certificate is signed by `ca` (use testPki(): files.serverCert/serverKey, ca.cert),
 * acting as registrar (any SIP domain: `domain`) and stateful proxy (Record-Route, in-dialog routing
 * to WS Contacts / GRUUs), and, when `auth` is set, digest auth (MD5, qop=auth) for the users alice,
 * bob and carol with the passwords in `users`: REGISTER challenged with 401, other initial requests
 * with 407. A new server per describe() (three per run); stop() must end it.
 *
 * Tests (each bounded, 30–60 s): per library, two UAs register / MESSAGE both ways / 404 for an
 * unregistered user / unregister; a lost connection → re-REGISTER → MESSAGE reaches the new
 * connection; JsSIP ↔ SIP.js MESSAGE; with auth, a wrong or missing password fails with
 * `expect.authFailure` and the right one works (MESSAGE through a 407); in Chromium, per library and
 * across libraries, A calls B with audio both ways for 3 s and A hangs up; browsers with a wrong
 * password fail to register; a call to an unregistered user fails. With `sessionTimerTest` (or
 * SIPWSS_LONG_TESTS=1; ~55 s): a JsSIP call survives its session-timer UPDATE at 45 s.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { type BrowserPhone, callWithMedia, type PhoneLab, startPhoneLab } from './browser-phones.js';
import {
  CLIENT_LIBRARIES,
  type ClientLibrary,
  createNodeUa,
  type NodeUa,
  SipStatusError,
  stopAllNodeUas,
} from './node-clients.js';

/** A running server under test, as the harnesses need it. */
export interface ServerUnderTest {
  /** `wss://127.0.0.1:<port>/` */
  readonly url: string;
  /** The SIP domain of the users. */
  readonly domain: string;
  /** PEM CA that signed the server certificate. */
  readonly ca: string;
  /** user → password, when digest auth is on. */
  readonly users: Readonly<Record<'alice' | 'bob' | 'carol', string>> | undefined;
  /** The server's log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Final statuses that are the server's choice, not the clients'. Defaults: Kamailio's. */
export interface SuiteExpectations {
  /** A REGISTER with a wrong or no password, after the client's one retry (default 401: a new challenge). */
  readonly authFailure: number;
  /** A MESSAGE with a wrong password (default 407). */
  readonly messageAuthFailure: number;
  /** A MESSAGE or INVITE to a user with no binding (default 404). */
  readonly unknownUser: number;
}

export interface ClientSuiteOptions {
  /** Named in the describe() titles, e.g. 'Kamailio (reference)'. */
  readonly name: string;
  readonly start: (opts: { auth: boolean }) => Promise<ServerUnderTest>;
  /** missingPeer() result of what the server needs (false: nothing missing). */
  readonly skip: false | string;
  /** Also for the browser tests: e.g. `skip || missingPeer('chromium')`. */
  readonly skipBrowser: false | string;
  readonly expect?: Partial<SuiteExpectations>;
  /** Define the ~55 s session-timer call test (always with SIPWSS_LONG_TESTS=1). */
  readonly sessionTimerTest?: boolean;
}

export function clientAcceptanceSuite(o: ClientSuiteOptions): void {
  const expect: SuiteExpectations = {
    authFailure: 401,
    messageAuthFailure: 407,
    unknownUser: 404,
    ...o.expect,
  };
  const skipBrowser = o.skipBrowser;

  /** Run `fn`; on failure, add the UAs' events and the server log tail to the error. */
  async function explained(server: ServerUnderTest, uas: readonly NodeUa[], fn: () => Promise<void>) {
    try {
      await fn();
    } catch (err) {
      const detail = uas
        .map((u) => `--- ${u.user} (${u.library}) events:\n${u.events.join('\n')}`)
        .join('\n');
      if (err instanceof Error)
        err.message += `\n${detail}\n--- server log tail:\n${server.log().slice(-3000)}`;
      throw err;
    }
  }

  describe(`${o.name} registrar without auth: Node clients`, { timeout: 90_000 }, () => {
    let server: ServerUnderTest | undefined;
    before(async () => {
      if (o.skip) return;
      server = await o.start({ auth: false });
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
        skip: o.skip,
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
          assert.equal(got.from, alice.aor);
          assert.match(got.contentType, /^text\/plain/);

          const toAlice = await bob.message('alice', 'héllo alice ✓', 'text/plain;charset=utf-8');
          assert.equal(toAlice.status, 200);
          assert.equal((await alice.nextMessage()).body, 'héllo alice ✓');

          // nobody registered as carol
          assert.equal((await alice.message('carol', 'anyone?')).status, expect.unknownUser);

          await bob.unregister();
          assert.equal(bob.isRegistered(), false);
          assert.equal((await alice.message('bob', 'gone?')).status, expect.unknownUser);
          assert.equal(bob.received.length, 1);
          await alice.unregister();
        });
      });
    }

    for (const library of CLIENT_LIBRARIES) {
      test(`${library}: after a lost connection the UA re-REGISTERs and MESSAGEs reach it on the new one`, {
        skip: o.skip,
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

    test('jssip and sipjs UAs message each other', { skip: o.skip, timeout: 30_000 }, async () => {
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

  describe(`${o.name} registrar with digest auth: Node clients`, { timeout: 90_000 }, () => {
    let server: ServerUnderTest | undefined;
    before(async () => {
      if (o.skip) return;
      server = await o.start({ auth: true });
    });
    afterEach(() => stopAllNodeUas());
    after(async () => {
      await stopAllNodeUas();
      await server?.stop();
    });

    for (const library of CLIENT_LIBRARIES) {
      test(`${library}: a wrong password fails with ${expect.authFailure}, no password too; the right one registers and sends`, {
        skip: o.skip,
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
            assert.equal(err.status, expect.authFailure);
            return true;
          });
          assert.equal(wrong.isRegistered(), false);
          await assert.rejects(
            none.register(),
            (err: unknown) => err instanceof SipStatusError && err.status === expect.authFailure,
          );

          await alice.register();
          await bob.register();
          // MESSAGE is challenged with 407 and retried with credentials by the library
          assert.equal((await alice.message('bob', 'authenticated')).status, 200);
          assert.equal((await bob.nextMessage()).body, 'authenticated');
          // a UA with the wrong password cannot send either
          assert.equal((await wrong.message('bob', 'spoof')).status, expect.messageAuthFailure);
          await alice.unregister();
        });
      });
    }
  });

  describe(`${o.name} registrar/proxy: two browsers call each other`, { timeout: 150_000 }, () => {
    let server: ServerUnderTest | undefined;
    let lab: PhoneLab | undefined;
    before(async () => {
      if (skipBrowser) return;
      server = await o.start({ auth: true });
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

    test('jssip calls sipjs and back across libraries; a wrong password and a call to an unregistered user fail', {
      skip: skipBrowser,
      timeout: 60_000,
    }, async () => {
      await withPhones(['jssip', 'sipjs'], async (a, b) => {
        assert.ok(lab && server);
        for (const library of CLIENT_LIBRARIES) {
          const carol = await lab.phone(library, server, { user: 'carol', password: 'wrong' });
          try {
            await assert.rejects(carol.register(), new RegExp(`registration failed: ${expect.authFailure}`));
            assert.equal((await carol.state()).registered, false);
          } finally {
            await carol.stop();
          }
        }
        await assert.rejects(a.call('carol'), new RegExp(`call failed: .*${expect.unknownUser}`));
        assert.equal((await a.state()).call, 'ended');
        const there = await callWithMedia(a, b, { mediaMs: 3000 });
        assert.equal(there.calleeEndedBy, 'remote');
        // and back: SIP.js calls JsSIP (whose dialog Contact may be a GRUU)
        const back = await callWithMedia(b, a, { mediaMs: 3000 });
        assert.equal(back.calleeEndedBy, 'remote');
      });
    });

    // Long (~55 s): defined only for the servers that ask for it (o.sessionTimerTest), so that
    // nothing is reported as skipped.
    const sessionTimer = o.sessionTimerTest === true || process.env.SIPWSS_LONG_TESTS === '1';
    (sessionTimer ? test : () => undefined)(
      'jssip in Chromium: a call outlives its session-timer refresh (UPDATE at 45 s), with audio throughout',
      {
        skip: skipBrowser,
        timeout: 90_000,
      },
      async () => {
        await withPhones(['jssip', 'jssip'], async (a, b) => {
          // audio checked every second for 50 s; the callee (refresher=uas) sends UPDATE at 45 s
          await callWithMedia(a, b, { mediaMs: 50_000 });
          const events = (await a.state()).events;
          assert.ok(
            events.some((e) => e.endsWith(' update received')),
            `the caller saw no UPDATE:\n${events.join('\n')}`,
          );
        });
      },
    );

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
}
