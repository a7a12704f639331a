import { readFileSync } from 'node:fs';
import { parseMessage } from '../src/sip/index.js';

const register = readFileSync('test/fixtures/wire/jssip-node-REGISTER.sip');
let k = 0;
for (let i = 0; i < 1000000; i++) {
  const r = parseMessage(register);
  if (r.ok) {
    const v = r.value.topVia();
    const c = r.value.contacts();
    if (v.ok && c.ok) k += c.value.length;
  }
}
console.log(k);
