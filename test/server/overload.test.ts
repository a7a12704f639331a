/** tm `max_transactions`: past it, new requests get 503 with Retry-After and the process stays up. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/index.js';
import { setupFromConfig } from '../../src/server/from-config.js';
import { DEFAULT_MAX_TRANSACTIONS } from '../../src/server/params.js';
import { SIPWSS_REGISTRY } from '../../src/server/registry.js';
import { harness } from './core-harness.js';

test('past max_transactions in progress a MESSAGE gets 503 Retry-After; REGISTER still works; room again once one ends', async () => {
  const warnings: string[] = [];
  const h = harness({
    maxTransactions: 4, // each MESSAGE relayed holds two: its server and its client transaction
    logger: { debug() {}, info() {}, warn: (_o, m) => warnings.push(m ?? '') },
  });
  const alice = await h.registered('alice', 50001);
  const bob = await h.registered('bob', 50002);
  // Alice does not answer yet: two MESSAGEs stay in progress.
  bob.request('MESSAGE', 'alice', { body: 'one' });
  bob.request('MESSAGE', 'alice', { body: 'two' });
  const m1 = await alice.requestNamed('MESSAGE');
  const m2 = await alice.requestNamed('MESSAGE');

  const third = bob.request('MESSAGE', 'alice', { body: 'three' });
  const refused = await bob.response(503, 'MESSAGE');
  assert.equal(refused.get('retry-after'), '5');
  assert.match(refused.get('via') ?? '', new RegExp(third.branch));
  assert.equal(h.core.stats.overloaded, 1);
  bob.request('MESSAGE', 'alice', { body: 'four' });
  await bob.response(503, 'MESSAGE');
  assert.equal(h.core.stats.overloaded, 2);
  assert.equal(warnings.length, 1, 'one warning per 10 s, however many are refused');
  assert.match(warnings[0] ?? '', /max_transactions/);
  await assert.rejects(alice.requestNamed('MESSAGE', 50), 'a refused MESSAGE is not forwarded');

  // Inside a dialog (a To tag) a request has an eighth more room (here up to 5 in progress), so calls up can end.
  bob.request('MESSAGE', 'alice', { body: 'in dialog', toTag: 'd1' });
  assert.equal((await alice.requestNamed('MESSAGE')).body.toString(), 'in dialog');
  bob.request('MESSAGE', 'alice', { body: 'in dialog 2', toTag: 'd1' });
  await bob.response(503, 'MESSAGE');
  assert.equal(h.core.stats.overloaded, 3);

  // A REGISTER holds nothing once answered: it is never refused.
  const carol = h.ua('carol', 50003);
  carol.register();
  await carol.response(200, 'REGISTER');

  // Two of the three end: the next MESSAGE is relayed again.
  alice.answer(m1, 200, 'OK', { toTag: 'a1' });
  alice.answer(m2, 200, 'OK', { toTag: 'a2' });
  await bob.response(200, 'MESSAGE');
  await bob.response(200, 'MESSAGE');
  bob.request('MESSAGE', 'alice', { body: 'five' });
  const five = await alice.requestNamed('MESSAGE');
  assert.equal(five.body.toString(), 'five');
  h.core.stop();
});

test('a REGISTER relayed to another server is held to max_transactions like any request', async () => {
  const h = harness({ maxTransactions: 2 });
  const server = h.port.open(9443, 'WS');
  h.port.servers.set('10.255.0.1:9443', server.connectionId);
  const serverInbox = () => h.port.conns.get(server.connectionId)?.inbox ?? [];
  const alice = h.ua('alice', 50001);
  // The remote registrar never answers: the first REGISTER stays in progress (two transactions).
  alice.request('REGISTER', 'alice', { ruri: 'sip:10.255.0.1:9443;transport=ws' });
  for (let i = 0; i < 200 && serverInbox().length === 0; i++) await new Promise((r) => setTimeout(r, 2));
  assert.equal(serverInbox().length, 1);
  alice.request('REGISTER', 'alice', { ruri: 'sip:10.255.0.1:9443;transport=ws' });
  const refused = await alice.response(503, 'REGISTER');
  assert.equal(refused.get('retry-after'), '5');
  assert.equal(serverInbox().length, 1, 'the second was not relayed');
  assert.equal(h.core.stats.overloaded, 1);
  // A REGISTER for our own registrar still gets its 200.
  alice.register();
  await alice.response(200, 'REGISTER');
  h.core.stop();
});

test('max_transactions 0 means no limit', async () => {
  const h = harness({ maxTransactions: 0 });
  const alice = await h.registered('alice', 50001);
  const bob = await h.registered('bob', 50002);
  for (let i = 0; i < 5; i++) bob.request('MESSAGE', 'alice', { body: `m${i}` });
  for (let i = 0; i < 5; i++) await alice.requestNamed('MESSAGE');
  assert.equal(h.core.stats.overloaded, 0);
  h.core.stop();
});

test('modparam("tm", "max_transactions", N) reaches the server; a negative value names file:line', async () => {
  const cfg = (extra: string) =>
    parseConfig(
      `listen=ws:127.0.0.1:5080\nloadmodule "proto_ws.so"\nloadmodule "tm.so"\n${extra}`,
      'tm.cfg',
      SIPWSS_REGISTRY,
    );
  const set = cfg('modparam("tm", "max_transactions", 1000)\n');
  assert.ok(set.ok);
  assert.equal((await setupFromConfig(set.value)).options.maxTransactions, 1000);
  const unset = cfg('');
  assert.ok(unset.ok);
  // Unset, the server applies DEFAULT_MAX_TRANSACTIONS itself (SipServer), as for any library user.
  assert.equal((await setupFromConfig(unset.value)).options.maxTransactions, undefined);
  assert.ok(DEFAULT_MAX_TRANSACTIONS >= 10_000);
  const bad = cfg('modparam("tm", "max_transactions", -1)\n');
  assert.ok(!bad.ok);
  assert.match(bad.error.message, /tm\.cfg:4/);
  assert.match(bad.error.message, /max_transactions/);
});
