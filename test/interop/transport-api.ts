/**
 * The sipwss transport as the interop tests and the transport bench use it, loaded dynamically.
 *
 * src/transport/ is written on another branch; until it is merged this file lets the tests and
 * bench/servers/sipwss.ts typecheck without it. The interface below is the agreed API (it may grow;
 * only what is used here is described). Once the transport has landed, `loadTransport()` can become a
 * static `import { Transport } from '../../src/transport/index.js'` and these types can go.
 */
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
  const spec: string = new URL(TRANSPORT_MODULE, import.meta.url).href;
  let mod: { Transport?: TransportClass };
  try {
    mod = (await import(spec)) as { Transport?: TransportClass };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('transport')) {
      throw new Error(
        'src/transport/index.ts is not on this branch yet: these interop tests need the sipwss transport ' +
          '(merge the transport branch first)',
      );
    }
    throw err;
  }
  if (typeof mod.Transport?.start !== 'function') {
    throw new Error('src/transport/index.js does not export Transport.start()');
  }
  return mod.Transport;
}
