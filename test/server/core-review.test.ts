/** Cases found in review of the proxy core: each failed before its fix. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseUsers } from '../../src/server/auth/users-file.js';
import { harness, rand } from './core-harness.js';

test("a downstream 503 becomes 500 with the caller's own Via only (the transaction's request is not the forwarded copy)", async () => {
  const h = harness();
  const alice = h.ua('alice', 50001);
  const bob = await h.registered('bob', 50002, { instance: false });
  const sent = alice.request('INVITE', 'bob', { body: 'v=0' });
  const inv = await bob.requestNamed('INVITE');
  bob.answer(inv, 503, 'Service Unavailable', { toTag: 'b' });
  const r = await alice.response(500, 'INVITE');
  const vias = r.getAll('via');
  assert.equal(vias.length, 1);
  assert.match(vias[0] ?? '', new RegExp(`branch=${sent.branch}`));
  h.core.stop();
});

test('auth on: a forged To tag does not skip the 407', async () => {
  const users = parseUsers('alice:127.0.0.1:a\nbob:127.0.0.1:b\n', 'u');
  const h = harness({ users });
  const mallory = h.ua('alice', 50009);
  mallory.request('MESSAGE', 'bob', { body: 'x', toTag: 'forged' });
  await mallory.response(407);
  mallory.request('INVITE', 'bob', { body: 'v=0', toTag: 'forged' });
  await mallory.response(407, 'INVITE');
  h.core.stop();
});

test('auth on: no relaying to WebSocket servers for unauthenticated or foreign senders', async () => {
  const users = parseUsers('alice:127.0.0.1:a\n', 'u');
  const h = harness({ users });
  const server = h.port.open(9443, 'WS');
  h.port.servers.set('10.255.0.1:9443', server.connectionId);
  const a = h.ua('alice', 50001);
  a.request('MESSAGE', 'x', { ruri: 'sip:svc@10.255.0.1:9443;transport=ws', body: 'hi' });
  await a.response(407);
  a.send(`MESSAGE sip:svc@10.255.0.1:9443;transport=ws SIP/2.0
Via: SIP/2.0/WSS e.invalid;branch=z9hG4bK${rand()}
Max-Forwards: 70
To: <sip:svc@10.255.0.1>
From: <sip:eve@evil.example>;tag=e
Call-ID: ${rand()}
CSeq: 1 MESSAGE
Content-Length: 0

`);
  await a.response(403);
  assert.equal(h.port.conns.get(server.connectionId)?.inbox.length, 0);
  h.core.stop();
});

test('a call to a WebSocket server: the ACK to its 2xx and the BYE reach the server', async () => {
  const h = harness();
  const server = h.port.open(9443, 'WS');
  h.port.servers.set('10.255.0.1:9443', server.connectionId);
  const serverInbox = () => h.port.conns.get(server.connectionId)?.inbox ?? [];
  const until = async (f: () => boolean) => {
    for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 2));
  };
  const alice = h.ua('alice', 50001);
  const inv = alice.request('INVITE', 'x', { ruri: 'sip:svc@10.255.0.1:9443;transport=ws', body: 'v=0' });
  await until(() => serverInbox().length > 0);
  const atServer = serverInbox().shift();
  assert.ok(atServer);
  const rr = atServer.getAll('record-route');
  assert.equal(rr.length, 1, "one Record-Route (the caller's flow)");
  // The server answers 200 with its Contact (it adds no Record-Route of its own).
  let out = 'SIP/2.0 200 OK\r\n';
  for (const v of atServer.getAll('via')) out += `Via: ${v}\r\n`;
  for (const r of rr) out += `Record-Route: ${r}\r\n`;
  out += `From: ${atServer.get('from')}\r\nTo: ${atServer.get('to')};tag=s1\r\nCall-ID: ${inv.callId}\r\nCSeq: ${inv.cseq} INVITE\r\n`;
  out += 'Contact: <sip:svc@10.255.0.1:9443;transport=ws>\r\nContent-Length: 0\r\n\r\n';
  h.core.receive({ ...server, data: Buffer.from(out) });
  const ok = await alice.response(200, 'INVITE');
  const route = ok.getAll('record-route');
  alice.request('ACK', 'x', {
    callId: inv.callId,
    cseq: inv.cseq,
    toTag: 's1',
    ruri: 'sip:svc@10.255.0.1:9443;transport=ws',
    extra: route.map((r) => `Route: ${r}\n`).join(''),
  });
  await until(() => serverInbox().length > 0);
  assert.equal(serverInbox().shift()?.method, 'ACK');
  alice.request('BYE', 'x', {
    callId: inv.callId,
    toTag: 's1',
    ruri: 'sip:svc@10.255.0.1:9443;transport=ws',
    extra: route.map((r) => `Route: ${r}\n`).join(''),
  });
  await until(() => serverInbox().length > 0);
  assert.equal(serverInbox().shift()?.method, 'BYE');
  h.core.stop();
});

test('a 487 that comes after our own 408 (Timer C) is still ACKed hop by hop', async () => {
  const h = harness({ frInvMs: 80 });
  const alice = h.ua('alice', 50001);
  const bob = await h.registered('bob', 50002);
  alice.request('INVITE', 'bob', { body: 'v=0' });
  const inv = await bob.requestNamed('INVITE');
  bob.answer(inv, 180, 'Ringing', { toTag: 'b' });
  await alice.response(408, 'INVITE', 2000);
  const cancel = await bob.requestNamed('CANCEL');
  bob.answer(cancel, 200, 'OK');
  bob.answer(inv, 487, 'Request Terminated', { toTag: 'b' });
  const ack = await bob.requestNamed('ACK');
  assert.match(ack.get('cseq') ?? '', / ACK$/);
  h.core.stop();
});

test('a caller whose connection closes while its INVITE is being routed: the callee never rings', async () => {
  // Routing waits only for a store in another process: the in-memory one routes in the same turn.
  const h = harness({ asyncStore: true });
  const alice = h.ua('alice', 50001);
  const bob = await h.registered('bob', 50002);
  alice.request('INVITE', 'bob', { body: 'v=0' });
  h.core.connectionClosed(alice.flow.connectionId); // before the location lookup resolves
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(bob.inbox.filter((m) => m.isRequest && m.method === 'INVITE').length, 0);
  h.core.stop();
});

test('best response: a 3xx is preferred to a 4xx (RFC 3261 §16.7 step 6: the lowest class)', async () => {
  const h = harness();
  const a1 = h.ua('alice', 50001);
  const a2 = h.ua('alice', 50005);
  a1.register({ instance: false });
  await a1.response(200);
  a2.register({ instance: false });
  await a2.response(200);
  const bob = h.ua('bob', 50002);
  bob.request('MESSAGE', 'alice', { body: 'x' });
  const m1 = await a1.requestNamed('MESSAGE');
  const m2 = await a2.requestNamed('MESSAGE');
  a1.answer(m1, 486, 'Busy Here', { toTag: '1' });
  a2.answer(m2, 302, 'Moved Temporarily', { toTag: '2', extra: 'Contact: <sip:elsewhere@127.0.0.1>\r\n' });
  await bob.response(302);
  h.core.stop();
});

test('two clients reusing one Via host and branch (JsSIP in one Node process) get two transactions', async () => {
  const h = harness();
  const a = h.ua('alice', 50001);
  const b = h.ua('bob', 50002);
  const req = (ua: typeof a) =>
    ua.send(`OPTIONS sip:127.0.0.1 SIP/2.0
Via: SIP/2.0/WSS same.invalid;branch=z9hG4bK1234567
Max-Forwards: 70
To: <sip:127.0.0.1>
From: <sip:${ua.user}@127.0.0.1>;tag=${ua.user}
Call-ID: ${ua.user}-call
CSeq: 1 OPTIONS
Content-Length: 0

`);
  req(a);
  req(b);
  const ra = await a.response(200);
  const rb = await b.response(200);
  assert.equal(ra.get('call-id'), 'alice-call');
  assert.equal(rb.get('call-id'), 'bob-call', "bob gets his own answer, not a copy of alice's");
  h.core.stop();
});

test('a location store that only answers asynchronously (another process): REGISTER and MESSAGE work', async () => {
  const h = harness({ asyncStore: true });
  const alice = await h.registered('alice', 50001);
  const bob = await h.registered('bob', 50002);
  bob.request('MESSAGE', 'alice', { body: 'hi' });
  const m = await alice.requestNamed('MESSAGE');
  alice.answer(m, 200, 'OK', { toTag: 'a' });
  await bob.response(200);
  h.core.stop();
});

test('an INVITE whose caller is gone while it is routed (the 100 Trying closed the connection) is never relayed', async () => {
  const h = harness();
  const server = h.port.open(9443, 'WS');
  h.port.servers.set('10.255.0.1:9443', server.connectionId);
  const serverInbox = () => h.port.conns.get(server.connectionId)?.inbox ?? [];
  const alice = h.ua('alice', 50001);
  const aliceConn = alice.flow.connectionId;
  const toAlice: string[] = [];
  const realSend = h.port.send.bind(h.port);
  // As the transport does past send_buffer: the connection is destroyed inside send(), its close
  // reported at once, and the send rejected.
  h.port.send = (connectionId: string, data: Buffer): Promise<void> => {
    if (connectionId === aliceConn) {
      toAlice.push(data.toString('latin1').split('\r\n')[0] ?? '');
      if (h.port.conns.has(aliceConn)) {
        h.port.close(aliceConn);
        h.core.connectionClosed(aliceConn);
        return Promise.reject(new Error('SEND_BUFFER_FULL'));
      }
    }
    return realSend(connectionId, data);
  };
  alice.request('INVITE', 'x', { ruri: 'sip:svc@10.255.0.1:9443;transport=ws', body: 'v=0' });
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(
    toAlice,
    ['SIP/2.0 100 Trying'],
    'nothing after the 100: no final to a caller that is gone',
  );
  assert.equal(serverInbox().length, 0, 'not relayed');
  assert.equal(h.core.transactionCount, 0, 'the INVITE ended');
  h.core.stop();
});

test('after stop(), a message the transport still hands over (read in the same turn) is ignored', async () => {
  const h = harness();
  const alice = h.ua('alice', 50001);
  alice.request('OPTIONS', 'x', { ruri: 'sip:127.0.0.1' });
  await alice.response(200, 'OPTIONS');
  const before = h.core.stats.messagesIn;
  h.core.stop();
  alice.request('OPTIONS', 'x', { ruri: 'sip:127.0.0.1' });
  h.core.connectionClosed(alice.flow.connectionId);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(h.core.stats.messagesIn, before);
  assert.equal(h.core.transactionCount, 0);
  assert.equal(alice.inbox.length, 0, 'no answer after the stop');
});
