/**
 * Browser phones for acceptance tests: headless Debian Chromium pages running JsSIP 3.13 or SIP.js
 * 0.21 (from npm, bundled at test time with esbuild), registering over WSS to the server under test
 * and calling each other with real WebRTC audio (Chromium's fake microphone) on loopback.
 * Server-agnostic: give the WSS URL and SIP domain.
 *
 *   const lab = await startPhoneLab();           // one Chromium + a tiny https server for the pages
 *   after(() => lab.close());
 *   const a = await lab.phone('jssip', { url, domain }, { user: 'alice' });
 *   const b = await lab.phone('jssip', { url, domain }, { user: 'bob' });
 *   await Promise.all([a.register(), b.register()]);
 *   const report = await callWithMedia(a, b);     // A calls B, B answers, ≥3 s of audio both ways, A hangs up
 *
 * The pages (test/helpers/pages/*-phone.ts) expose `window.phone` (PhoneApi). They are served from
 * https://127.0.0.1:<port>/ with the test certificate, so the page is a secure context (getUserMedia)
 * and Chromium sends `Origin: https://127.0.0.1:<port>` on the WebSocket handshake. Chromium is
 * started with --ignore-certificate-errors, so the test CA need not be installed in it.
 * Non-127.0.0.1 (and TCP) ICE candidates are stripped from local SDPs, and the selected candidate
 * pairs must be host candidates on this machine's addresses: media never leaves the host.
 *
 * Page calls go through page.evaluate() with expression strings, never TypeScript functions (tsx
 * may wrap functions in helpers that do not exist in the page).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { testPki } from './certs.js';
import { type Chromium, launchChromium } from './chromium.js';
import type { ClientLibrary, SipServerTarget } from './node-clients.js';
import type { CallState, MediaStats, PhoneState, RegisterArgs } from './pages/phone-common.js';

export type { CallState, MediaStats, PhoneState } from './pages/phone-common.js';

export interface PhoneAccount {
  readonly user: string;
  readonly password?: string;
}

export interface BrowserPhone {
  readonly library: ClientLibrary;
  readonly user: string;
  readonly page: Page;
  /** REGISTER over WSS; rejects with the page's reason (e.g. `registration failed: 401 Unauthorized (…)`). */
  register(): Promise<void>;
  /** Call `target` (a user of the domain) with audio; resolves when established (200 OK + ACK). */
  call(target: string): Promise<void>;
  /** Wait for the incoming call and answer it with audio; resolves when established. */
  answer(timeoutMs?: number): Promise<void>;
  /** Hang up (BYE); resolves when the call has ended on this side. */
  hangup(): Promise<void>;
  waitForCall(state: CallState, timeoutMs?: number): Promise<void>;
  stats(): Promise<MediaStats>;
  state(): Promise<PhoneState>;
  /** Un-register and stop the UA in the page (bounded), then close the page. Idempotent. */
  stop(): Promise<void>;
}

export interface PhoneLab {
  readonly browser: Chromium;
  /** `https://127.0.0.1:<port>/` serving the phone pages. */
  readonly origin: string;
  /** A new page running `library`, pointed at `server`. */
  phone(library: ClientLibrary, server: SipServerTarget, account: PhoneAccount): Promise<BrowserPhone>;
  /** Page console and errors of all pages, and each phone's event log (for failure messages). */
  diagnostics(): Promise<string>;
  /** Stop all phones, the browser and the page server. Idempotent. */
  close(): Promise<void>;
}

const PAGES_DIR = join(import.meta.dirname, 'pages');
const PAGE_HTML = (library: ClientLibrary) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${library} phone</title></head>` +
  `<body><p>${library} test phone</p><script src="${library}.js"></script></body></html>`;

let bundles: Promise<Map<string, { type: string; body: Buffer }>> | undefined;

/** Bundle both phone pages once per process (esbuild, into a temp dir that is removed right after). */
function phoneBundles(): Promise<Map<string, { type: string; body: Buffer }>> {
  bundles ??= (async () => {
    const out = mkdtempSync(join(tmpdir(), 'sipwss-phones-'));
    try {
      await build({
        entryPoints: {
          jssip: join(PAGES_DIR, 'jssip-phone.ts'),
          sipjs: join(PAGES_DIR, 'sipjs-phone.ts'),
        },
        outdir: out,
        bundle: true,
        format: 'iife',
        platform: 'browser',
        target: 'es2020',
        sourcemap: 'inline',
        logLevel: 'warning',
      });
      const files = new Map<string, { type: string; body: Buffer }>();
      for (const library of ['jssip', 'sipjs'] as const) {
        files.set(`/${library}.js`, {
          type: 'text/javascript; charset=utf-8',
          body: readFileSync(join(out, `${library}.js`)),
        });
        files.set(`/${library}.html`, {
          type: 'text/html; charset=utf-8',
          body: Buffer.from(PAGE_HTML(library)),
        });
      }
      return files;
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  })();
  return bundles;
}

async function servePages(): Promise<{ server: Server; origin: string }> {
  const [files, pki] = await Promise.all([phoneBundles(), testPki()]);
  const server = createServer({ cert: pki.server.cert, key: pki.server.key }, (req, res) => {
    const file = files.get((req.url ?? '/').split('?')[0] ?? '/');
    if (req.method !== 'GET' || !file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return { server, origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** page.evaluate of `window.phone.<method>(...args)` as an expression string. */
function callPage(page: Page, method: string, ...args: unknown[]): Promise<unknown> {
  return page.evaluate(`window.phone.${method}(${args.map((a) => JSON.stringify(a)).join(', ')})`);
}

export async function startPhoneLab(): Promise<PhoneLab> {
  const { server, origin } = await servePages();
  let browser: Chromium;
  try {
    browser = await launchChromium();
  } catch (err) {
    server.closeAllConnections();
    server.close();
    throw err;
  }
  const phones: BrowserPhone[] = [];
  let closing: Promise<void> | undefined;

  const lab: PhoneLab = {
    browser,
    origin,
    async phone(library, target, account) {
      const page = await browser.page(`${origin}${library}.html`);
      await page.waitForFunction('window.phone !== undefined', undefined, { timeout: 10_000 });
      let stopping: Promise<void> | undefined;
      const args: RegisterArgs = {
        url: target.url,
        domain: target.domain,
        user: account.user,
        ...(account.password !== undefined ? { password: account.password } : {}),
      };
      const phone: BrowserPhone = {
        library,
        user: account.user,
        page,
        register: async () => {
          await callPage(page, 'register', args);
        },
        call: async (to) => {
          await callPage(page, 'call', to);
        },
        answer: async (timeoutMs = 15_000) => {
          await callPage(page, 'answer', timeoutMs);
        },
        hangup: async () => {
          await callPage(page, 'hangup');
        },
        waitForCall: async (state, timeoutMs = 10_000) => {
          await callPage(page, 'waitForCall', state, timeoutMs);
        },
        stats: async () => (await callPage(page, 'stats')) as MediaStats,
        state: async () => (await page.evaluate('window.phone.state')) as PhoneState,
        stop() {
          stopping ??= (async () => {
            await Promise.race([
              callPage(page, 'stop').catch(() => undefined),
              new Promise((r) => setTimeout(r, 5000).unref()),
            ]);
            await page.close().catch(() => undefined);
          })();
          return stopping;
        },
      };
      phones.push(phone);
      return phone;
    },
    async diagnostics() {
      const parts: string[] = [];
      for (const p of phones) {
        const st = await p.state().catch((e: unknown) => ({ events: [`(state unavailable: ${String(e)})`] }));
        parts.push(`--- ${p.user} (${p.library}, browser) events:\n${st.events.join('\n')}`);
      }
      parts.push(`--- browser console:\n${browser.console.slice(-60).join('\n')}`);
      return parts.join('\n');
    },
    close() {
      closing ??= (async () => {
        await Promise.all(phones.map((p) => p.stop()));
        await browser.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
  return lab;
}

/**
 * Why the two pages' selected candidate pairs could carry media off this machine, or '' when they
 * cannot. The SDPs advertise only 127.0.0.1, but Chromium also gathers (and sends checks from) the
 * host's other interface addresses, so e.g. 192.0.2.2 → 127.0.0.1 is a legal pair: such packets still
 * never leave the host. Every candidate must be a host candidate on an address of this machine, or a
 * peer-reflexive one (learnt from the other page's checks), whose address Chromium hides: that one must
 * then be the other page's selected local candidate (same port), itself checked.
 */
function offHost(a: MediaStats, b: MediaStats): string {
  const mine = new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((i) => i?.address),
  );
  for (const [side, s, other] of [
    ['caller', a, b],
    ['callee', b, a],
  ] as const) {
    for (const [end, c] of [
      ['local', s.local],
      ['remote', s.remote],
    ] as const) {
      const what = `${side}'s ${end} candidate`;
      if (!c) return `${side} has no selected candidate pair`;
      if (c.type !== 'host' && c.type !== 'prflx') return `${what} is ${c.type}`;
      if (c.address !== '') {
        if (!mine.has(c.address)) return `${what} ${c.address} is not an address of this host`;
        // the other page advertised 127.0.0.1 only (onlyLoopbackCandidates)
        if (end === 'remote' && c.type === 'host' && c.address !== '127.0.0.1') {
          return `${what} ${c.address} was advertised in SDP: candidates were not stripped`;
        }
      } else if (c.type !== 'prflx' || end !== 'remote' || c.port !== other.local?.port) {
        return `${what} (${c.type}, port ${c.port}) has a hidden address and is not the other page's local candidate`;
      }
    }
  }
  return '';
}

export interface CallReport {
  /** Stats samples, once a second while the call was up: [caller, callee] per sample. */
  readonly samples: ReadonlyArray<readonly [MediaStats, MediaStats]>;
  /** The callee's view of who ended the call ('remote' = the caller's BYE reached it). */
  readonly calleeEndedBy: string;
  readonly callerEndedBy: string;
}

/**
 * The two-phone call: `caller` calls `callee`, the callee answers, audio must flow both ways for
 * `mediaMs` (default 3000): inbound-rtp packetsReceived grows between every pair of one-second samples
 * on both sides, over candidates on this machine's addresses (offHost()). Then the caller hangs up
 * and both see the call end.
 * Throws an Error saying which check failed.
 */
export async function callWithMedia(
  caller: BrowserPhone,
  callee: BrowserPhone,
  opts: { mediaMs?: number } = {},
): Promise<CallReport> {
  const mediaMs = opts.mediaMs ?? 3000;
  await Promise.all([caller.call(callee.user), callee.answer(15_000)]);
  const samples: Array<readonly [MediaStats, MediaStats]> = [];
  const sample = async () => {
    const s = [await caller.stats(), await callee.stats()] as const;
    samples.push(s);
    return s;
  };
  // ICE/DTLS may finish a little after the 200 OK/ACK: wait for the first packets (bounded)
  const firstBy = Date.now() + 10_000;
  for (;;) {
    const [a, b] = await sample();
    if (a.packetsReceived > 0 && b.packetsReceived > 0) break;
    if (Date.now() > firstBy) {
      throw new Error(
        `no audio within 10 s of answer: caller ${JSON.stringify(a)}, callee ${JSON.stringify(b)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const steps = Math.ceil(mediaMs / 1000);
  for (let i = 0; i < steps; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const [a, b] = await sample();
    const prev = samples[samples.length - 2];
    if (!prev) throw new Error('no previous sample');
    const why = offHost(a, b);
    if (why) throw new Error(`media may leave this host: ${why}`);
    for (const [side, now, before] of [
      ['caller', a, prev[0]],
      ['callee', b, prev[1]],
    ] as const) {
      if (now.packetsReceived <= before.packetsReceived) {
        throw new Error(
          `${side} stopped receiving audio after ${i} s: packetsReceived ${before.packetsReceived} → ${now.packetsReceived} ` +
            `(ice ${now.iceConnectionState}, pc ${now.connectionState})`,
        );
      }
    }
  }
  await caller.hangup();
  await callee.waitForCall('ended', 10_000);
  const [cs, ce] = [await caller.state(), await callee.state()];
  return { samples, calleeEndedBy: ce.endedBy, callerEndedBy: cs.endedBy };
}
