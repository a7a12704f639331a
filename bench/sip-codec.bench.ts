/**
 * SIP codec throughput on one core: messages per second for
 *   (a) parse a JsSIP REGISTER and read its top Via and Contact;
 *   (b) parse a JsSIP INVITE with WebRTC SDP, add received/rport to the top Via, prepend a
 *       Record-Route, serialize.
 * Run: npm run bench:sip   (figures go to docs/benchmarks.md, "SIP codec"). Never a gate.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addReceived, parseMessage, prependRecordRoute, serialize } from '../src/sip/index.js';

const dir = join(import.meta.dirname, '..', 'test', 'fixtures', 'wire');
const register = readFileSync(join(dir, 'jssip-node-REGISTER.sip'));
const invite = readFileSync(join(dir, 'jssip-chromium-INVITE.sip'));

function caseA(): number {
  const r = parseMessage(register);
  if (!r.ok) throw r.error;
  const via = r.value.topVia();
  const contacts = r.value.contacts();
  if (!via.ok || !contacts.ok) throw new Error('bad fixture');
  return via.value.host.length + contacts.value.length;
}

const source = { address: '192.0.2.10', port: 53728 };
const rr = '<sip:198.51.100.1:443;transport=ws;lr;r2=on>';

function caseB(): number {
  const r = parseMessage(invite);
  if (!r.ok) throw r.error;
  const v = addReceived(r.value, source);
  if (!v.ok) throw v.error;
  prependRecordRoute(r.value, rr);
  return serialize(r.value).length;
}

function measure(name: string, fn: () => number, ms = 2000): number {
  // Warm up, then run batches until the time is up.
  for (let i = 0; i < 20_000; i++) fn();
  let n = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 1000; i++) sink += fn();
    n += 1000;
    now = process.hrtime.bigint();
  }
  const secs = Number(now - start) / 1e9;
  const rate = n / secs;
  console.log(
    `${name}: ${Math.round(rate).toLocaleString('en-US')} messages/s (${n} in ${secs.toFixed(2)} s)`,
  );
  assert.ok(sink > 0);
  return rate;
}

// Sanity: case (b) output is a valid message with the changes.
{
  const r = parseMessage(invite);
  assert.ok(r.ok);
  addReceived(r.value, source);
  prependRecordRoute(r.value, rr);
  const again = parseMessage(serialize(r.value));
  assert.ok(again.ok);
  const top = again.value.topVia();
  assert.ok(top.ok && top.value.received === '192.0.2.10');
}

console.log(`node ${process.version}, ${process.arch}`);
measure('(a) parse REGISTER + top Via + Contact', caseA);
measure('(b) parse INVITE+SDP, received/rport, Record-Route, serialize', caseB);
