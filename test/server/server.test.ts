/**
 * The server end to end over real TLS on loopback, with plain `ws` clients speaking SIP text
 * (the JsSIP / SIP.js acceptance tests are in test/interop).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { SipServer } from '../../src/server/server.js';
import { TlsDomains } from '../../src/tls/domains.js';
import { testPki } from '../helpers/certs.js';

const servers: SipServer[] = [];
const sockets: WebSocket[] = [];
after(async () => {
  for (const s of sockets) s.terminate();
  for (const s of servers) await s.stop();
});

async function start(): Promise<SipServer> {
  const pki = await testPki();
  const tls = await TlsDomains.fromPem({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert });
  const s = await SipServer.start({ listen: ['wss:127.0.0.1:0'], tls, node: 'test' });
  servers.push(s);
  return s;
}

class Client {
  readonly ws: WebSocket;
  readonly inbox: string[] = [];
  readonly host = `${Math.random().toString(36).slice(2, 10)}.invalid`;
  constructor(url: string, ca: string) {
    this.ws = new WebSocket(url, 'sip', { ca, perMessageDeflate: false });
    this.ws.on('message', (d) => this.inbox.push(String(d)));
    sockets.push(this.ws);
  }
  async open(): Promise<void> {
    await once(this.ws, 'open');
    assert.equal(this.ws.protocol, 'sip');
  }
  send(s: string): void {
    this.ws.send(s.replace(/\r?\n/g, '\r\n'));
  }
  async next(re: RegExp, ms = 2000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.inbox.findIndex((m) => re.test(m));
      if (i >= 0) return this.inbox.splice(i, 1)[0] as string;
      if (Date.now() > end)
        throw new Error(
          `no message matching ${re} (inbox: ${this.inbox.map((m) => m.split('\r\n')[0]).join(' | ')})`,
        );
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

function register(c: Client, user: string, callId: string): void {
  c.send(`REGISTER sip:127.0.0.1 SIP/2.0
Via: SIP/2.0/WSS ${c.host};branch=z9hG4bK${callId}r
Max-Forwards: 70
To: <sip:${user}@127.0.0.1>
From: <sip:${user}@127.0.0.1>;tag=${callId}
Call-ID: ${callId}
CSeq: 1 REGISTER
Contact: <sip:${user}x@${c.host};transport=ws>;expires=600
Content-Length: 0

`);
}

test('two WSS clients register and exchange a MESSAGE through the server; a CRLF ping gets a pong', async () => {
  const pki = await testPki();
  const s = await start();
  const url = s.urls[0] as string;
  assert.match(url, /^wss:\/\/127\.0\.0\.1:\d+\/$/);
  const alice = new Client(url, pki.ca.cert);
  const bob = new Client(url, pki.ca.cert);
  await Promise.all([alice.open(), bob.open()]);
  register(alice, 'alice', 'a1');
  register(bob, 'bob', 'b1');
  const okA = await alice.next(/^SIP\/2\.0 200 /);
  assert.match(okA, new RegExp(`Contact: <sip:alicex@${alice.host};transport=ws>;expires=600`));
  await bob.next(/^SIP\/2\.0 200 /);

  bob.send(`MESSAGE sip:alice@127.0.0.1 SIP/2.0
Via: SIP/2.0/WSS ${bob.host};branch=z9hG4bKm1
Max-Forwards: 70
To: <sip:alice@127.0.0.1>
From: <sip:bob@127.0.0.1>;tag=bt
Call-ID: m1
CSeq: 2 MESSAGE
Content-Type: text/plain
Content-Length: 5

hello`);
  const m = await alice.next(/^MESSAGE /);
  assert.match(m, new RegExp(`^MESSAGE sip:alicex@${alice.host};transport=ws SIP/2\\.0\\r\\n`));
  assert.match(m, /\r\nVia: SIP\/2\.0\/WSS 127\.0\.0\.1:\d+;branch=z9hG4bK-/);
  assert.ok(m.endsWith('\r\n\r\nhello'));
  const vias = m.split('\r\n').filter((l) => l.startsWith('Via: '));
  alice.send(`SIP/2.0 200 OK
${vias.join('\n')}
To: <sip:alice@127.0.0.1>;tag=at
From: <sip:bob@127.0.0.1>;tag=bt
Call-ID: m1
CSeq: 2 MESSAGE
Content-Length: 0

`);
  const ok = await bob.next(/^SIP\/2\.0 200 OK/);
  assert.match(ok, /CSeq: 2 MESSAGE/);

  // RFC 5626 §3.5.1 keepalive over WebSocket: CRLFCRLF answered with CRLF, never parsed as SIP.
  alice.send('\r\n\r\n');
  assert.equal(await alice.next(/^\r\n$/), '\r\n');
  assert.equal(s.core.stats.malformed, 0);
});

test('a client that disconnects: a MESSAGE to it gets 480 at once, not a timeout', async () => {
  const pki = await testPki();
  const s = await start();
  const url = s.urls[0] as string;
  const carol = new Client(url, pki.ca.cert);
  const dave = new Client(url, pki.ca.cert);
  await Promise.all([carol.open(), dave.open()]);
  register(carol, 'carol', 'c1');
  await carol.next(/^SIP\/2\.0 200 /);
  carol.ws.close(1000);
  await once(carol.ws, 'close');
  await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  dave.send(`MESSAGE sip:carol@127.0.0.1 SIP/2.0
Via: SIP/2.0/WSS ${dave.host};branch=z9hG4bKd1
Max-Forwards: 70
To: <sip:carol@127.0.0.1>
From: <sip:dave@127.0.0.1>;tag=dt
Call-ID: d1
CSeq: 1 MESSAGE
Content-Length: 0

`);
  await dave.next(/^SIP\/2\.0 480 /);
  assert.ok(Date.now() - t0 < 1000);
});
