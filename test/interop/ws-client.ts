/**
 * A minimal SIP-over-WebSocket test client on the `ws` package: connect with subprotocol `sip`,
 * send text frames, and await the next message matching a predicate, with a deadline.
 */
import WebSocket from 'ws';

export interface WsSipClient {
  readonly ws: WebSocket;
  send(text: string): void;
  /** The next received message (not yet consumed) for which `match` holds. */
  next(match: (msg: string) => boolean, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

export async function connectSip(
  url: string,
  opts: { ca?: string; rejectUnauthorized?: boolean; timeoutMs?: number } = {},
): Promise<WsSipClient> {
  const ws = new WebSocket(url, 'sip', {
    ca: opts.ca,
    rejectUnauthorized: opts.rejectUnauthorized ?? true,
    perMessageDeflate: false,
    handshakeTimeout: opts.timeoutMs ?? 5000,
  });
  const inbox: string[] = [];
  const waiters: Array<{ match: (m: string) => boolean; resolve: (m: string) => void }> = [];
  ws.on('message', (data: WebSocket.RawData) => {
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    const i = waiters.findIndex((w) => w.match(text));
    if (i >= 0) {
      const [w] = waiters.splice(i, 1);
      w?.resolve(text);
    } else {
      inbox.push(text);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('error', () => {
    // reported through close; the test sees a timeout in next()
  });
  return {
    ws,
    send: (text) => ws.send(text),
    next(match, timeoutMs = 5000) {
      const i = inbox.findIndex(match);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0] as string);
      return new Promise<string>((resolve, reject) => {
        const waiter = {
          match,
          resolve: (m: string) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          const at = waiters.indexOf(waiter);
          if (at >= 0) waiters.splice(at, 1);
          reject(
            new Error(`no matching message within ${timeoutMs} ms; unmatched: ${JSON.stringify(inbox)}`),
          );
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        const timer = setTimeout(() => {
          ws.terminate();
          resolve();
        }, 2000);
        ws.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        ws.close(1000);
      });
    },
  };
}
