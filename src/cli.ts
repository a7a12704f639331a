#!/usr/bin/env node
/**
 * `sipwss [--config FILE] [--check] [--help] [--version]`: the server. With no config, an
 * embedded default on loopback with a self-signed certificate it makes itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { type ConfigResult, loadConfigFile, parseConfig } from './config/index.js';
import { dataDir, defaultConfig } from './server/default-config.js';
import { setupFromConfig } from './server/from-config.js';
import { SIPWSS_REGISTRY } from './server/registry.js';
import { SipServer } from './server/server.js';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

const HELP = `sipwss ${pkg.version}: SIP over secure WebSocket (registrar + proxy for WebRTC clients)

Usage: sipwss [--config FILE] [--check]

  -c, --config FILE   OpenSIPS-style configuration (listen=wss:IP:PORT, loadmodule, modparam).
                      Without it: wss:127.0.0.1:8443, a self-signed certificate kept in the
                      data directory ($SIPWSS_DATA_DIR, else ~/.local/share/sipwss), open registrar.
      --listen SPEC   With the default configuration: listen on SPEC instead (e.g. wss:127.0.0.1:0).
      --check         Validate the configuration and exit (0: valid, 1: errors listed).
  -h, --help          This text.
  -v, --version       The version.

Signals: SIGHUP reloads TLS certificates (new handshakes only); SIGINT/SIGTERM stop.
Docs: docs/configuration.md lists every parameter.
`;

function levelName(logLevel: number): pino.Level {
  if (logLevel <= -1) return 'error';
  if (logLevel === 1) return 'warn';
  if (logLevel >= 4) return 'debug';
  return 'info';
}

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>;
  const OPTIONS = {
    config: { type: 'string', short: 'c' },
    listen: { type: 'string' },
    check: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
  } as const;
  try {
    args = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true });
  } catch (e) {
    process.stderr.write(`sipwss: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (v.version) {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (v.config !== undefined && v.listen !== undefined) {
    process.stderr.write(
      'sipwss: --listen applies to the default configuration only; put listen= lines in the file\n',
    );
    return 2;
  }

  let result: ConfigResult;
  let banner = '';
  if (v.config !== undefined) {
    result = loadConfigFile(v.config, SIPWSS_REGISTRY);
  } else {
    const dir = dataDir();
    const def = await defaultConfig(dir, v.listen !== undefined ? v.listen : undefined);
    banner = def.madeCertificate
      ? `made a self-signed certificate: ${def.certFile}`
      : `certificate: ${def.certFile}`;
    result = parseConfig(def.text, join(dir, '(embedded default)'), SIPWSS_REGISTRY);
  }
  if (!result.ok) {
    process.stderr.write(`${result.error.message}\n`);
    return 1;
  }
  const softphoneDir = join(root, 'dist', 'softphone');
  let setup: Awaited<ReturnType<typeof setupFromConfig>>;
  try {
    setup = await setupFromConfig(result.value, existsSync(softphoneDir) ? { softphoneDir } : {});
  } catch (e) {
    process.stderr.write(`sipwss: ${(e as Error).message}\n`);
    return 1;
  }
  if (v.check) {
    for (const n of setup.notes) process.stdout.write(`note: ${n}\n`);
    process.stdout.write(`${result.value.file}: configuration OK\n`);
    return 0;
  }

  const logger = pino({
    level: levelName(setup.logLevel),
    ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
  for (const n of setup.notes) logger.info(n);
  if (banner) logger.info(banner);
  let server: SipServer;
  try {
    server = await SipServer.start({ ...setup.options, logger });
  } catch (e) {
    logger.error({ err: e }, `sipwss could not start: ${(e as Error).message}`);
    logger.flush?.();
    return 1;
  }
  const urls = server.urls;
  const page = urls.filter((u) => u.startsWith('wss://')).map((u) => u.replace(/^wss:/, 'https:'));
  logger.info(
    { urls },
    `sipwss ${pkg.version} ready: clients connect to ${urls.join(', ')}` +
      (page.length > 0 && setup.options.softphoneDir ? `; softphone page at ${page[0]}` : ''),
  );
  // Machine-readable line for scripts and tests (stdout, one line).
  if (!process.stdout.isTTY) process.stdout.write(`${JSON.stringify({ sipwss: 'ready', urls })}\n`);

  process.on('SIGHUP', () => {
    if (!setup.tls) return;
    setup.tls.reload().then(
      () => logger.info('TLS certificates reloaded'),
      (err: unknown) => logger.error({ err }, 'TLS reload failed; the previous certificates stay in use'),
    );
  });
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      logger.info(`${sig}: stopping`);
      void server.stop().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`sipwss: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
