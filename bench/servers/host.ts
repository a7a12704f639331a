/**
 * Child process hosting one bench server (argv[2]: adapter name, a module in this directory), so
 * that its memory and CPU are measured alone. Talks to the bench over the fork IPC channel.
 * Started by bench/transport.bench.ts with `--import tsx --expose-gc`.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import type { BenchServer, HostReply, HostRequest, StartBenchServer } from './types.js';

const ADAPTERS: Readonly<Record<string, string>> = { bare: './bare-ws.js', sipwss: './sipwss.js' };

function reply(msg: HostReply): void {
  process.send?.(msg);
}

const name = process.argv[2] ?? '';
const modulePath = ADAPTERS[name];
if (modulePath === undefined || !process.send) {
  console.error(`host.ts: unknown server "${name}" (known: ${Object.keys(ADAPTERS).join(', ')}) or no IPC`);
  process.exit(2);
}

let server: BenchServer | undefined;

process.on('message', (raw: unknown) => {
  const req = raw as HostRequest;
  void (async () => {
    try {
      switch (req.type) {
        case 'start': {
          const mod = (await import(modulePath)) as { start: StartBenchServer };
          server = await mod.start({ cert: req.cert, key: req.key });
          reply({ type: 'started', port: server.port });
          break;
        }
        case 'mem': {
          if (req.gc && typeof global.gc === 'function') {
            global.gc();
            await new Promise((r) => setTimeout(r, 50));
            global.gc();
          }
          const young = getHeapSpaceStatistics()
            .filter((sp) => sp.space_name === 'new_space' || sp.space_name === 'new_large_object_space')
            .reduce((sum, sp) => sum + sp.physical_space_size, 0);
          reply({ type: 'mem', usage: process.memoryUsage(), young });
          break;
        }
        case 'spaces':
          reply({ type: 'spaces', spaces: getHeapSpaceStatistics() });
          break;
        case 'cpu':
          reply({ type: 'cpu', usage: process.cpuUsage() });
          break;
        case 'stop':
          await server?.stop();
          reply({ type: 'stopped' });
          process.disconnect();
          break;
      }
    } catch (err) {
      reply({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
