/** tm `max_transactions` and `max_transactions_per_ip`: past them, new requests get 503 with Retry-After and the process stays up. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/index.js';
import { setupFromConfig } from '../../src/server/from-config.js';
import { DEFAULT_MAX_TRANSACTIONS, DEFAULT_MAX_TRANSACTIONS_PER_IP } from '../../src/server/params.js';
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

/** A cfg with the tm module loaded and `extra` from line 4 on. */
const tmConfig = (extra: string) =>
  parseConfig(
    `listen=ws:127.0.0.1:5080\nloadmodule "proto_ws.so"\nloadmodule "tm.so"\n${extra}`,
    'tm.cfg',
    SIPWSS_REGISTRY,
  );

test('modparam("tm", "max_transactions", N) reaches the server; a negative value names file:line', async () => {
  const set = tmConfig('modparam("tm", "max_transactions", 1000)\n');
  assert.ok(set.ok);
  assert.equal((await setupFromConfig(set.value)).options.maxTransactions, 1000);
  const unset = tmConfig('');
  assert.ok(unset.ok);
  // Unset, the server applies DEFAULT_MAX_TRANSACTIONS itself (SipServer), as for any library user.
  assert.equal((await setupFromConfig(unset.value)).options.maxTransactions, undefined);
  assert.ok(DEFAULT_MAX_TRANSACTIONS >= 10_000);
  const bad = tmConfig('modparam("tm", "max_transactions", -1)\n');
  assert.ok(!bad.ok);
  assert.match(bad.error.message, /tm\.cfg:4/);
  assert.match(bad.error.message, /max_transactions/);
});

test('past max_transactions_per_ip one address gets 503, others are still relayed, and nothing is left counted', async () => {
  const warnings: string[] = [];
  const h = harness({
    maxTransactions: 0,
    maxTransactionsPerIp: 4, // each MESSAGE relayed holds two: its server transaction and its branch
    logger: { debug() {}, info() {}, warn: (_o, m) => warnings.push(m ?? '') },
  });
  const alice = await h.registered('alice', 50001);
  const bob = await h.registered('bob', 50002, { address: '10.0.0.2' });
  const carol = await h.registered('carol', 50003, { address: '10.0.0.3' });
  // Alice does not answer yet: Bob's two MESSAGEs stay in progress.
  bob.request('MESSAGE', 'alice', { body: 'one' });
  bob.request('MESSAGE', 'alice', { body: 'two' });
  const m1 = await alice.requestNamed('MESSAGE');
  const m2 = await alice.requestNamed('MESSAGE');
  assert.equal(h.core.transactionsFrom('10.0.0.2'), 4);

  const third = bob.request('MESSAGE', 'alice', { body: 'three' });
  const refused = await bob.response(503, 'MESSAGE');
  assert.equal(refused.get('retry-after'), '5');
  assert.match(refused.get('via') ?? '', new RegExp(third.branch));
  assert.equal(h.core.stats.overloadedPerIp, 1);
  assert.equal(h.core.stats.overloaded, 0, 'the table itself is not full');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /max_transactions_per_ip/);
  await assert.rejects(alice.requestNamed('MESSAGE', 50), 'a refused MESSAGE is not forwarded');

  // Another address is not held to Bob's share.
  carol.request('MESSAGE', 'alice', { body: 'from carol' });
  const mc = await alice.requestNamed('MESSAGE');
  assert.equal(mc.body.toString(), 'from carol');
  assert.equal(h.core.transactionsFrom('10.0.0.3'), 2);

  // Inside a dialog Bob has an eighth more room (here one more transaction), so his calls up can end.
  bob.request('MESSAGE', 'alice', { body: 'in dialog', toTag: 'd1' });
  const md = await alice.requestNamed('MESSAGE');
  bob.request('MESSAGE', 'alice', { body: 'in dialog 2', toTag: 'd1' });
  await bob.response(503, 'MESSAGE');
  assert.equal(h.core.stats.overloadedPerIp, 2);

  // A REGISTER from Bob's address still gets its 200.
  bob.register();
  await bob.response(200, 'REGISTER');

  // Answered, Bob's requests leave his count; the next one is relayed.
  for (const [m, tag] of [
    [m1, 'a1'],
    [m2, 'a2'],
    [md, 'a3'],
  ] as const)
    alice.answer(m, 200, 'OK', { toTag: tag });
  for (let i = 0; i < 3; i++) await bob.response(200, 'MESSAGE');
  assert.equal(h.core.transactionsFrom('10.0.0.2'), 0);
  bob.request('MESSAGE', 'alice', { body: 'four' });
  const m4 = await alice.requestNamed('MESSAGE');
  assert.equal(m4.body.toString(), 'four');
  alice.answer(m4, 200, 'OK', { toTag: 'a4' });
  alice.answer(mc, 200, 'OK', { toTag: 'a5' });
  await bob.response(200, 'MESSAGE');
  await carol.response(200, 'MESSAGE');
  assert.equal(h.core.transactionsFrom('10.0.0.2'), 0);
  assert.equal(h.core.transactionsFrom('10.0.0.3'), 0);
  h.core.stop();
});

test('an INVITE counts for its address until it ends; the warning of a refusal names the address', async () => {
  const logged: object[] = [];
  const h = harness({
    maxTransactionsPerIp: 2, // the INVITE and its one branch
    logger: { debug() {}, info() {}, warn: (o) => logged.push(o) },
  });
  const alice = await h.registered('alice', 50001);
  const bob = await h.registered('bob', 50002, { address: '10.0.0.2' });
  bob.request('INVITE', 'alice', { body: 'v=0' });
  const inv = await alice.requestNamed('INVITE');
  assert.equal(h.core.transactionsFrom('10.0.0.2'), 2);
  bob.request('INVITE', 'alice', { body: 'v=0' });
  await bob.response(503, 'INVITE');
  assert.deepEqual((logged[0] as { source?: string; maxTransactionsPerIp?: number }).source, '10.0.0.2');
  alice.answer(inv, 486, 'Busy Here', { toTag: 'b1' });
  await bob.response(486, 'INVITE');
  // The INVITE server transaction ends after its linger (Bob sends no ACK here): then it no longer counts.
  for (let i = 0; i < 200 && h.core.transactionsFrom('10.0.0.2') > 0; i++)
    await new Promise((r) => setTimeout(r, 5));
  assert.equal(h.core.transactionsFrom('10.0.0.2'), 0);
  h.core.stop();
});

test('modparam("tm", "max_transactions_per_ip", N) reaches the server; a negative value names file:line', async () => {
  const set = tmConfig('modparam("tm", "max_transactions_per_ip", 300)\n');
  assert.ok(set.ok);
  assert.equal((await setupFromConfig(set.value)).options.maxTransactionsPerIp, 300);
  const bad = tmConfig('modparam("tm", "max_transactions_per_ip", -1)\n');
  assert.ok(!bad.ok);
  assert.match(bad.error.message, /tm\.cfg:4/);
  assert.match(bad.error.message, /max_transactions_per_ip/);
  assert.ok(
    DEFAULT_MAX_TRANSACTIONS_PER_IP > 0 && DEFAULT_MAX_TRANSACTIONS_PER_IP < DEFAULT_MAX_TRANSACTIONS,
  );
});

test('max_transactions_per_ip counts the branches a request is forked to: one address cannot fill the table through bindings of its own', async () => {
  const h = harness({ maxTransactions: 20, maxTransactionsPerIp: 4 });
  const alice = await h.registered('alice', 50001);
  const carol = await h.registered('carol', 50003, { address: '10.0.0.3' });
  // Mallory, from one address, registers five bindings for her own AoR (REGISTER is never refused)
  // and sends herself MESSAGEs she never answers.
  const sinks = [];
  for (let i = 0; i < 5; i++)
    sinks.push(await h.registered('mallory', 51000 + i, { address: '10.0.0.9', instance: false }));
  const mallory = sinks[0] as (typeof sinks)[0];
  for (let i = 0; i < 10; i++) mallory.request('MESSAGE', 'mallory', { body: `x${i}` });
  for (let i = 0; i < 9; i++) await mallory.response(503, 'MESSAGE');
  // The first took 6 (itself and five branches): past her cap, the other nine were refused.
  assert.equal(h.core.transactionsFrom('10.0.0.9'), 6);
  assert.equal(h.core.stats.overloadedPerIp, 9);
  // Carol, at another address, is still relayed.
  carol.request('MESSAGE', 'alice', { body: 'hi' });
  assert.equal((await alice.requestNamed('MESSAGE')).body.toString(), 'hi');
  assert.equal(h.core.stats.overloaded, 0);
  h.core.stop();
});

test('an INVITE still routing when its caller leaves ends, and no longer counts for the address (async store)', async () => {
  const h = harness({ asyncStore: true, maxTransactionsPerIp: 2 });
  await h.registered('alice', 50001);
  const bob = await h.registered('bob', 50002, { address: '10.0.0.2' });
  bob.request('INVITE', 'alice', { body: 'v=0' });
  // Bob's tab closes before the lookup answers.
  h.port.close(bob.flow.connectionId);
  h.core.connectionClosed(bob.flow.connectionId);
  // Ended at once: nobody is left to answer, and no ACK will come.
  assert.equal(h.core.transactionsFrom('10.0.0.2'), 0);
  assert.equal(h.core.transactionCount, 0, 'the INVITE left the table');
  await new Promise((r) => setTimeout(r, 20)); // the lookup answers: nothing is forwarded
  assert.equal(h.core.transactionCount, 0);
  // Bob back from the same address: his new call is let in.
  bob.flow = h.port.open(50003, 'WSS', '10.0.0.2');
  bob.request('INVITE', 'alice', { body: 'v=0' });
  await bob.response(100, 'INVITE');
  assert.equal(h.core.stats.overloadedPerIp, 0);
  h.core.stop();
});
