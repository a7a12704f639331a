/**
 * CPU cost of the SIP core alone (no sockets, no TLS): REGISTER refreshes and MESSAGE relays
 * through SipCore with a port that only records what is sent. Prints µs of CPU per transaction,
 * to find where the server's time goes (npm run bench:server measures the whole server).
 *   npm run bench:core   (= node --import tsx bench/server-core.bench.ts)
 */
import { SipCore } from '../src/server/core.js';
import { Identity } from '../src/server/identity.js';
import { MemoryLocationStore } from '../src/server/location/memory-store.js';
import type { FlowInfo, SipPort } from '../src/server/port.js';
import { FlowTokens } from '../src/server/proxy/flow-token.js';
import { DEFAULT_REGISTRAR_POLICY } from '../src/server/registrar/policy.js';
import { Registrar } from '../src/server/registrar/registrar.js';
import { parseMessage, validateMessage } from '../src/sip/index.js';

const flows = new Map<string, FlowInfo>();
let last: Buffer = Buffer.alloc(0);
let sent = 0;
const port: SipPort = {
  async send(_id, data) {
    last = data;
    sent++;
  },
  async sendTo() {},
  flow: (id) => flows.get(id),
};
const store = new MemoryLocationStore();
const identity = new Identity({
  node: 'bench',
  domains: ['127.0.0.1'],
  listeners: [{ proto: 'wss', host: '127.0.0.1', port: 8443, boundHost: '127.0.0.1', boundPort: 8443 }],
});
const core = new SipCore({
  port,
  identity,
  tokens: new FlowTokens(),
  registrar: new Registrar({ store, policy: DEFAULT_REGISTRAR_POLICY, node: 'bench' }),
  location: store,
});
function flow(id: string, p: number): FlowInfo {
  const f: FlowInfo = {
    connectionId: id,
    transport: 'WSS',
    remote: { address: '127.0.0.1', port: p },
    local: { host: '127.0.0.1', port: 8443 },
  };
  flows.set(id, f);
  return f;
}
const fa = flow('1', 40001);
const fb = flow('2', 40002);
const register = (user: string, cseq: number) =>
  Buffer.from(
    `REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WSS k0eiuqlo5c47.invalid;branch=z9hG4bK${cseq}${user}\r\nMax-Forwards: 69\r\n` +
      `To: <sip:${user}@127.0.0.1>\r\nFrom: <sip:${user}@127.0.0.1>;tag=kchtbue${cseq}\r\nCall-ID: 3tcfsbi8c3m${user}\r\nCSeq: ${cseq} REGISTER\r\n` +
      `Expires: 600\r\nContact: <sip:2dbbteav@k0eiuqlo5c47.invalid;transport=ws>;+sip.ice;reg-id=1;+sip.instance="<urn:uuid:461588c4-d431-45e3-8b72-${user}>";expires=600\r\n` +
      'Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY,SUBSCRIBE\r\nSupported: path,gruu,outbound\r\nUser-Agent: JsSIP 3.13.8\r\nContent-Length: 0\r\n\r\n',
  );
const message = (n: number) =>
  Buffer.from(
    `MESSAGE sip:alice@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WSS 5hh2q1vj9a6c.invalid;branch=z9hG4bK${n}m\r\nMax-Forwards: 69\r\n` +
      `To: <sip:alice@127.0.0.1>\r\nFrom: <sip:bob@127.0.0.1>;tag=8lqsj1${n}\r\nCall-ID: 0n5g${n}\r\nCSeq: 1 MESSAGE\r\n` +
      'Content-Type: text/plain\r\nSupported: outbound\r\nUser-Agent: JsSIP 3.13.8\r\nContent-Length: 41\r\n\r\nhello there, this is a message body of 41',
  );

const tick = () => new Promise((r) => setImmediate(r));
async function run(name: string, n: number, one: (i: number) => Promise<void>) {
  for (let i = 0; i < 2000; i++) await one(i);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await one(i + 2000);
  const cpu = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  console.log(
    `${name}: ${((cpu.user + cpu.system) / n).toFixed(1)} µs CPU per transaction, ${((n / wall) * 1000).toFixed(0)}/s`,
  );
}

// REGISTER: prebuilt requests, so that building them is not measured. Each has its own Call-ID
// (CSeq 1): cycling through them is always accepted (a new Call-ID replaces the binding of the same
// instance and reg-id), never the 500 of a CSeq not higher. Parsing and validation are timed apart,
// alternating with the whole core in rounds (medians of 9), so that the split is measured alike.
const registers = Array.from({ length: 2000 }, (_, i) =>
  Buffer.from(
    register('alice', 1).toString('latin1').replace('Call-ID: 3tcfsbi8c3malice', `Call-ID: c${i}x`),
    'latin1',
  ),
);
const phases: [string, (b: Buffer) => void][] = [
  ['parse', (b) => parseMessage(b)],
  [
    'parse + validate',
    (b) => {
      const m = parseMessage(b);
      if (m.ok) validateMessage(m.value);
    },
  ],
  ['whole core (200 OK sent)', (b) => core.receive({ ...fa, data: b })],
];
const perPhase = new Map<string, number[]>();
let k = 0;
for (let round = 0; round < 9; round++) {
  for (const [name, one] of phases) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < 40_000; i++) {
      one(registers[k++ % registers.length] as Buffer);
      if (i % 100 === 99) await tick();
    }
    const c = process.cpuUsage(c0);
    perPhase.set(name, [...(perPhase.get(name) ?? []), (c.user + c.system) / 40_000]);
  }
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1] as number;
for (const [name] of phases) {
  console.log(`REGISTER, ${name}: ${median(perPhase.get(name) as number[]).toFixed(1)} µs CPU`);
}
if (!last.toString('latin1').startsWith('SIP/2.0 200 ')) throw new Error('REGISTER was not answered 200');
core.receive({ ...fb, data: register('bob', 1) });
await tick();
await run('MESSAGE relay (request and its 200)', 30_000, async (i) => {
  let before = sent;
  core.receive({ ...fb, data: message(i) });
  while (sent === before) await tick();
  const fwd = last.toString('latin1');
  const vias = fwd.match(/^Via: .*$/gm)?.join('\r\n') ?? '';
  before = sent;
  core.receive({
    ...fa,
    data: Buffer.from(
      `SIP/2.0 200 OK\r\n${vias}\r\nTo: <sip:alice@127.0.0.1>;tag=z\r\nFrom: <sip:bob@127.0.0.1>;tag=8lqsj1${i}\r\nCall-ID: 0n5g${i}\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n`,
      'latin1',
    ),
  });
  while (sent === before) await tick();
});
core.stop();
