import { readFileSync } from 'node:fs';

const register = readFileSync('test/fixtures/wire/jssip-node-REGISTER.sip');
function run(name: string, fn: () => unknown) {
  for (let i = 0; i < 50000; i++) fn();
  const t = process.hrtime.bigint();
  const N = 300000;
  for (let i = 0; i < N; i++) fn();
  const ns = Number(process.hrtime.bigint() - t) / N;
  console.log(name, ns.toFixed(0), 'ns');
}
const CRLF4 = Buffer.from('\r\n\r\n');
run('indexOf+toString', () => {
  const e = register.indexOf(CRLF4);
  return register.toString('latin1', 0, e);
});
run('lines', () => {
  const e = register.indexOf(CRLF4);
  const s = register.toString('latin1', 0, e + 2);
  let p = 0;
  const out: Array<{ a: string; b: string }> = [];
  while (p < s.length) {
    const x = s.indexOf('\r\n', p);
    const c = s.indexOf(':', p);
    out.push({ a: s.slice(p, c), b: s.slice(c + 2, x) });
    p = x + 2;
  }
  return out;
});
run('toString only', () => register.toString('latin1', 0, 560));
run('latin1Slice', () =>
  (register as unknown as { latin1Slice(a: number, b: number): string }).latin1Slice(0, 560),
);
run('buf indexOf', () => register.indexOf(CRLF4));
run('str indexOf', () => {
  const s = register.toString('latin1');
  return s.indexOf('\r\n\r\n');
});
const S = register.toString('latin1');
run('scan lines charCode', () => {
  const s = S;
  const p = 0;
  let n = 0;
  const L = s.length;
  for (let i = 0; i < L; i++) {
    if (s.charCodeAt(i) === 13) {
      n++;
    }
  }
  return n;
});
run('lines indexOf only', () => {
  const s = S;
  let p = 0;
  let n = 0;
  while (true) {
    const x = s.indexOf('\r\n', p);
    if (x === -1) break;
    n++;
    p = x + 2;
  }
  return n;
});
run('lines indexOf char', () => {
  const s = S;
  let p = 0;
  let n = 0;
  while (true) {
    const x = s.indexOf('\n', p);
    if (x === -1) break;
    n++;
    p = x + 1;
  }
  return n;
});
