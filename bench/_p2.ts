import { readFileSync } from 'node:fs';
import { parseMessage } from '../src/sip/index.js';

const register = readFileSync('test/fixtures/wire/jssip-node-REGISTER.sip');
let k = 0;
for (let i = 0; i < 1500000; i++) {
  const r = parseMessage(register);
  if (r.ok) k += r.value.headers.length;
}
console.log(k);
