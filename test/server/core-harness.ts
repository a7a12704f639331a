/**
 * An in-memory stand-in for the transport (style principle 2: every layer testable with an
 * in-memory pair): connections are ids with a flow description and an inbox, and the SIP core
 * under test is the real one. The WebSocket transport itself is tested over real sockets
 * elsewhere; here what matters is SIP routing.
 */
import { DigestAuthenticator } from '../../src/server/auth/authenticator.js';
import type { UserDb } from '../../src/server/auth/users-file.js';
import { type Logger, SipCore } from '../../src/server/core.js';
import { Identity } from '../../src/server/identity.js';
import { MemoryLocationStore } from '../../src/server/location/memory-store.js';
import type { LocationStore } from '../../src/server/location/store.js';
import type { FlowInfo, SipPort, WsDestination } from '../../src/server/port.js';
import { FlowTokens } from '../../src/server/proxy/flow-token.js';
import { DEFAULT_REGISTRAR_POLICY } from '../../src/server/registrar/policy.js';
import { Registrar } from '../../src/server/registrar/registrar.js';
import { parseMessage, type SipMessage } from '../../src/sip/index.js';

export class FakePort implements SipPort {
  readonly conns = new Map<string, { flow: FlowInfo; inbox: SipMessage[]; raw: Buffer[] }>();
  /** sendTo destinations that "answer" by opening this connection id; others fail. */
  readonly servers = new Map<string, string>();
  #next = 1;

  open(remotePort: number, transport: 'WS' | 'WSS' = 'WSS', address = '127.0.0.1'): FlowInfo {
    const connectionId = `c${this.#next++}`;
    const flow: FlowInfo = {
      connectionId,
      transport,
      remote: { address, port: remotePort },
      local: { host: '127.0.0.1', port: 8443 },
    };
    this.conns.set(connectionId, { flow, inbox: [], raw: [] });
    return flow;
  }

  close(connectionId: string): void {
    this.conns.delete(connectionId);
  }

  async send(connectionId: string, data: Buffer): Promise<void> {
    const c = this.conns.get(connectionId);
    if (!c) throw new Error(`connection ${connectionId} is gone`);
    c.raw.push(data);
    const m = parseMessage(data);
    if (!m.ok) throw new Error(`core sent unparseable bytes: ${m.error.message}\n${data.toString('latin1')}`);
    c.inbox.push(m.value);
  }

  async sendTo(dest: WsDestination, data: Buffer): Promise<void> {
    const id = this.servers.get(`${dest.host}:${dest.port}`);
    if (id === undefined) throw new Error(`handshake with ${dest.host}:${dest.port} failed`);
    await this.send(id, data);
  }

  flow(connectionId: string): FlowInfo | undefined {
    return this.conns.get(connectionId)?.flow;
  }
}

export interface Harness {
  readonly port: FakePort;
  readonly core: SipCore;
  readonly store: MemoryLocationStore;
  /** `address`: the client's IP address (default 127.0.0.1). */
  ua(user: string, remotePort: number, address?: string): FakeUa;
  /** A UA that has registered (and had its 200). */
  registered(
    user: string,
    remotePort: number,
    opts?: { instance?: boolean; address?: string },
  ): Promise<FakeUa>;
}

export function harness(
  opts: {
    users?: UserDb;
    frMs?: number;
    frInvMs?: number;
    knownUser?: (u: string) => boolean;
    /** The store as one in another process would be (Redis): no synchronous lookup or update. */
    asyncStore?: boolean;
    maxTransactions?: number;
    maxTransactionsPerIp?: number;
    logger?: Logger;
  } = {},
): Harness {
  const port = new FakePort();
  const store = new MemoryLocationStore();
  const location: LocationStore = opts.asyncStore
    ? {
        lookup: (aor, now) => store.lookup(aor, now),
        update: (aor, now, mutate) => store.update(aor, now, mutate),
        flowFailed: (flow, now) => store.flowFailed(flow, now),
        purgeExpired: (now) => store.purgeExpired(now),
        countAors: (now) => store.countAors(now),
        close: () => store.close(),
      }
    : store;
  const identity = new Identity({
    node: 'test-node',
    domains: ['127.0.0.1', 'localhost'],
    listeners: [{ proto: 'wss', host: '127.0.0.1', port: 8443, boundHost: '127.0.0.1', boundPort: 8443 }],
  });
  const core = new SipCore({
    port,
    identity,
    tokens: new FlowTokens(),
    registrar: new Registrar({ store: location, policy: DEFAULT_REGISTRAR_POLICY, node: 'test-node' }),
    location,
    ...(opts.users ? { auth: new DigestAuthenticator({ users: opts.users }) } : {}),
    ...(opts.knownUser ? { knownUser: (u: string) => (opts.knownUser as (u: string) => boolean)(u) } : {}),
    timers: { frMs: opts.frMs ?? 2000, frInvMs: opts.frInvMs ?? 4000, lingerMs: 200 },
    ...(opts.maxTransactions !== undefined ? { maxTransactions: opts.maxTransactions } : {}),
    ...(opts.maxTransactionsPerIp !== undefined ? { maxTransactionsPerIp: opts.maxTransactionsPerIp } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const h: Harness = {
    port,
    core,
    store,
    ua: (user, remotePort, address) => new FakeUa(h, user, port.open(remotePort, 'WSS', address)),
    registered: async (user, remotePort, opts = {}) => {
      const ua = h.ua(user, remotePort, opts.address);
      ua.register(opts);
      await ua.response(200, 'REGISTER');
      return ua;
    },
  };
  return h;
}

let seq = 0;
export const rand = (): string => `${Date.now().toString(36)}${(seq++).toString(36)}`;

/** A WebSocket SIP client as JsSIP behaves on the wire, driven by hand. */
export class FakeUa {
  readonly h: Harness;
  readonly user: string;
  flow: FlowInfo;
  readonly host = `${rand()}.invalid`;
  readonly contactUser = rand();
  readonly callId = rand();
  cseq = 1;
  readonly tag = rand();

  constructor(h: Harness, user: string, flow: FlowInfo) {
    this.h = h;
    this.user = user;
    this.flow = flow;
  }

  get contact(): string {
    return `sip:${this.contactUser}@${this.host};transport=ws`;
  }

  get inbox(): SipMessage[] {
    return this.h.port.conns.get(this.flow.connectionId)?.inbox ?? [];
  }

  /** Reconnect: a new connection, same identity (as JsSIP after a drop). */
  reconnect(remotePort: number): void {
    this.h.port.close(this.flow.connectionId);
    this.h.core.connectionClosed(this.flow.connectionId);
    this.flow = this.h.port.open(remotePort);
  }

  send(text: string): void {
    this.h.core.receive({ ...this.flow, data: Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1') });
  }

  sendRaw(data: Buffer): void {
    this.h.core.receive({ ...this.flow, data });
  }

  branch(): string {
    return `z9hG4bK${rand()}`;
  }

  register(opts: { expires?: number; instance?: boolean; auth?: string; extra?: string } = {}): string {
    const branch = this.branch();
    const inst = opts.instance === false ? '' : `;reg-id=1;+sip.instance="<urn:uuid:${this.user}-0000>"`;
    this.send(
      `REGISTER sip:127.0.0.1 SIP/2.0
Via: SIP/2.0/WSS ${this.host};branch=${branch}
Max-Forwards: 69
To: <sip:${this.user}@127.0.0.1>
From: <sip:${this.user}@127.0.0.1>;tag=${rand()}
Call-ID: ${this.callId}
CSeq: ${this.cseq++} REGISTER
Contact: <${this.contact}>${inst};expires=${opts.expires ?? 600}
Expires: ${opts.expires ?? 600}
Supported: path,gruu,outbound
${opts.auth ? `Authorization: ${opts.auth}\n` : ''}${opts.extra ?? ''}Content-Length: 0

`,
    );
    return branch;
  }

  request(
    method: string,
    to: string,
    opts: {
      body?: string;
      callId?: string;
      branch?: string;
      cseq?: number;
      extra?: string;
      toTag?: string;
      ruri?: string;
    } = {},
  ): { branch: string; callId: string; cseq: number } {
    const branch = opts.branch ?? this.branch();
    const callId = opts.callId ?? rand();
    const cseq = opts.cseq ?? this.cseq++;
    const body = opts.body ?? '';
    this.send(
      `${method} ${opts.ruri ?? `sip:${to}@127.0.0.1`} SIP/2.0
Via: SIP/2.0/WSS ${this.host};branch=${branch}
Max-Forwards: 69
To: <sip:${to}@127.0.0.1>${opts.toTag ? `;tag=${opts.toTag}` : ''}
From: <sip:${this.user}@127.0.0.1>;tag=${this.tag}
Call-ID: ${callId}
CSeq: ${cseq} ${method}
Contact: <${this.contact};ob>
${opts.extra ?? ''}${body ? 'Content-Type: text/plain\n' : ''}Content-Length: ${Buffer.byteLength(body)}

${body}`,
    );
    return { branch, callId, cseq };
  }

  /** Answer a request received from the proxy, copying Via/From/To/Call-ID/CSeq (RFC 3261 §8.2.6). */
  answer(
    req: SipMessage,
    status: number,
    reason: string,
    opts: { toTag?: string; extra?: string } = {},
  ): void {
    let out = `SIP/2.0 ${status} ${reason}\r\n`;
    for (const v of req.getAll('via')) out += `Via: ${v}\r\n`;
    for (const rr of req.getAll('record-route')) out += `Record-Route: ${rr}\r\n`;
    const to = req.get('to') ?? '';
    out += `From: ${req.get('from')}\r\nTo: ${to}${opts.toTag && !/;tag=/.test(to) ? `;tag=${opts.toTag}` : ''}\r\n`;
    out += `Call-ID: ${req.get('call-id')}\r\nCSeq: ${req.get('cseq')}\r\n`;
    if (status >= 200 && status < 300 && req.method === 'INVITE') out += `Contact: <${this.contact}>\r\n`;
    out += `${opts.extra ?? ''}Content-Length: 0\r\n\r\n`;
    this.send(out);
  }

  /** Wait for the next message in the inbox that matches. */
  async next(match: (m: SipMessage) => boolean, what: string, ms = 1000): Promise<SipMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.inbox.findIndex(match);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as SipMessage;
      if (Date.now() > deadline) {
        const seen = this.inbox.map((m) => m.startLine).join(' | ');
        throw new Error(`${this.user}: no ${what} within ${ms} ms (inbox: ${seen || 'empty'})`);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  response(status: number, method?: string, ms?: number): Promise<SipMessage> {
    return this.next(
      (m) =>
        !m.isRequest &&
        m.status === status &&
        (method === undefined || m.get('cseq')?.endsWith(method) === true),
      `${status}${method ? ` ${method}` : ''}`,
      ms,
    );
  }

  requestNamed(method: string, ms?: number): Promise<SipMessage> {
    return this.next((m) => m.isRequest && m.method === method, `${method} request`, ms);
  }
}
