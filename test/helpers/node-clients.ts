/**
 * Real SIP WebSocket clients in Node: JsSIP 3.13 and SIP.js 0.21 from npm, unmodified, over the `ws`
 * package to a `wss://` server whose certificate is signed by the test CA. Server-agnostic: a test
 * gives the URL, the SIP domain and the CA, so the same helpers drive Kamailio now and sipwss later.
 *
 *   const alice = createNodeUa({ library: 'jssip', user: 'alice', server: { url, domain, ca } });
 *   after(() => alice.stop());
 *   await alice.register();                              // rejects with SipStatusError (e.g. 401)
 *   const { status } = await alice.message('bob', 'hi'); // final status of the MESSAGE
 *   const got = await bob.nextMessage();                 // bob's UA answered it with 200
 *
 * No globals leak between tests:
 * - JsSIP takes a socket object: WsJsSipSocket implements JsSIP's Socket interface on top of `ws`.
 * - SIP.js's own WebSocket transport calls `new WebSocket(url, "sip")` on the global, once, inside
 *   connect(): NodeSipJsTransport sets a CA-bound `ws` class as the global for that synchronous call
 *   only and restores the previous value at once.
 *
 * Every UA registers itself in a set; stopAllNodeUas() (and each stop()) ends them even when a test
 * failed half-way. All waits are bounded (default 10 s).
 */
import JsSIP from 'jssip';
import type { UA as JsSipUA } from 'jssip/lib/UA.js';
import {
  type LogLevel,
  Messager,
  Registerer,
  RegistererState,
  type Message as SipJsMessage,
  UserAgent,
  Web,
} from 'sip.js';
import WebSocket from 'ws';

export type ClientLibrary = 'jssip' | 'sipjs';
export const CLIENT_LIBRARIES: readonly ClientLibrary[] = ['jssip', 'sipjs'];

/** Where the server under test is. */
export interface SipServerTarget {
  /** `wss://127.0.0.1:<port>/` (or `ws://`). */
  readonly url: string;
  /** The SIP domain of the AoRs (`sip:alice@<domain>`). */
  readonly domain: string;
  /** PEM CA that signed the server certificate (wss only). */
  readonly ca?: string;
}

export interface NodeUaOptions {
  readonly library: ClientLibrary;
  readonly user: string;
  /** Digest password (both libraries: MD5, answer 401/407 once). */
  readonly password?: string;
  readonly server: SipServerTarget;
  /** Registration expiry asked for (default: the library's 600 s). */
  readonly expires?: number;
  /** Bound on register/unregister/message/connect waits (default 10 s). */
  readonly timeoutMs?: number;
}

export interface ReceivedMessage {
  /** From URI, e.g. `sip:alice@127.0.0.1`. */
  readonly from: string;
  readonly body: string;
  readonly contentType: string;
}

export interface MessageResult {
  /** Final status code of the MESSAGE (200, 404, …). */
  readonly status: number;
  readonly reason: string;
}

export interface NodeUa {
  readonly library: ClientLibrary;
  readonly user: string;
  /** `sip:<user>@<domain>` */
  readonly aor: string;
  /** Connect if needed and REGISTER. Resolves once registered; rejects with SipStatusError on a final
   * error response (after the library's own digest retry), or with an Error on timeout/transport failure. */
  register(): Promise<void>;
  /** Un-REGISTER this UA's binding (expires=0). */
  unregister(): Promise<void>;
  /** Send an out-of-dialog MESSAGE to `target` (a user of the domain, or a full `sip:` URI); resolves with
   * the final status (any class), rejects only when there is no response (timeout, transport error). */
  message(target: string, body: string, contentType?: string): Promise<MessageResult>;
  /** Every MESSAGE received so far (each answered 200 by the library). */
  readonly received: readonly ReceivedMessage[];
  /** The first received MESSAGE (of all so far, or arriving) matching `predicate`; waits up to timeoutMs. */
  nextMessage(predicate?: (m: ReceivedMessage) => boolean, timeoutMs?: number): Promise<ReceivedMessage>;
  /** Whether the library considers itself registered. */
  isRegistered(): boolean;
  /** WebSocket connections opened so far (1 after the first connect; +1 per reconnection). */
  connections(): number;
  /** Drop the current WebSocket abruptly from the client side (a lost network: no close frame). */
  dropConnection(): void;
  /**
   * Back on a new connection and registered again, as each library's apps do it: JsSIP reconnects by
   * itself (after 2 s; its UA then re-REGISTERs with the same Call-ID and Contact), SIP.js does not, so
   * this calls `userAgent.reconnect()` and REGISTERs again (as SIP.js's SimpleUser does).
   * Rejects like register(), or on timeout.
   */
  recover(): Promise<void>;
  /** Library events (registered, disconnected, …) and errors, for failure messages. */
  readonly events: readonly string[];
  /** Stop the UA (the library un-registers if registered), close the socket. Idempotent, bounded. */
  stop(): Promise<void>;
}

/** A SIP final response that ended an operation. */
export class SipStatusError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(`${operation} failed: ${status} ${reason}`);
    this.name = 'SipStatusError';
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A promise settled by `run`, or rejected after `ms`. `run` may register cleanups (listeners,
 * intervals) with `onSettle`: they run once, whichever way the promise settles.
 */
function withTimeout<T>(
  what: string,
  ms: number,
  run: (resolve: (v: T) => void, reject: (e: Error) => void, onSettle: (cleanup: () => void) => void) => void,
) {
  return new Promise<T>((resolve, reject) => {
    const cleanups: Array<() => void> = [];
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      for (const c of cleanups.splice(0)) c();
      return true;
    };
    const timer = setTimeout(() => {
      if (settle()) reject(new Error(`${what}: no outcome within ${ms} ms`));
    }, ms);
    run(
      (v) => {
        if (settle()) resolve(v);
      },
      (e) => {
        if (settle()) reject(e);
      },
      (cleanup) => {
        if (settled) cleanup();
        else cleanups.push(cleanup);
      },
    );
  });
}

function targetUri(target: string, domain: string): string {
  return target.startsWith('sip:') || target.startsWith('sips:') ? target : `sip:${target}@${domain}`;
}

/** `ws` client options for the server: its CA, no compression (both work uncompressed). */
function wsOptions(server: SipServerTarget): WebSocket.ClientOptions {
  return { perMessageDeflate: false, ...(server.ca !== undefined ? { ca: server.ca } : {}) };
}

const live = new Set<NodeUa>();

/** Stop every UA created and not yet stopped (an `after` hook safety net). */
export async function stopAllNodeUas(): Promise<void> {
  await Promise.all([...live].map((ua) => ua.stop()));
}

export function createNodeUa(opts: NodeUaOptions): NodeUa {
  const ua = opts.library === 'jssip' ? createJsSipUa(opts) : createSipJsUa(opts);
  live.add(ua);
  return ua;
}

/** Messages collected by a UA, with waiters. */
class Inbox {
  readonly list: ReceivedMessage[] = [];
  private waiters: Array<() => void> = [];

  push(m: ReceivedMessage): void {
    this.list.push(m);
    for (const w of this.waiters.splice(0)) w();
  }

  next(
    user: string,
    predicate: (m: ReceivedMessage) => boolean,
    timeoutMs: number,
  ): Promise<ReceivedMessage> {
    return withTimeout<ReceivedMessage>(
      `${user}: waiting for a MESSAGE`,
      timeoutMs,
      (resolve, _reject, onSettle) => {
        const check = () => {
          const found = this.list.find(predicate);
          if (found) resolve(found);
          else this.waiters.push(check);
        };
        onSettle(() => {
          this.waiters = this.waiters.filter((w) => w !== check);
        });
        check();
      },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// JsSIP

/** What JsSIP's Transport assigns on a socket and calls. */
type JsSipSocketHandlers = {
  onconnect: () => void;
  ondisconnect: (error: boolean, code?: number, reason?: string) => void;
  ondata: (data: string) => void;
};

/**
 * JsSIP's Socket interface (lib/Socket.d.ts, checked by Socket.isSocket) over `ws`, with the test CA.
 * Same behaviour as JsSIP's WebSocketInterface: subprotocol `sip`, text frames, `ondisconnect(error)`
 * with `error` = the close was not clean.
 */
export class WsJsSipSocket implements JsSipSocketHandlers {
  readonly url: string;
  readonly sip_uri: string;
  private _via: string;
  private ws: WebSocket | undefined;
  /** Connections opened so far. */
  opened = 0;
  onconnect: () => void = () => undefined;
  ondisconnect: (error: boolean, code?: number, reason?: string) => void = () => undefined;
  ondata: (data: string) => void = () => undefined;

  constructor(
    url: string,
    private readonly options: WebSocket.ClientOptions,
  ) {
    const u = new URL(url);
    if (u.protocol !== 'wss:' && u.protocol !== 'ws:') throw new TypeError(`not a WebSocket URL: ${url}`);
    this.url = url;
    this.sip_uri = `sip:${u.hostname}${u.port ? `:${u.port}` : ''};transport=ws`;
    this._via = u.protocol === 'wss:' ? 'WSS' : 'WS';
  }

  get via_transport(): string {
    return this._via;
  }
  set via_transport(value: string) {
    this._via = value.toUpperCase();
  }

  connect(): void {
    if (this.isConnected() || this.isConnecting()) return;
    if (this.ws) this.disconnect();
    const ws = new WebSocket(this.url, 'sip', this.options);
    this.ws = ws;
    ws.on('open', () => {
      if (this.ws !== ws) return;
      this.opened++;
      this.onconnect();
    });
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws) return;
      // JsSIP turns a binary frame into a string byte by byte (latin1); text frames are UTF-8
      const buf = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(new Uint8Array(data));
      this.ondata(buf.toString(isBinary ? 'latin1' : 'utf8'));
    });
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      // `error` as JsSIP's WebSocketInterface passes it: !CloseEvent.wasClean (1006: no close frame)
      this.ondisconnect(code === 1006, code, reason.toString());
    });
    // 'error' is followed by 'close'; without a listener `ws` would throw
    ws.on('error', () => undefined);
  }

  disconnect(): void {
    const ws = this.ws;
    if (!ws) return;
    this.ws = undefined;
    ws.close();
  }

  /** Drop the connection without a close handshake; JsSIP sees an abrupt disconnection (1006). */
  drop(): void {
    this.ws?.terminate();
  }

  /** Drop the connection without a close handshake, unseen by JsSIP (cleanup of a stuck stop()). */
  terminate(): void {
    const ws = this.ws;
    this.ws = undefined;
    ws?.terminate();
  }

  send(message: string): boolean {
    if (!this.isConnected()) return false;
    this.ws?.send(message);
    return true;
  }

  isConnected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  isConnecting(): boolean {
    return this.ws?.readyState === WebSocket.CONNECTING;
  }
}

/** The narrow view of JsSIP event payloads that these helpers read. */
interface JsSipResponseView {
  readonly status_code: number;
  readonly reason_phrase: string;
}
interface JsSipFailView {
  readonly response?: JsSipResponseView | null;
  readonly cause?: string;
}
interface JsSipNewMessageView {
  readonly originator: string;
  readonly request: {
    readonly body?: string;
    readonly from: { readonly uri: { toString(): string } };
    getHeader(name: string): string | undefined;
  };
}
type JsSipEmitter = {
  on(event: string, listener: (e: unknown) => void): unknown;
  once(event: string, listener: (e: unknown) => void): unknown;
  removeListener(event: string, listener: (e: unknown) => void): unknown;
};

function createJsSipUa(opts: NodeUaOptions): NodeUa {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const aor = `sip:${opts.user}@${opts.server.domain}`;
  const socket = new WsJsSipSocket(opts.server.url, wsOptions(opts.server));
  const ua: JsSipUA = new JsSIP.UA({
    // structurally JsSIP's Socket (the class in its typings has no public constructor to extend)
    sockets: [socket as unknown as JsSIP.Socket],
    uri: aor,
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    register: false,
    ...(opts.expires !== undefined ? { register_expires: opts.expires } : {}),
    session_timers: true,
  });
  const em = ua as unknown as JsSipEmitter;
  const events: string[] = [];
  const inbox = new Inbox();
  let started = false;
  let connected = false;
  let stopping: Promise<void> | undefined;

  for (const name of ['connected', 'disconnected', 'registered', 'unregistered', 'registrationFailed']) {
    em.on(name, (e) => {
      const fail = e as JsSipFailView;
      const status = fail?.response ? ` ${fail.response.status_code}` : '';
      events.push(`${name}${status}${fail?.cause ? ` (${fail.cause})` : ''}`);
    });
  }
  em.on('connected', () => {
    connected = true;
  });
  /** socket.opened at the last 'registered' event: which connection the binding was made on. */
  let registeredOn = 0;
  em.on('registered', () => {
    registeredOn = socket.opened;
  });
  /** socket.opened when the last connection was lost (dropped by us, or closed by the server). */
  let lostOn = 0;
  em.on('disconnected', () => {
    connected = false;
    lostOn = socket.opened;
  });
  em.on('newMessage', (e) => {
    const m = e as JsSipNewMessageView;
    if (m.originator !== 'remote') return;
    // JsSIP answers an incoming MESSAGE with 200 itself when the app does not
    inbox.push({
      from: m.request.from.uri.toString(),
      body: m.request.body ?? '',
      contentType: m.request.getHeader('Content-Type') ?? '',
    });
  });

  const ensureConnected = (): Promise<void> => {
    if (connected) return Promise.resolve();
    return withTimeout<void>(
      `${opts.user} (jssip): connecting to ${opts.server.url}`,
      timeoutMs,
      (resolve, _reject, onSettle) => {
        const onConnected = () => resolve();
        em.once('connected', onConnected);
        onSettle(() => em.removeListener('connected', onConnected));
        if (!started) {
          started = true;
          ua.start();
        }
      },
    );
  };

  /** Wait for one of `ok` / `fail` after `act()`; listeners removed either way. */
  const outcome = (what: string, ok: string, fail: string, act: () => void): Promise<void> =>
    withTimeout<void>(`${opts.user} (jssip): ${what}`, timeoutMs, (resolve, reject, onSettle) => {
      const onOk = () => resolve();
      const onFail = (e: unknown) => {
        const f = e as JsSipFailView;
        if (f.response) reject(new SipStatusError(what, f.response.status_code, f.response.reason_phrase));
        else reject(new Error(`${what} failed: ${f.cause ?? 'no response'}`));
      };
      em.once(ok, onOk);
      em.once(fail, onFail);
      onSettle(() => {
        em.removeListener(ok, onOk);
        em.removeListener(fail, onFail);
      });
      act();
    });

  const self: NodeUa = {
    library: 'jssip',
    user: opts.user,
    aor,
    events,
    received: inbox.list,
    async register() {
      await ensureConnected();
      await outcome('REGISTER', 'registered', 'registrationFailed', () => ua.register());
    },
    async unregister() {
      // JsSIP emits 'unregistered' on success and on failure (with a cause); a failure carries a response
      await withTimeout<void>(`${opts.user} (jssip): un-REGISTER`, timeoutMs, (resolve, reject, onSettle) => {
        const onUnregistered = (e: unknown) => {
          const f = (e ?? {}) as JsSipFailView;
          if (f.cause && f.response) {
            reject(new SipStatusError('un-REGISTER', f.response.status_code, f.response.reason_phrase));
          } else if (f.cause) reject(new Error(`un-REGISTER failed: ${f.cause}`));
          else resolve();
        };
        em.once('unregistered', onUnregistered);
        onSettle(() => em.removeListener('unregistered', onUnregistered));
        ua.unregister();
      });
    },
    async message(target, body, contentType = 'text/plain') {
      await ensureConnected();
      return withTimeout<MessageResult>(
        `${opts.user} (jssip): MESSAGE to ${target}`,
        timeoutMs,
        (resolve, reject) => {
          ua.sendMessage(targetUri(target, opts.server.domain), body, {
            contentType,
            eventHandlers: {
              succeeded: (e: unknown) => {
                const r = (e as { response: JsSipResponseView }).response;
                resolve({ status: r.status_code, reason: r.reason_phrase });
              },
              failed: (e: unknown) => {
                const f = e as JsSipFailView;
                if (f.response) resolve({ status: f.response.status_code, reason: f.response.reason_phrase });
                else reject(new Error(`MESSAGE failed without a response: ${f.cause ?? 'unknown'}`));
              },
            },
          });
        },
      );
    },
    nextMessage(predicate = () => true, waitMs = timeoutMs) {
      return inbox.next(opts.user, predicate, waitMs);
    },
    isRegistered: () => ua.isRegistered(),
    connections: () => socket.opened,
    dropConnection: () => {
      lostOn = socket.opened;
      socket.drop();
    },
    recover() {
      return withTimeout<void>(
        `${opts.user} (jssip): reconnect and re-REGISTER`,
        timeoutMs,
        (resolve, reject, onSettle) => {
          const onFail = (e: unknown) => {
            // a transaction the loss itself failed ('Connection Error') is not the outcome
            if (!connected || socket.opened <= lostOn) return;
            const f = e as JsSipFailView;
            if (f.response)
              reject(new SipStatusError('REGISTER', f.response.status_code, f.response.reason_phrase));
            else reject(new Error(`REGISTER failed: ${f.cause ?? 'no response'}`));
          };
          // JsSIP reconnects and re-REGISTERs by itself: wait for a binding made on a newer connection
          const poll = setInterval(() => {
            if (socket.opened > lostOn && connected && registeredOn === socket.opened) resolve();
          }, 50);
          em.on('registrationFailed', onFail);
          onSettle(() => {
            clearInterval(poll);
            em.removeListener('registrationFailed', onFail);
          });
        },
      );
    },
    stop() {
      stopping ??= (async () => {
        live.delete(self);
        if (started) {
          // ua.stop() un-registers, waits for its transactions, then closes the socket ('disconnected')
          const closed = new Promise<void>((resolve) => {
            if (!socket.isConnected() && !socket.isConnecting()) resolve();
            em.once('disconnected', () => resolve());
          });
          ua.stop();
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, 5000)))]);
          clearTimeout(timer);
        }
        socket.terminate();
      })();
      return stopping;
    },
  };
  return self;
}

// ---------------------------------------------------------------------------------------------
// SIP.js

/** `ws`'s WebSocket with the test CA bound, shaped like the browser constructor SIP.js calls. */
type WebSocketCtor = new (url: string, protocols?: string | string[]) => WebSocket;

function boundWebSocket(server: SipServerTarget, onOpen: () => void): WebSocketCtor {
  const options = wsOptions(server);
  return class CaWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, options);
      // an 'error' event is followed by 'close', which SIP.js handles; keep `ws` from throwing
      this.on('error', () => undefined);
      this.once('open', onOpen);
    }
  };
}

interface NodeSipJsTransportOptions extends Web.TransportOptions {
  /** The global WebSocket SIP.js should use, for the duration of connect(). */
  readonly webSocket: WebSocketCtor;
}

/**
 * SIP.js's own WebSocket transport, unchanged, except that the global `WebSocket` it constructs is a
 * CA-bound `ws` class during the (synchronous) construction in connect(), and restored right after.
 */
class NodeSipJsTransport extends Web.Transport {
  private readonly webSocket: WebSocketCtor;

  constructor(logger: ConstructorParameters<typeof Web.Transport>[0], options: NodeSipJsTransportOptions) {
    const { webSocket, ...rest } = options;
    super(logger, rest);
    this.webSocket = webSocket;
  }

  override connect(): Promise<void> {
    const g = globalThis as { WebSocket?: unknown };
    const had = Object.hasOwn(g, 'WebSocket');
    const previous = g.WebSocket;
    g.WebSocket = this.webSocket;
    try {
      return super.connect();
    } finally {
      if (had) g.WebSocket = previous;
      else delete g.WebSocket;
    }
  }
}

function createSipJsUa(opts: NodeUaOptions): NodeUa {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const aor = `sip:${opts.user}@${opts.server.domain}`;
  const uri = UserAgent.makeURI(aor);
  if (!uri) throw new Error(`bad AoR ${aor}`);
  const events: string[] = [];
  const inbox = new Inbox();
  /** WebSocket connections opened so far, and that count when the last one was lost. */
  let opened = 0;
  let lostOn = 0;
  const transportOptions: NodeSipJsTransportOptions = {
    server: opts.server.url,
    connectionTimeout: Math.ceil(timeoutMs / 1000),
    webSocket: boundWebSocket(opts.server, () => {
      opened++;
    }),
  };
  const logLevel: LogLevel = 'warn';
  const ua = new UserAgent({
    uri,
    transportConstructor: NodeSipJsTransport,
    transportOptions,
    ...(opts.password !== undefined
      ? { authorizationUsername: opts.user, authorizationPassword: opts.password }
      : {}),
    logBuiltinEnabled: false,
    logLevel,
    logConnector: (level, category, _label, content) => {
      if (level === 'error' || level === 'warn') events.push(`${level} ${category}: ${content}`);
    },
    delegate: {
      onConnect: () => events.push('connected'),
      onDisconnect: (error) => {
        lostOn = opened;
        events.push(`disconnected${error ? `: ${error.message}` : ''}`);
      },
      onMessage: (message: SipJsMessage) => {
        const req = message.request;
        inbox.push({
          from: req.from.uri.toString(),
          body: req.body ?? '',
          contentType: req.getHeader('Content-Type') ?? '',
        });
        void message.accept().catch((e: unknown) => events.push(`accept failed: ${String(e)}`));
      },
    },
  });
  const registerer = new Registerer(ua, opts.expires !== undefined ? { expires: opts.expires } : {});
  registerer.stateChange.addListener((s) => events.push(`registerer: ${s}`));
  let started: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  const ensureStarted = (): Promise<void> => {
    started ??= ua.start();
    return started;
  };

  /** Run a REGISTER (or un-REGISTER) and wait for the registerer to reach `want`. */
  const registration = (what: string, want: RegistererState, send: typeof registerer.register) =>
    withTimeout<void>(`${opts.user} (sipjs): ${what}`, timeoutMs, (resolve, reject) => {
      let accepted = false;
      const listener = (s: RegistererState) => {
        if (s === want) {
          registerer.stateChange.removeListener(listener);
          resolve();
        } else if (accepted && s !== RegistererState.Registered) {
          // e.g. a 200 OK without `;expires=` on our Contact: SIP.js drops the binding
          registerer.stateChange.removeListener(listener);
          reject(new Error(`${what}: 2xx accepted but the registerer went ${s}`));
        }
      };
      registerer.stateChange.addListener(listener);
      send
        .call(registerer, {
          requestDelegate: {
            onAccept: () => {
              accepted = true;
              if (registerer.state === want) listener(want);
            },
            onReject: (response) => {
              registerer.stateChange.removeListener(listener);
              reject(
                new SipStatusError(
                  what,
                  response.message.statusCode ?? 0,
                  response.message.reasonPhrase ?? '',
                ),
              );
            },
          },
        })
        .catch((e: unknown) => {
          registerer.stateChange.removeListener(listener);
          reject(e instanceof Error ? e : new Error(String(e)));
        });
    });

  const self: NodeUa = {
    library: 'sipjs',
    user: opts.user,
    aor,
    events,
    received: inbox.list,
    async register() {
      await ensureStarted();
      await registration('REGISTER', RegistererState.Registered, registerer.register);
    },
    async unregister() {
      await registration('un-REGISTER', RegistererState.Unregistered, registerer.unregister);
    },
    async message(target, body, contentType = 'text/plain') {
      await ensureStarted();
      const to = UserAgent.makeURI(targetUri(target, opts.server.domain));
      if (!to) throw new Error(`bad target ${target}`);
      return withTimeout<MessageResult>(
        `${opts.user} (sipjs): MESSAGE to ${target}`,
        timeoutMs,
        (resolve, reject) => {
          new Messager(ua, to, body, contentType)
            .message({
              requestDelegate: {
                onAccept: (r) =>
                  resolve({ status: r.message.statusCode ?? 0, reason: r.message.reasonPhrase ?? '' }),
                onReject: (r) =>
                  resolve({ status: r.message.statusCode ?? 0, reason: r.message.reasonPhrase ?? '' }),
              },
            })
            .catch((e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
        },
      );
    },
    nextMessage(predicate = () => true, waitMs = timeoutMs) {
      return inbox.next(opts.user, predicate, waitMs);
    },
    isRegistered: () => registerer.state === RegistererState.Registered,
    connections: () => opened,
    dropConnection: () => {
      (ua.transport as unknown as { ws?: WebSocket }).ws?.terminate();
    },
    async recover() {
      // the loss (our drop, or the server's close) is seen asynchronously: wait for it
      await withTimeout<void>(
        `${opts.user} (sipjs): waiting for the connection loss`,
        timeoutMs,
        (resolve, _reject, onSettle) => {
          const poll = setInterval(() => {
            if (opened > 0 && lostOn === opened) resolve();
          }, 20);
          onSettle(() => clearInterval(poll));
        },
      );
      // SIP.js does not reconnect by itself; its apps do (SimpleUser: reconnect, then register)
      await ua.reconnect();
      await registration('REGISTER', RegistererState.Registered, registerer.register);
    },
    stop() {
      stopping ??= (async () => {
        live.delete(self);
        // UserAgent.stop() disposes the registerer (un-REGISTER if registered) and the transport
        let timer: NodeJS.Timeout | undefined;
        const bounded = new Promise<void>((r) => (timer = setTimeout(r, 5000)));
        await Promise.race([ua.stop().catch((e: unknown) => events.push(`stop: ${String(e)}`)), bounded]);
        clearTimeout(timer);
        // whatever is left: SIP.js's socket (its transport exposes it as `ws`)
        const t = ua.transport as unknown as { ws?: WebSocket };
        t.ws?.terminate();
      })();
      return stopping;
    },
  };
  return self;
}
