import { readFileSync } from 'node:fs';
import { parseMessage } from '../src/sip/index.js';

const register = readFileSync('/work/wt/sip/test/fixtures/wire/jssip-node-REGISTER.sip');
let s = 0;
const t = Date.now();
let n = 0;
while (Date.now() - t < 3000) {
  for (let i = 0; i < 1000; i++) {
    const r = parseMessage(register);
    if (!r.ok) throw 1;
    const v = r.value.topVia();
    const c = r.value.contacts();
    if (v.ok && c.ok) s += c.value.length;
  }
  n += 1000;
}
console.log(n / 3, s);
