/**
 * A WebSocket exchange run inside a Chromium page: open `url` with the given subprotocols, send
 * text messages once open, collect `expect` received messages, close with 1000 and report.
 *
 * The page code is a plain JS string, not a TypeScript function: tsx/esbuild may wrap functions
 * in helpers (`__name`) that do not exist in the page.
 */
import type { Page } from 'playwright-core';

export interface PageWsArgs {
  readonly url: string;
  readonly protocols: readonly string[];
  /** Text messages to send, in order, after `open`. */
  readonly send: readonly string[];
  /** How many messages to wait for before closing. */
  readonly expect: number;
  readonly timeoutMs: number;
}

export interface PageWsResult {
  /** Negotiated subprotocol (`WebSocket.protocol`). */
  readonly protocol: string;
  /** Received messages: text, or `binary:<utf8>` for binary frames. */
  readonly received: readonly string[];
  /** Set when the socket failed, closed early, or timed out. */
  readonly error?: string;
  readonly closeCode?: number;
}

const PAGE_WS_EXCHANGE = `async (args) => {
  return await new Promise((resolve) => {
    const received = [];
    let done = false;
    let ws;
    const finish = (error, closeCode) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const result = { protocol: ws ? ws.protocol : '', received };
      if (error) result.error = error;
      if (closeCode !== undefined) result.closeCode = closeCode;
      try { ws.close(1000); } catch (e) {}
      resolve(result);
    };
    const timer = setTimeout(() => finish('timeout after ' + args.timeoutMs + ' ms'), args.timeoutMs);
    try {
      ws = new WebSocket(args.url, args.protocols);
    } catch (e) {
      finish('constructor: ' + e.message);
      return;
    }
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => { for (const m of args.send) ws.send(m); if (args.expect === 0) finish(); };
    ws.onmessage = (ev) => {
      received.push(typeof ev.data === 'string' ? ev.data : 'binary:' + new TextDecoder().decode(ev.data));
      if (received.length >= args.expect) finish();
    };
    ws.onerror = () => finish('error event');
    ws.onclose = (ev) => finish('closed early', ev.code);
  });
}`;

export async function pageWsExchange(page: Page, args: PageWsArgs): Promise<PageWsResult> {
  return (await page.evaluate(`(${PAGE_WS_EXCHANGE})(${JSON.stringify(args)})`)) as PageWsResult;
}
