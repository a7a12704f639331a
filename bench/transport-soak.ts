/**
 * Soak: N connect/abort cycles (default 10,000) against ws and wss listeners, mixing TCP-only aborts,
 * aborts mid-upgrade, and full upgrade + message + reset. Prints the connection table size, active
 * handles and heap/RSS before and after (after a GC when run with --expose-gc).
 *
 *   node --expose-gc --import tsx bench/transport-soak.ts [cycles]
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Transport } from '../src/transport/index.js';
import { testPki } from '../test/helpers/certs.js';
import { RawWsClient } from '../test/helpers/raw-ws-client.js';
import { staticServerTls } from '../test/helpers/static-tls.js';

const cycles = Number(process.argv[2] ?? 10_000);
const batch = 50;
const gc = (globalThis as { gc?: () => void }).gc;

function handles(): number {
  return (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
}

function mem(): string {
  gc?.();
  const m = process.memoryUsage();
  return `heap ${(m.heapUsed / 1e6).toFixed(1)} MB, rss ${(m.rss / 1e6).toFixed(1)} MB`;
}

const ca = (await testPki()).ca.cert;
const t = await Transport.start({
  listen: ['ws:127.0.0.1:0', 'wss:127.0.0.1:0'],
  tls: await staticServerTls(),
  params: { tcp_max_connections: 10_000, tcp_max_connections_per_ip: 0 },
});
const [ws, wss] = t.listeners;
if (!ws || !wss) throw new Error('listeners');
const req = RawWsClient.request({});
await sleep(50);
const h0 = handles();
console.log(`before: table ${t.connections().length}, handles ${h0}, ${mem()}`);
const t0 = Date.now();
for (let i = 0; i < cycles; i += batch) {
  await Promise.all(
    Array.from({ length: Math.min(batch, cycles - i) }, async (_, j) => {
      const n = i + j;
      const secure = n % 2 === 1;
      const port = secure ? wss.port : ws.port;
      const tls = secure ? { tls: { ca } } : {};
      try {
        switch (n % 6) {
          case 0:
          case 1: {
            const s = connect(port, '127.0.0.1');
            s.on('error', () => {});
            await new Promise((r) => s.once('connect', r));
            s.resetAndDestroy();
            return;
          }
          case 2:
          case 3: {
            const c = await RawWsClient.connect({ port, ...tls });
            c.write(req.slice(0, 40));
            await sleep(1);
            c.destroy();
            return;
          }
          default: {
            const c = await RawWsClient.open({ port, ...tls });
            c.sendText('OPTIONS sip:x SIP/2.0\r\n\r\n');
            c.destroy();
          }
        }
      } catch {
        // a refused or reset client is fine: the server side is what we measure
      }
    }),
  );
}
const dt = Date.now() - t0;
for (let k = 0; k < 100 && t.connections().length > 0; k++) await sleep(20);
await sleep(100);
console.log(`${cycles} cycles in ${dt} ms (${Math.round((cycles * 1000) / dt)}/s)`);
console.log(`after:  table ${t.connections().length}, handles ${handles()} (was ${h0}), ${mem()}`);
await t.stop();
if (t.connections().length !== 0) process.exitCode = 1;
