import { readFileSync } from 'node:fs';
import { parseMessage } from '../src/sip/index.js';
import { parseContact } from '../src/sip/name-addr.js';
import { parseVia } from '../src/sip/via.js';

const register = readFileSync('test/fixtures/wire/jssip-node-REGISTER.sip');
function run(name: string, fn: () => unknown) {
  for (let i = 0; i < 50000; i++) fn();
  const t = process.hrtime.bigint();
  const N = 300000;
  for (let i = 0; i < N; i++) fn();
  const ns = Number(process.hrtime.bigint() - t) / N;
  console.log(name, ns.toFixed(0), 'ns');
}
run('toString latin1', () => register.toString('latin1', 0, 560));
run('parseMessage', () => parseMessage(register));
run('parseVia', () => parseVia('SIP/2.0/WSS k0eiuqlo5c47.invalid;branch=z9hG4bK9635404'));
run('parseContact', () =>
  parseContact(
    '<sip:2dbbteav@k0eiuqlo5c47.invalid;transport=ws>;+sip.ice;reg-id=1;+sip.instance="<urn:uuid:461588c4-d431-45e3-8b72-c6226465b3d6>";expires=600',
  ),
);
run('full', () => {
  const r = parseMessage(register);
  if (r.ok) {
    r.value.topVia();
    r.value.contacts();
  }
});
