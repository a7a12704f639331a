/**
 * The SIP core of the sipwss server: every message from the transport comes here. Requests are
 * validated (RFC 3261 §16.3), matched to transactions (§17.2.3), routed (§16.4-16.5) to the
 * registrar, to our own answer (OPTIONS), down the flows of a user's bindings (forking), down the
 * flow named by a Route's flow token (in-dialog), or to a WebSocket server; responses find their
 * client transaction by branch and go back up (§16.7). Nothing here throws on network input: a
 * failure becomes a SIP response, or a counted drop.
 */
import type { SipwssError } from '../errors.js';
import {
  addReceived,
  DEFAULT_LIMITS,
  type NameAddr,
  parseMessage,
  popRoute,
  responseBytes,
  type SipLimits,
  type SipMessage,
  type SipUri,
  serialize,
  validateMessage,
} from '../sip/index.js';
import type { DigestAuthenticator } from './auth/authenticator.js';
import { checkRequestAuth } from './auth/request-auth.js';
import type { Identity } from './identity.js';
import { type Binding, isOutbound, isUsable } from './location/binding.js';
import type { LocationStore } from './location/store.js';
import { answerMalformed } from './malformed.js';
import type { FlowInfo, Inbound, SipPort } from './port.js';
import type { FlowTokens } from './proxy/flow-token.js';
import { Forwarder, type Target } from './proxy/forwarder.js';
import { routeOwner } from './proxy/record-route.js';
import { wsDestination } from './proxy/ws-destination.js';
import type { Registrar } from './registrar/registrar.js';
import { CoreStats } from './stats.js';
import { ServerTx, serverTxKey } from './transaction/transactions.js';
import { TxGroups, TxTable } from './transaction/tx-table.js';

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface SipCoreOptions {
  readonly port: SipPort;
  readonly identity: Identity;
  readonly tokens: FlowTokens;
  readonly registrar: Registrar;
  readonly location: LocationStore;
  /** Digest authentication; undefined: open (anyone may register any name). */
  readonly auth?: DigestAuthenticator;
  /** Users known to the auth module: unknown ones get 404 rather than 480. */
  readonly knownUser?: (user: string, domain: string) => boolean;
  readonly timers?: { readonly frMs?: number; readonly frInvMs?: number; readonly lingerMs?: number };
  /**
   * Most transactions in progress at once, server and client (tm `max_transactions`); a new
   * request past it gets 503. 0 or undefined: no limit.
   */
  readonly maxTransactions?: number;
  /**
   * Most transactions held at once for the requests from one IP address (tm
   * `max_transactions_per_ip`: each request and its branches), so that one client cannot fill the
   * table for everyone. 0 or undefined: no limit.
   */
  readonly maxTransactionsPerIp?: number;
  readonly limits?: SipLimits;
  readonly logger?: Logger;
  readonly now?: () => number;
}

const ALLOW =
  'INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, UPDATE, INFO, REFER, NOTIFY, SUBSCRIBE, PRACK, REGISTER';
const SILENT: Logger = { debug() {}, info() {}, warn() {} };
/** The 503 of an overload asks the sender to wait 5 s (Retry-After, RFC 3261 §20.33). */
const OVERLOAD_HEADERS: ReadonlyArray<readonly [string, string]> = [['Retry-After', '5']];
/** At most one "transaction table full" warning per this many ms (the count is in the stats). */
const OVERLOAD_LOG_MS = 10_000;

export class SipCore {
  readonly stats = new CoreStats();
  readonly #o: SipCoreOptions;
  readonly #log: Logger;
  readonly #limits: SipLimits;
  readonly #now: () => number;
  readonly #servers = new TxTable<ServerTx>();
  /** After stop(): messages and closes the transport still hands over are ignored. */
  #stopped = false;
  /** INVITE server transactions by connection: a caller gone cancels what rings for it. */
  readonly #serversByConn = new TxGroups<ServerTx>();
  readonly #forwarder: Forwarder;
  readonly #lingerMs: number;
  readonly #maxTransactions: number;
  readonly #maxPerIp: number;
  /** Per remote address, the transactions its requests in the table hold (entries of 0 are dropped). */
  readonly #perIp = new TxTable<number>();
  /** The sum of `#perIp`. */
  #perIpTotal = 0;
  /**
   * When the last warning of each kind of overload was logged (one per OVERLOAD_LOG_MS each, so
   * that a flooding address never hides a full table, nor the reverse).
   */
  readonly #overloadLoggedAt = { table: Number.NEGATIVE_INFINITY, ip: Number.NEGATIVE_INFINITY };

  constructor(o: SipCoreOptions) {
    this.#o = o;
    this.#log = o.logger ?? SILENT;
    this.#limits = o.limits ?? DEFAULT_LIMITS;
    this.#now = o.now ?? Date.now;
    this.#lingerMs = o.timers?.lingerMs ?? 32_000;
    this.#maxTransactions = o.maxTransactions ?? 0;
    this.#maxPerIp = o.maxTransactionsPerIp ?? 0;
    this.#forwarder = new Forwarder({
      port: o.port,
      identity: o.identity,
      tokens: o.tokens,
      frMs: o.timers?.frMs ?? 32_000,
      frInvMs: o.timers?.frInvMs ?? 120_000,
      logger: this.#log,
      stats: this.stats,
      respond: (tx, res) => this.#sendResponse(tx, res),
    });
  }

  /** One message from the transport. Never throws. */
  receive(m: Inbound): void {
    if (this.#stopped) return;
    this.stats.messagesIn++;
    try {
      const parsed = parseMessage(m.data, this.#limits, 'websocket');
      if (!parsed.ok) {
        this.#malformed(m, parsed.error);
        return;
      }
      const msg = parsed.value;
      const valid = validateMessage(msg);
      if (!valid.ok) {
        this.#malformed(m, valid.error);
        return;
      }
      if (msg.isRequest) this.#request(msg, m);
      else this.#forwarder.response(msg, m);
    } catch (err) {
      // A bug, not bad input: keep serving everyone else, and say so loudly.
      this.stats.internalErrors++;
      this.#log.warn({ err, connectionId: m.connectionId }, 'internal error handling a message');
    }
  }

  /** The transport closed a connection: its bindings stop being used at once, its transactions end. */
  connectionClosed(connectionId: string): void {
    if (this.#stopped) return;
    void this.#o.location
      .flowFailed({ node: this.#o.identity.node, connectionId }, this.#now())
      .catch((err: unknown) => this.#log.warn({ err }, 'location store: flowFailed failed'));
    this.#forwarder.connectionClosed(connectionId);
    // Nobody is left to answer: cancel what is still ringing on their behalf.
    for (const tx of this.#serversByConn.take(connectionId)) {
      if (!tx.isInvite || tx.finalSent) continue;
      if (tx.branches.length === 0) {
        // Still routing (a store that must be waited for, or this close came from a send made
        // while routing): never forward it (`#relay`), and end it now, or it would stay in the
        // table for good. No 487: there is nobody to send it to, and no ACK will come.
        tx.cancelled = true;
        this.#finish(tx);
      } else this.#forwarder.cancelAll(tx);
    }
  }

  /** Stop every timer and take nothing more in (server shutdown): the transport may still hand over a turn. */
  stop(): void {
    this.#stopped = true;
    for (const tx of this.#servers.values()) clearTimeout(tx.timer);
    this.#servers.clear();
    this.#perIp.clear();
    this.#perIpTotal = 0;
    this.#serversByConn.clear();
    this.#forwarder.stop();
  }

  get transactionCount(): number {
    return this.#servers.size + this.#forwarder.size;
  }

  /** Transactions held for requests from `address`: each one's server transaction and branches. */
  transactionsFrom(address: string): number {
    return this.#perIp.get(address) ?? 0;
  }

  // ---- requests ----------------------------------------------------------------------------

  #request(req: SipMessage, flow: Inbound): void {
    // §16.3 step 4: only a request with two Vias or more (one of ours, and the sender's) can have
    // looped. The Via list parsed by validation is cached (addReceived keeps it right).
    const vias = req.vias();
    const mayLoop = vias.ok && vias.value.length > 1;
    // RFC 3261 §18.2.1, RFC 3581 §4: note where it really came from; never touch sent-by.
    const rcv = addReceived(req, flow.remote);
    if (!rcv.ok) {
      this.#statelessReply(req, flow, 400, 'Bad Via');
      return;
    }
    if (req.method === 'ACK') {
      this.#ack(req, flow);
      return;
    }
    if (req.method === 'CANCEL') {
      this.#cancel(req, flow);
      return;
    }
    const key = serverTxKey(req, undefined, flow.connectionId);
    if (key === undefined) {
      this.#statelessReply(req, flow, 400, 'Missing or pre-RFC 3261 Via branch');
      return;
    }
    // (An empty table, with only REGISTERs coming in, answers without hashing the key.)
    const existing = this.#servers.get(key);
    if (existing) {
      // A retransmission (e.g. over a new connection): repeat what we said, if anything.
      this.stats.retransmissions++;
      if (existing.lastResponse)
        void this.#o.port.send(flow.connectionId, existing.lastResponse).catch(() => {});
      return;
    }
    if (this.#overloaded(req, flow.remote.address, true)) {
      // RFC 3261 §21.5.4: 503 with Retry-After; the sender may try again, or another server.
      this.#statelessReply(req, flow, 503, 'Service Unavailable', OVERLOAD_HEADERS);
      return;
    }
    const tx = new ServerTx(key, req, flow, flow.receivedAt ?? this.#now());
    if (tx.isInvite) {
      this.#remember(tx);
      this.#serversByConn.add(flow.connectionId, key, tx);
      // RFC 3261 §16.2: a stateful proxy answers an INVITE with 100 Trying at once.
      this.#reply(tx, 100);
    }
    // Routed in this turn when nothing has to wait (an in-memory location store); a store that
    // must be waited for makes the rest asynchronous.
    try {
      const pending = this.#route(tx, mayLoop);
      if (pending !== undefined) pending.catch((err: unknown) => this.#routingFailed(tx, err));
    } catch (err) {
      this.#routingFailed(tx, err);
    }
    // Routing above ran to its end before any other message is handed over (the transport hands
    // them over one after another), so nothing looks a transaction up while it is routed. A
    // non-INVITE answered in this turn (a REGISTER with the in-memory store) has ended already
    // (Timer J = 0 on a reliable transport, RFC 3261 §17.2.2): it never enters the table.
    if (!tx.isInvite && tx.state !== 'terminated') this.#remember(tx);
  }

  /**
   * Puts a new server transaction in the table (its key is not there: `#request` answered a
   * retransmission before), counted for its address with its branches until `#forget`.
   */
  #remember(tx: ServerTx): void {
    this.#servers.set(tx.key, tx);
    this.#countFrom(tx.flow.remote.address, tx.weight);
  }

  #countFrom(address: string, delta: number): void {
    this.#perIpTotal += delta;
    const n = (this.#perIp.get(address) ?? 0) + delta;
    if (n > 0) this.#perIp.set(address, n);
    else this.#perIp.delete(address);
  }

  #routingFailed(tx: ServerTx, err: unknown): void {
    this.stats.internalErrors++;
    this.#log.warn({ err, method: tx.request.method }, 'routing failed');
    if (!tx.finalSent) this.#reply(tx, 500, 'Server Internal Error');
  }

  /** Routes a new request; returns a Promise only when some step had to wait. */
  #route(tx: ServerTx, mayLoop: boolean): Promise<void> | undefined {
    const req = tx.request;
    const { identity, tokens } = this.#o;

    // RFC 3261 §16.3 step 3: Max-Forwards.
    const mf = req.maxForwards();
    if (!mf.ok) {
      this.#reply(tx, 400, 'Bad Max-Forwards');
      return;
    }
    if (mf.value === 0) {
      // §16.3 step 3: an OPTIONS for the server itself may still be answered.
      const u = req.uri();
      const forUs =
        req.method === 'OPTIONS' &&
        u.ok &&
        u.value.kind === 'sip' &&
        u.value.user === undefined &&
        identity.isOurDomain(u.value.host, u.value.port) &&
        req.routes().ok &&
        (req.routes() as { value: unknown[] }).value.length === 0;
      if (!forUs) {
        this.#reply(tx, 483);
        return;
      }
    }
    // §16.3 step 4: loop detection by branch hash.
    if (mayLoop && this.#forwarder.looped(req)) {
      this.#reply(tx, 482);
      return;
    }
    // §16.3 step 5: we support no extension a proxy must understand.
    const proxyRequire = req.hasKey('proxy-require') ? req.getAll('proxy-require') : [];
    if (proxyRequire.length > 0) {
      this.#reply(tx, 420, undefined, [['Unsupported', proxyRequire.join(', ')]]);
      return;
    }

    // §16.4: pop the Route entries that name us; the last one's flow token is where we go.
    let token: string | undefined;
    let poppedOurs = false;
    for (;;) {
      const routes = req.routes();
      if (!routes.ok) {
        this.#reply(tx, 400, 'Bad Route');
        return;
      }
      const top: NameAddr | undefined = routes.value[0];
      if (top === undefined) break;
      const owner = routeOwner(top, identity, tokens);
      if (!owner.ours) break;
      popRoute(req);
      poppedOurs = true;
      if (owner.connectionId !== undefined) token = owner.connectionId;
    }

    const remaining = req.routes();
    const nextRoute = remaining.ok ? remaining.value[0] : undefined;
    if (nextRoute !== undefined) {
      // A Route to someone else (a WebSocket server): loose routing, R-URI untouched.
      const dest = wsDestination(nextRoute.uri);
      if (dest === undefined) this.#reply(tx, 404, 'Route not reachable over WebSocket');
      else if (this.#mayRelay(tx)) this.#relay(tx, [{ kind: 'server', dest }]);
      return;
    }
    if (token !== undefined && token !== tx.flow.connectionId) {
      // A flow token routes requests inside a dialog. A new request (no To tag) carrying one is
      // not trusted to skip authentication (anyone who saw the Record-Route could send one).
      if (this.#o.auth && !hasToTag(req) && !this.#authorised(tx, 'from', true)) return;
      const flow = this.#o.port.flow(token);
      if (flow === undefined) {
        // RFC 5626 §5.3.1: the flow the dialog runs on is gone.
        this.#reply(tx, 430, 'Flow Failed');
        return;
      }
      this.#relay(tx, [{ kind: 'flow', flow }]);
      return;
    }

    const ruri = req.uri();
    if (!ruri.ok) {
      this.#reply(tx, 400, 'Bad Request-URI');
      return;
    }
    const uri = ruri.value;
    if (uri.kind !== 'sip') {
      this.#reply(tx, 416);
      return;
    }
    if (identity.isOurDomain(uri.host, uri.port)) return this.#forOurDomain(tx, uri);
    const dest = wsDestination(uri.toString());
    if (dest === undefined) {
      // A Contact of a WebSocket client (`.invalid`, RFC 7118 §5.2) is never resolved or dialled;
      // in a dialog that means a flow we cannot name. Anything else is not ours to relay.
      if (poppedOurs || uri.address.endsWith('.invalid')) this.#reply(tx, 404, 'Not Found');
      else this.#reply(tx, 403, 'Relaying Forbidden');
      return;
    }
    if (this.#mayRelay(tx)) this.#relay(tx, [{ kind: 'server', dest }]);
    return;
  }

  #forOurDomain(tx: ServerTx, uri: SipUri): Promise<void> | undefined {
    const req = tx.request;
    if (req.method === 'REGISTER') return this.#register(tx);
    if (uri.user === undefined) {
      if (req.method === 'OPTIONS') {
        this.#reply(tx, 200, 'OK', [
          ['Allow', ALLOW],
          ['Accept', 'application/sdp, text/plain'],
          ['Supported', 'path, outbound'],
        ]);
      } else {
        this.#reply(tx, 404, 'Not Found');
      }
      return;
    }
    // Requests from our users must authenticate (when auth is on). Requests inside a dialog come
    // by our Record-Route (the flow-token path), never here: a To tag is no reason to skip it.
    if (this.#o.auth && !this.#authorised(tx, 'from')) return;
    if (tx.cancelled) return;

    const user = uri.user;
    const aor = `sip:${user}@${uri.address}`;
    const now = this.#now();
    const location = this.#o.location;
    if (location.lookupSync !== undefined) {
      this.#toBindings(tx, user, uri.address, location.lookupSync(aor, now), now);
      return;
    }
    return location.lookup(aor, now).then((bindings) => {
      if (!tx.cancelled) this.#toBindings(tx, user, uri.address, bindings, now);
    });
  }

  /** Forward to the usable bindings of the Request-URI's AoR (parallel forking), or answer why not. */
  #toBindings(tx: ServerTx, user: string, domain: string, bindings: readonly Binding[], now: number): void {
    const targets: Target[] = [];
    // Indexed: a store's list may be frozen, which V8 iterates slowly with `for...of`.
    for (let i = 0; i < bindings.length; i++) {
      const b = bindings[i] as Binding;
      if (!isUsable(b, now)) continue;
      const flow = b.flow.node === this.#o.identity.node ? this.#o.port.flow(b.flow.connectionId) : undefined;
      if (flow === undefined) continue;
      targets.push(
        b.path
          ? { kind: 'flow', flow, ruri: b.contact, path: b.path }
          : { kind: 'flow', flow, ruri: b.contact },
      );
    }
    if (targets.length === 0) {
      if (bindings.length > 0) {
        // Registered, but every flow is gone (RFC 5626 §5.3.1: 430 for outbound flows).
        if (bindings.some(isOutbound)) this.#reply(tx, 430, 'Flow Failed');
        else this.#reply(tx, 480, 'Temporarily Unavailable');
        return;
      }
      const known = this.#o.knownUser?.(user, domain);
      if (known === false) this.#reply(tx, 404, 'Not Found');
      else this.#reply(tx, 480, 'Temporarily Unavailable');
      return;
    }
    this.#relay(tx, targets);
  }

  #register(tx: ServerTx): Promise<void> | undefined {
    const req = tx.request;
    const to = req.to();
    if (!to.ok) {
      this.#reply(tx, 400, 'Bad To');
      return;
    }
    const toUri = to.value.parsedUri();
    if (!toUri.ok || toUri.value.kind !== 'sip' || toUri.value.user === undefined) {
      this.#reply(tx, 404, 'Not Found');
      return;
    }
    const u = toUri.value;
    if (!this.#o.identity.isOurDomain(u.host)) {
      this.#reply(tx, 403, 'Domain not served here');
      return;
    }
    if (this.#o.auth && !this.#authorised(tx, 'to')) return;
    const reply = this.#o.registrar.handle(req, tx.flow, `sip:${u.user}@${u.address}`, tx.receivedAt);
    // The registrar's header values are byte strings (`RegistrarReply`): not scanned again.
    if (reply instanceof Promise)
      return reply.then((r) => this.#reply(tx, r.status, r.reason, r.headers, true));
    this.#reply(tx, reply.status, reply.reason, reply.headers, true);
    return;
  }

  /** Digest check for REGISTER (To) or a new request (From). Answers the challenge itself. */
  #authorised(tx: ServerTx, who: 'to' | 'from', requireOurs = false): boolean {
    const auth = this.#o.auth;
    if (!auth) return true;
    const req = tx.request;
    const na = who === 'to' ? req.to() : req.from();
    if (!na.ok) {
      this.#reply(tx, 400, `Bad ${who === 'to' ? 'To' : 'From'}`);
      return false;
    }
    const u = na.value.parsedUri();
    if (!u.ok || u.value.kind !== 'sip') {
      this.#reply(tx, 403, 'Forbidden');
      return false;
    }
    if (who === 'from' && !this.#o.identity.isOurDomain(u.value.host)) {
      // Not one of ours: nothing to authenticate it against (calls from servers we route to),
      // unless the request may only come from our users.
      if (!requireOurs) return true;
      this.#reply(tx, 403, 'Forbidden: not a user of this server');
      return false;
    }
    const realm = u.value.address;
    const decision = checkRequestAuth(auth, req, { user: u.value.user, host: u.value.host }, realm);
    if (decision.ok) return true;
    this.stats.authFailures++;
    if (decision.status === 403) this.#reply(tx, 403, decision.reason);
    else this.#reply(tx, decision.status, undefined, decision.headers);
    return false;
  }

  /**
   * With auth on, only our authenticated users may have us open connections to WebSocket servers
   * (else sipwss is an open relay into whatever address a request names). Requests inside a
   * dialog that arrived by our Record-Route were authorised when the dialog began.
   */
  #mayRelay(tx: ServerTx): boolean {
    if (!this.#o.auth) return true;
    return this.#authorised(tx, 'from', true);
  }

  #ack(req: SipMessage, flow: FlowInfo): void {
    const key = serverTxKey(req, undefined, flow.connectionId);
    const tx = key === undefined ? undefined : this.#servers.get(key);
    if (tx && tx.state === 'completed') {
      // RFC 3261 §17.2.1: the ACK to our non-2xx final ends the transaction (Timer I = 0 on WS).
      this.#finish(tx);
      return;
    }
    // An ACK to a 2xx is a transaction of its own, routed end to end by its Route set.
    this.#forwarder.forwardAck(req, flow);
  }

  #cancel(req: SipMessage, flow: FlowInfo): void {
    const key = serverTxKey(req, 'INVITE', flow.connectionId);
    const invite = key === undefined ? undefined : this.#servers.get(key);
    if (!invite) {
      this.#statelessReply(req, flow, 481, 'Call/Transaction Does Not Exist');
      return;
    }
    // RFC 3261 §9.2: 200 to the CANCEL; the INVITE itself ends with 487 from downstream.
    this.#statelessReply(req, flow, 200, 'OK');
    if (invite.finalSent) return;
    if (invite.branches.length === 0) {
      invite.cancelled = true;
      this.#reply(invite, 487);
      return;
    }
    this.#forwarder.cancelAll(invite);
  }

  // ---- responses ---------------------------------------------------------------------------

  /** Answer a server transaction ourselves. */
  #reply(
    tx: ServerTx,
    status: number,
    reason?: string,
    headers?: ReadonlyArray<readonly [string, string]>,
    byteHeaders = false,
  ): void {
    if (this.#late(tx, status)) return;
    // Built straight to bytes: nothing reads our own response before it goes out.
    const res = responseBytes(tx.request, status, reason, headers ? { headers, byteHeaders } : {});
    if (!res.ok) {
      this.#log.warn({ err: res.error }, 'cannot build a response');
      return;
    }
    this.#sendBytes(tx, status, res.value);
  }

  /** Send a relayed response upstream on a server transaction (RFC 3261 §16.7 step 8). */
  #sendResponse(tx: ServerTx, res: SipMessage): void {
    if (this.#late(tx, res.status)) return;
    this.#sendBytes(tx, res.status, serialize(res));
  }

  /**
   * A response the transaction can no longer send: it has ended, or has sent its final one
   * (only more 2xx from other forks pass, RFC 6026). Counted, and not sent.
   */
  #late(tx: ServerTx, status: number): boolean {
    if (
      tx.state === 'terminated' ||
      (tx.finalSent &&
        !(status >= 200 && status < 300 && (tx.state === 'accepted' || tx.state === 'completed')))
    ) {
      this.stats.lateResponses++;
      return true;
    }
    return false;
  }

  /** Send a response's bytes upstream and move the transaction along (RFC 3261 §17.2). */
  #sendBytes(tx: ServerTx, status: number, bytes: Buffer): void {
    if (status >= 200) {
      tx.lastResponse = bytes;
      if (tx.state === 'proceeding') {
        tx.finalStatus = status;
        if (!tx.isInvite) {
          tx.moveTo('terminated'); // Timer J = 0 on a reliable transport
          this.#forget(tx);
        } else {
          // RFC 6026: Accepted (more 2xx from forks pass) or Completed (waiting for the ACK), Timers L/H.
          tx.moveTo(status < 300 ? 'accepted' : 'completed');
          tx.timer = setTimeout(() => this.#finish(tx), this.#lingerMs);
          tx.timer.unref?.();
        }
      }
    }
    this.stats.responsesOut++;
    this.#o.port.send(tx.flow.connectionId, bytes).catch((err: unknown) => {
      this.stats.sendFailures++;
      this.#log.debug({ err, status }, 'response could not be sent upstream');
    });
  }

  #finish(tx: ServerTx): void {
    clearTimeout(tx.timer);
    if (tx.state !== 'terminated') tx.moveTo('terminated');
    this.#forget(tx);
    this.#forwarder.forget(tx);
  }

  #forget(tx: ServerTx): void {
    if (this.#servers.get(tx.key) === tx) {
      this.#servers.delete(tx.key);
      this.#countFrom(tx.flow.remote.address, -tx.weight);
    }
    if (!tx.isInvite) {
      this.#forwarder.forget(tx);
      return;
    }
    this.#serversByConn.remove(tx.flow.connectionId, tx.key, tx);
  }

  /**
   * Every transaction holds its request (and a forwarded copy) until it ends, up to Timer C for a
   * ringing INVITE: past `max_transactions` in progress, new requests are refused instead of
   * letting a flood grow the heap until the process dies. A REGISTER for our registrar is let in
   * (`forRegistrar`): answered from the location store, it holds nothing once answered, and
   * refusing it would unregister everyone during the flood; one relayed elsewhere is checked when
   * it is relayed (`#relay`). Requests inside a dialog (a To tag: BYE, UPDATE, re-INVITE) keep
   * calls already up going, so they have an eighth more room; a flood that adds To tags is still
   * bounded by that. The same holds per remote address past `max_transactions_per_ip`, so that one
   * client (or one address) flooding cannot fill the table and have everyone else refused.
   */
  #overloaded(req: SipMessage, source: string, forRegistrar: boolean): boolean {
    if (forRegistrar && req.method === 'REGISTER') return false;
    const max = this.#maxTransactions;
    // Server and client transactions both: a request forked to many bindings holds one of each.
    const size = this.#servers.size + this.#forwarder.size;
    const maxPerIp = this.#maxPerIp;
    // No address holds more than all of them together: the lookup only once they hold that many.
    const fromSource = maxPerIp === 0 || this.#perIpTotal < maxPerIp ? 0 : this.transactionsFrom(source);
    const full = max !== 0 && size >= max;
    const sourceFull = maxPerIp !== 0 && fromSource >= maxPerIp;
    if (!full && !sourceFull) return false;
    const to = req.to();
    if (
      to.ok &&
      to.value.tag !== undefined &&
      (!full || size < max + Math.ceil(max / 8)) &&
      (!sourceFull || fromSource < maxPerIp + Math.ceil(maxPerIp / 8))
    )
      return false;
    if (full) {
      this.stats.overloaded++;
      this.#warnOverload(
        'table',
        { inProgress: size, maxTransactions: max, refused: this.stats.overloaded },
        'transaction table full (tm max_transactions): new requests get 503',
      );
    } else {
      this.stats.overloadedPerIp++;
      this.#warnOverload(
        'ip',
        {
          source,
          inProgress: fromSource,
          maxTransactionsPerIp: maxPerIp,
          refused: this.stats.overloadedPerIp,
        },
        'too many requests in progress from one address (tm max_transactions_per_ip): its new requests get 503',
      );
    }
    return true;
  }

  #warnOverload(kind: 'table' | 'ip', obj: object, msg: string): void {
    const now = this.#now();
    if (now - this.#overloadLoggedAt[kind] < OVERLOAD_LOG_MS) return;
    this.#overloadLoggedAt[kind] = now;
    this.#log.warn(obj, msg);
  }

  /** Forward to the targets (RFC 3261 §16.6), unless a relayed REGISTER would pass the cap. */
  #relay(tx: ServerTx, targets: readonly Target[]): void {
    // Answered, cancelled or ended while it was routed (a CANCEL, or its caller gone): never
    // forwarded, or its branches' answers would be a second final response.
    if (tx.cancelled || tx.finalSent || tx.state === 'terminated') return;
    if (tx.request.method === 'REGISTER' && this.#overloaded(tx.request, tx.flow.remote.address, false)) {
      this.#reply(tx, 503, 'Service Unavailable', OVERLOAD_HEADERS);
      return;
    }
    // Each branch is a client transaction held for this request: its address pays for them, or
    // one client could fill the table by forking to bindings of its own (registering is free).
    tx.weight += targets.length;
    if (this.#servers.get(tx.key) === tx) this.#countFrom(tx.flow.remote.address, targets.length);
    this.#forwarder.forward(tx, targets);
  }

  #statelessReply(
    req: SipMessage,
    flow: FlowInfo,
    status: number,
    reason: string,
    headers?: ReadonlyArray<readonly [string, string]>,
  ): void {
    const res = responseBytes(req, status, reason, headers ? { headers } : {});
    if (!res.ok) return;
    this.stats.responsesOut++;
    void this.#o.port.send(flow.connectionId, res.value).catch(() => {
      this.stats.sendFailures++;
    });
  }

  #malformed(m: Inbound, error: SipwssError): void {
    this.stats.malformed++;
    const answer = answerMalformed(m.data, error);
    this.#log.info(
      { connectionId: m.connectionId, remote: m.remote, code: error.code, answered: answer !== undefined },
      `malformed SIP message: ${error.message}`,
    );
    if (answer === undefined) {
      this.stats.dropped++;
      return;
    }
    this.stats.responsesOut++;
    void this.#o.port.send(m.connectionId, answer).catch(() => {
      this.stats.sendFailures++;
    });
  }
}

function hasToTag(req: SipMessage): boolean {
  const to = req.to();
  return to.ok && to.value.tag !== undefined;
}
