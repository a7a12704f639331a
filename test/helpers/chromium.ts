/**
 * Debian's Chromium, headless, driven by playwright-core (never a downloaded browser).
 *
 *   test('...', { skip: missingPeer('chromium') }, async () => {
 *     await withChromium(async (b) => {
 *       const page = await b.page();
 *       const got = await page.evaluate(() => 1 + 1);
 *     });
 *   });
 *
 * Each launch gets a fresh user-data dir in a temp dir (launchPersistentContext), the flags that
 * work on this machine (shared/notes/clients-on-the-wire.md), and a guaranteed close: close() waits
 * for Playwright's orderly shutdown, then SIGKILLs any process whose command line names that
 * user-data dir (this launch's processes only), then removes the dir. A process 'exit' hook does the
 * same for a browser a test forgot.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { PEERS } from './peers.js';

export const CHROMIUM_BINARY = PEERS.chromium.binary;

/** Flags for automated WebRTC/WebSocket tests on loopback (headless is set by Playwright). */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--ignore-certificate-errors',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

export interface Chromium {
  readonly context: BrowserContext;
  /** The fresh --user-data-dir of this launch. */
  readonly userDataDir: string;
  /** A new page (tab); `url` is loaded when given (default about:blank). */
  page(url?: string): Promise<Page>;
  /** Console messages and page errors of all pages, for failure messages. */
  readonly console: readonly string[];
  /** Orderly close, then SIGKILL of leftovers, then removal of the user-data dir. Idempotent. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Extra Chromium flags. */
  readonly args?: readonly string[];
  /** Launch timeout (default 20 s). */
  readonly timeoutMs?: number;
}

/** PIDs of live processes whose command line contains `needle` (a unique temp path). Linux only. */
function pidsWithArg(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) out.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

function killByArg(needle: string): void {
  for (const pid of pidsWithArg(needle)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const openDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const dir of openDirs) {
      killByArg(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

function timeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export async function launchChromium(opts: LaunchOptions = {}): Promise<Chromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'sipwss-chromium-'));
  installExitHook();
  openDirs.add(userDataDir);
  const messages: string[] = [];
  let closing: Promise<void> | undefined;
  const cleanup = async (context: BrowserContext | undefined): Promise<void> => {
    if (context)
      await timeout(
        context.close().catch(() => undefined),
        5000,
      );
    killByArg(userDataDir);
    openDirs.delete(userDataDir);
    rmSync(userDataDir, { recursive: true, force: true });
  };
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_BINARY,
      headless: true,
      ignoreHTTPSErrors: true,
      args: [...CHROMIUM_FLAGS, ...(opts.args ?? [])],
      timeout: opts.timeoutMs ?? 20_000,
    });
  } catch (err) {
    await cleanup(undefined);
    throw err;
  }
  const watch = (p: Page) => {
    p.on('console', (m) => messages.push(`console.${m.type()}: ${m.text()}`));
    p.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    userDataDir,
    console: messages,
    async page(url?: string) {
      const p = await context.newPage();
      if (url !== undefined) await p.goto(url);
      return p;
    },
    close() {
      closing ??= cleanup(context);
      return closing;
    },
  };
}

/** Launch, run `fn`, and always close, whatever `fn` does. */
export async function withChromium<T>(fn: (b: Chromium) => Promise<T>, opts?: LaunchOptions): Promise<T> {
  const b = await launchChromium(opts);
  try {
    return await fn(b);
  } finally {
    await b.close();
  }
}

/** Whether any process launched with this user-data dir is still alive (for tests of close()). */
export function chromiumAlive(userDataDir: string): boolean {
  return pidsWithArg(userDataDir).some((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  });
}
