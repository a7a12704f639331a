/**
 * The sipwss transport as the interop tests and the transport bench use it, loaded dynamically.
 *
 * src/transport/ is written on another branch; until it is merged this file lets the tests and
 * bench/servers/sipwss.ts typecheck without it. The interface below is the agreed API (it may grow;
 * only what is used here is described). Once the transport has landed, `loadTransport()` can become a
 * static `import { Transport } from '../../src/transport/index.js'` and these types can go.
 */
import { pathToFileURL } from 'node:url';
import type { ClientTlsProvider, ServerTlsProvider } from '../../src/tls/provider.js';

export interface TransportListenerInfo {
  readonly proto: string;
  readonly host: string;
  readonly port: number;
}

export interface TransportMessage {
  /** One complete SIP message, as received in one WebSocket message. */
  readonly data: Buffer;
  readonly connectionId: string | number;
  readonly transport: 'WS' | 'WSS';
  readonly remote: unknown;
  readonly local: unknown;
}

export interface TransportStartOptions {
  /** OpenSIPS listen syntax, e.g. `wss:127.0.0.1:0`, `ws:[::1]:0` */
  readonly listen: readonly string[];
  readonly tls?: ServerTlsProvider;
  readonly clientTls?: ClientTlsProvider;
  /** OpenSIPS parameter names, e.g. `{ wss_handshake_timeout: 100 }` */
  readonly params?: Readonly<Record<string, string | number | boolean>>;
}

export interface TransportInstance {
  readonly listeners: readonly TransportListenerInfo[];
  on(event: 'message', listener: (m: TransportMessage) => void): unknown;
  send(connectionId: TransportMessage['connectionId'], bytes: Buffer | Uint8Array | string): Promise<unknown>;
  sendTo(dest: { readonly url: string }, bytes: Buffer | Uint8Array | string): Promise<unknown>;
  stop(): Promise<void>;
}

export interface TransportClass {
  start(opts: TransportStartOptions): Promise<TransportInstance>;
}

/** Path of the transport module relative to this file. */
const TRANSPORT_MODULE = '../../src/transport/index.js';

/**
 * The Transport class of src/transport. Fails with a clear message when the transport is absent
 * (it is not skipped: an interop test without its subject is a failure).
 */
export async function loadTransport(): Promise<TransportClass> {
  // SIPWSS_TRANSPORT_MODULE: another implementation of the same API (absolute path), e.g. a stand-in
  // used to check these tests themselves
  const override = process.env.SIPWSS_TRANSPORT_MODULE;
  const spec: string = override
    ? pathToFileURL(override).href
    : new URL(TRANSPORT_MODULE, import.meta.url).href;
  let mod: { Transport?: TransportClass };
  try {
    mod = (await import(spec)) as { Transport?: TransportClass };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('transport')) {
      throw new Error(
        'the sipwss transport (src/transport/index.ts) is not on this branch yet: ' +
          'merge the transport branch first (or set SIPWSS_TRANSPORT_MODULE to a module exporting Transport)',
      );
    }
    throw err;
  }
  if (typeof mod.Transport?.start !== 'function') {
    throw new Error('src/transport/index.js does not export Transport.start()');
  }
  return mod.Transport;
}

export interface Inbox {
  /** The next received message (not yet consumed) whose text satisfies `match`. */
  next(match: (text: string, m: TransportMessage) => boolean, timeoutMs?: number): Promise<TransportMessage>;
}

/** Collects a transport's 'message' events so tests can await them in any order. */
export function messageInbox(t: TransportInstance): Inbox {
  const inbox: TransportMessage[] = [];
  const waiters: Array<{
    match: (text: string, m: TransportMessage) => boolean;
    resolve: (m: TransportMessage) => void;
  }> = [];
  t.on('message', (m) => {
    const text = m.data.toString('utf8');
    const i = waiters.findIndex((w) => w.match(text, m));
    if (i >= 0) waiters.splice(i, 1)[0]?.resolve(m);
    else inbox.push(m);
  });
  return {
    next(match, timeoutMs = 5000) {
      const i = inbox.findIndex((m) => match(m.data.toString('utf8'), m));
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0] as TransportMessage);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (m: TransportMessage) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          const at = waiters.indexOf(waiter);
          if (at >= 0) waiters.splice(at, 1);
          const seen = inbox.map((m) => m.data.toString('utf8').split('\r\n', 1)[0]);
          reject(new Error(`no matching message within ${timeoutMs} ms; unmatched: ${JSON.stringify(seen)}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
  };
}
