import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digestResponse, ha1 } from '../../src/server/auth/digest.js';
import { parseUsers } from '../../src/server/auth/users-file.js';
import { harness, rand } from './core-harness.js';

test('REGISTER: 200 lists the contact with ;expires=, keeps instance/reg-id, says Require: outbound', async () => {
  const h = harness();
  const alice = h.ua('alice', 50001);
  alice.register();
  const ok = await alice.response(200, 'REGISTER');
  const contacts = ok.getAll('contact');
  assert.equal(contacts.length, 1);
  assert.match(contacts[0] ?? '', new RegExp(`^<${alice.contact.replace(/[.;]/g, '\\$&')}>;expires=600;`));
  assert.match(contacts[0] ?? '', /\+sip\.instance="<urn:uuid:alice-0000>";reg-id=1/);
  assert.equal(ok.get('require'), 'outbound');
  assert.match(ok.get('to') ?? '', /;tag=/);
  // Our response goes back with the client's Via untouched but for received (RFC 3261 §18.2.1).
  assert.match(
    ok.get('via') ?? '',
    new RegExp(`^SIP/2.0/WSS ${alice.host.replace(/\./g, '\\.')};branch=z9hG4bK\\w+;received=127.0.0.1$`),
  );
  const b = await h.store.lookup('sip:alice@127.0.0.1', Date.now());
  assert.equal(b[0]?.flow.connectionId, alice.flow.connectionId);
  h.core.stop();
});

test('REGISTER with too brief an expiry gets 423 and Min-Expires', async () => {
  const h = harness();
  const a = h.ua('alice', 50001);
  a.register({ expires: 5 });
  const r = await a.response(423);
  assert.equal(r.get('min-expires'), '60');
  h.core.stop();
});

test('MESSAGE to a registered user goes down its flow and the 200 comes back up', async () => {
  const h = harness();
  const alice = h.ua('alice', 50001);
  const bob = h.ua('bob', 50002);
  alice.register();
  await alice.response(200);
  const sent = bob.request('MESSAGE', 'alice', { body: 'hello' });
  const m = await alice.requestNamed('MESSAGE');
  // RFC 3261 §16.6: Request-URI is the binding's contact, our Via on top, Max-Forwards less one.
  assert.equal(m.requestUri, alice.contact);
  assert.equal(m.get('max-forwards'), '68');
  const vias = m.getAll('via');
  assert.equal(vias.length, 2);
  assert.match(vias[0] ?? '', /^SIP\/2\.0\/WSS 127\.0\.0\.1:8443;branch=z9hG4bK-/);
  assert.match(vias[1] ?? '', new RegExp(`branch=${sent.branch};received=127.0.0.1`));
  assert.equal(m.body.toString(), 'hello');
  assert.equal(m.get('record-route'), undefined, 'MESSAGE creates no dialog: no Record-Route');
  alice.answer(m, 200, 'OK', { toTag: 'a1' });
  const ok = await bob.response(200, 'MESSAGE');
  assert.equal(ok.getAll('via').length, 1, 'our Via is popped');
  assert.match(ok.get('via') ?? '', new RegExp(sent.branch));
  h.core.stop();
});

test('a user with no binding: 480; unknown to the users file: 404; a flow that closed: 430 at once', async () => {
  const h = harness({ knownUser: (u) => u !== 'nobody' });
  const bob = h.ua('bob', 50002);
  bob.request('MESSAGE', 'carol', { body: 'x' });
  await bob.response(480);
  bob.request('MESSAGE', 'nobody', { body: 'x' });
  await bob.response(404);
  const alice = await h.registered('alice', 50001);
  h.port.close(alice.flow.connectionId);
  h.core.connectionClosed(alice.flow.connectionId);
  const t0 = Date.now();
  bob.request('MESSAGE', 'alice', { body: 'x' });
  await bob.response(430);
  assert.ok(Date.now() - t0 < 500);
  // Re-registering from a new connection (same instance and reg-id) restores reachability.
  alice.reconnect(50003);
  alice.register();
  await alice.response(200);
  bob.request('MESSAGE', 'alice', { body: 'again' });
  const m = await alice.requestNamed('MESSAGE');
  assert.equal(m.body.toString(), 'again');
  h.core.stop();
});

test('forking: a user with two devices gets the request on both; the first 200 wins', async () => {
  const h = harness();
  const a1 = h.ua('alice', 50001);
  const a2 = h.ua('alice', 50005);
  a1.register({ instance: false });
  await a1.response(200);
  a2.register({ instance: false });
  await a2.response(200);
  const bob = h.ua('bob', 50002);
  bob.request('MESSAGE', 'alice', { body: 'fork' });
  const m1 = await a1.requestNamed('MESSAGE');
  const m2 = await a2.requestNamed('MESSAGE');
  assert.notEqual(m1.getAll('via')[0], m2.getAll('via')[0], 'each branch has its own Via branch');
  a2.answer(m2, 486, 'Busy Here', { toTag: 'x2' });
  a1.answer(m1, 200, 'OK', { toTag: 'x1' });
  const ok = await bob.response(200);
  assert.match(ok.get('to') ?? '', /tag=x1/);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(
    bob.inbox.filter((m) => !m.isRequest && m.status === 486).length,
    0,
    'the 486 is not forwarded',
  );
  h.core.stop();
});

test('INVITE call: 100 Trying, double Record-Route, 180/200 up, ACK and BYE down the right flows', async () => {
  const h = harness();
  const alice = h.ua('alice', 50001);
  const bob = await h.registered('bob', 50002);
  const inv = alice.request('INVITE', 'bob', { body: 'v=0' });
  await alice.response(100, 'INVITE');
  const atBob = await bob.requestNamed('INVITE');
  const rr = atBob.getAll('record-route');
  assert.equal(rr.length, 2, 'one Record-Route per flow');
  for (const r of rr) assert.match(r, /^<sip:[A-Za-z0-9_-]+@127\.0\.0\.1:8443;transport=ws;lr>$/);
  bob.answer(atBob, 180, 'Ringing', { toTag: 'b1' });
  await alice.response(180);
  bob.answer(atBob, 200, 'OK', { toTag: 'b1' });
  const ok = await alice.response(200, 'INVITE');
  const routeSet = ok.getAll('record-route').reverse(); // UAC: reverse order (RFC 3261 §12.1.2)
  // ACK for the 2xx: end to end, by the route set.
  alice.request('ACK', 'bob', {
    callId: inv.callId,
    cseq: inv.cseq,
    toTag: 'b1',
    ruri: bob.contact,
    extra: routeSet.map((r) => `Route: ${r}\n`).join(''),
  });
  const ack = await bob.requestNamed('ACK');
  assert.equal(ack.get('route'), undefined, 'our Routes are popped');
  assert.equal(ack.requestUri, bob.contact);
  // BYE from the callee: its route set is the Record-Route in order.
  const bye = bob.request('BYE', 'alice', {
    callId: inv.callId,
    toTag: alice.tag,
    ruri: alice.contact,
    extra: rr.map((r) => `Route: ${r}\n`).join(''),
  });
  void bye;
  const atAlice = await alice.requestNamed('BYE');
  alice.answer(atAlice, 200, 'OK');
  await bob.response(200, 'BYE');
  h.core.stop();
});

test('CANCEL: 200 to the CANCEL, CANCEL downstream after the 180, 487 up, ACK absorbed and sent down', async () => {
  const h = harness();
  const alice = h.ua('alice', 50001);
  const bob = await h.registered('bob', 50002);
  const inv = alice.request('INVITE', 'bob', { body: 'v=0' });
  const atBob = await bob.requestNamed('INVITE');
  bob.answer(atBob, 180, 'Ringing', { toTag: 'b9' });
  await alice.response(180);
  alice.send(`CANCEL sip:bob@127.0.0.1 SIP/2.0
Via: SIP/2.0/WSS ${alice.host};branch=${inv.branch}
Max-Forwards: 69
To: <sip:bob@127.0.0.1>
From: <sip:alice@127.0.0.1>;tag=${alice.tag}
Call-ID: ${inv.callId}
CSeq: ${inv.cseq} CANCEL
Content-Length: 0

`);
  await alice.response(200, 'CANCEL');
  const cancel = await bob.requestNamed('CANCEL');
  assert.equal(
    cancel.getAll('via')[0],
    atBob.getAll('via')[0],
    'CANCEL has the INVITE branch (RFC 3261 §9.1)',
  );
  bob.answer(cancel, 200, 'OK');
  bob.answer(atBob, 487, 'Request Terminated', { toTag: 'b9' });
  await alice.response(487, 'INVITE');
  const ack = await bob.requestNamed('ACK');
  assert.equal(ack.get('cseq'), `${inv.cseq} ACK`);
  assert.match(ack.get('to') ?? '', /tag=b9/);
  alice.request('ACK', 'bob', { branch: inv.branch, callId: inv.callId, cseq: inv.cseq, toTag: 'b9' });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(
    bob.inbox.filter((m) => m.isRequest && m.method === 'ACK').length,
    0,
    'the hop-by-hop ACK stops here',
  );
  h.core.stop();
});

test('CANCEL for an unknown transaction: 481', async () => {
  const h = harness();
  const a = h.ua('alice', 50001);
  a.request('CANCEL', 'bob');
  await a.response(481);
  h.core.stop();
});

test('no answer from a branch: 408 after the transaction timer', async () => {
  const h = harness({ frMs: 100 });
  const alice = h.ua('alice', 50001);
  const bob = await h.registered('bob', 50002);
  alice.request('MESSAGE', 'bob', { body: 'anyone?' });
  await bob.requestNamed('MESSAGE');
  await alice.response(408, 'MESSAGE', 1000);
  h.core.stop();
});

test('Max-Forwards 0 gets 483; an unsupported Proxy-Require gets 420', async () => {
  const h = harness();
  const a = h.ua('alice', 50001);
  a.send(`OPTIONS sip:bob@127.0.0.1 SIP/2.0
Via: SIP/2.0/WSS x.invalid;branch=z9hG4bK${rand()}
Max-Forwards: 0
To: <sip:bob@127.0.0.1>
From: <sip:alice@127.0.0.1>;tag=1
Call-ID: ${rand()}
CSeq: 1 OPTIONS
Content-Length: 0

`);
  await a.response(483);
  a.request('MESSAGE', 'bob', { extra: 'Proxy-Require: foo\n' });
  const r = await a.response(420);
  assert.equal(r.get('unsupported'), 'foo');
  h.core.stop();
});

test('OPTIONS to the server itself is answered 200 with Allow', async () => {
  const h = harness();
  const a = h.ua('alice', 50001);
  a.request('OPTIONS', 'x', { ruri: 'sip:127.0.0.1' });
  const r = await a.response(200, 'OPTIONS');
  assert.match(r.get('allow') ?? '', /INVITE/);
  h.core.stop();
});

test('malformed SIP: answered 400 with a Warning when it can be, else dropped and counted; the core keeps serving', async () => {
  const h = harness();
  const a = h.ua('alice', 50001);
  const bob = await h.registered('bob', 50002);
  // A CSeq that is not a number: parseable enough to answer.
  a.send(`MESSAGE sip:bob@127.0.0.1 SIP/2.0
Via: SIP/2.0/WSS x.invalid;branch=z9hG4bK1
Max-Forwards: 70
To: <sip:bob@127.0.0.1>
From: <sip:alice@127.0.0.1>;tag=1
Call-ID: abc
CSeq: one MESSAGE
Content-Length: 0

`);
  const r = await a.response(400);
  assert.match(r.get('warning') ?? '', /^399 sipwss "/);
  assert.equal(r.get('call-id'), 'abc');
  const before = h.core.stats.dropped;
  a.sendRaw(Buffer.from('\u0000\u0001garbage that is not SIP at all'));
  a.sendRaw(Buffer.from('SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n'));
  assert.equal(h.core.stats.dropped, before + 2);
  assert.equal(h.core.stats.malformed, 3);
  // Everyone else is still served.
  a.request('MESSAGE', 'bob', { body: 'still here' });
  const m = await bob.requestNamed('MESSAGE');
  assert.equal(m.body.toString(), 'still here');
  h.core.stop();
});

function answerChallenge(www: string, user: string, password: string, method: string, uri: string): string {
  const realm = /realm="([^"]+)"/.exec(www)?.[1] ?? '';
  const nonce = /nonce="([^"]+)"/.exec(www)?.[1] ?? '';
  const response = digestResponse({
    algorithm: 'MD5',
    ha1: ha1('MD5', user, realm, password),
    method,
    uri,
    nonce,
    qop: 'auth',
    nc: '00000001',
    cnonce: 'abc',
  });
  return `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, cnonce="abc", nc=00000001`;
}

test("digest auth: 401 challenge, right password registers, wrong fails, someone else's address is 403; MESSAGE gets 407", async () => {
  const users = parseUsers('alice:127.0.0.1:wonderland\nbob:127.0.0.1:builder\n', 'users');
  const h = harness({ users });
  const alice = h.ua('alice', 50001);
  alice.register();
  const ch = await alice.response(401);
  const www = ch.get('www-authenticate') ?? '';
  assert.match(www, /^Digest realm="127\.0\.0\.1", nonce="[^"]+", algorithm=MD5, qop="auth"$/);
  alice.register({ auth: answerChallenge(www, 'alice', 'wrong', 'REGISTER', 'sip:127.0.0.1') });
  await alice.response(401);
  alice.register({ auth: answerChallenge(www, 'alice', 'wonderland', 'REGISTER', 'sip:127.0.0.1') });
  await alice.response(200);
  // bob's credentials cannot register alice's address.
  const mallory = h.ua('alice', 50009);
  mallory.register();
  const ch2 = (await mallory.response(401)).get('www-authenticate') ?? '';
  mallory.register({ auth: answerChallenge(ch2, 'bob', 'builder', 'REGISTER', 'sip:127.0.0.1') });
  await mallory.response(403);
  // A new request from our domain must authenticate with 407.
  const bob = h.ua('bob', 50002);
  bob.request('MESSAGE', 'alice', { body: 'hi' });
  const p = await bob.response(407);
  const pa = p.get('proxy-authenticate') ?? '';
  bob.request('MESSAGE', 'alice', {
    body: 'hi',
    extra: `Proxy-Authorization: ${answerChallenge(pa, 'bob', 'builder', 'MESSAGE', 'sip:alice@127.0.0.1')}\n`,
  });
  const m = await alice.requestNamed('MESSAGE');
  assert.equal(m.body.toString(), 'hi');
  h.core.stop();
});

test('requests for other domains are not relayed; .invalid targets are never dialled', async () => {
  const h = harness();
  const a = h.ua('alice', 50001);
  a.request('MESSAGE', 'x', { ruri: 'sip:bob@example.com' });
  await a.response(403);
  a.request('MESSAGE', 'x', { ruri: 'sip:abc@xyz.invalid;transport=ws' });
  await a.response(404);
  h.core.stop();
});

test('a request toward a ws server destination: handshake failure is 503 at once; success relays', async () => {
  const h = harness();
  const a = h.ua('alice', 50001);
  const t0 = Date.now();
  a.request('MESSAGE', 'x', { ruri: 'sip:svc@10.255.0.1:9443;transport=ws' });
  await a.response(503);
  assert.ok(Date.now() - t0 < 500);
  const server = h.port.open(9443, 'WS');
  h.port.servers.set('10.255.0.1:9443', server.connectionId);
  a.request('MESSAGE', 'x', { ruri: 'sip:svc@10.255.0.1:9443;transport=ws', body: 'hi' });
  const inbox = h.port.conns.get(server.connectionId)?.inbox ?? [];
  for (let i = 0; i < 100 && inbox.length === 0; i++) await new Promise((r) => setTimeout(r, 2));
  const m = inbox[0];
  assert.ok(m);
  assert.match(m.getAll('via')[0] ?? '', /^SIP\/2\.0\/WS /);
  h.core.stop();
});

test('loop detection: a request carrying our own Via with its hash is refused with 482', async () => {
  const h = harness();
  const alice = await h.registered('alice', 50001, { instance: false });
  const bob = h.ua('bob', 50002);
  bob.request('MESSAGE', 'alice', { body: 'x' });
  const m = await alice.requestNamed('MESSAGE');
  // Alice's device sends the very same request back to us (a loop), with our Via still in it.
  const looped = m.startLine.replace(alice.contact, 'sip:alice@127.0.0.1');
  alice.sendRaw(
    Buffer.from(
      `${looped}\r\n${m.headers.map((f) => `${f.name}: ${f.value}`).join('\r\n')}\r\n\r\nx`.replace(
        /Content-Length: \d+/,
        'Content-Length: 1',
      ),
    ),
  );
  await alice.response(482);
  h.core.stop();
});

test('transactions: a REGISTER answered at once is not kept; a pending MESSAGE is, and its retransmission is absorbed', async () => {
  for (const asyncStore of [false, true]) {
    const h = harness({ asyncStore });
    const alice = await h.registered('alice', 50001);
    assert.equal(h.core.transactionCount, 0, `REGISTER ended (async store: ${asyncStore})`);
    const bob = h.ua('bob', 50002);
    const sent = bob.request('MESSAGE', 'alice', { body: 'hi' });
    const down = await alice.next((m) => m.method === 'MESSAGE', 'MESSAGE');
    assert.ok(h.core.transactionCount >= 1, 'the MESSAGE waits for its answer');
    const retransmissions = h.core.stats.retransmissions;
    bob.request('MESSAGE', 'alice', {
      body: 'hi',
      branch: sent.branch,
      callId: sent.callId,
      cseq: sent.cseq,
    });
    assert.equal(h.core.stats.retransmissions, retransmissions + 1);
    alice.answer(down, 200, 'OK');
    await bob.response(200, 'MESSAGE');
    assert.equal(h.core.transactionCount, 0, 'answered: Timer J = 0 on a reliable transport');
    h.core.stop();
  }
});
