/**
 * The forwarding half of the stateful proxy (RFC 3261 §16.6-16.7, §16.10): one client
 * transaction per target (parallel forking), responses chosen and sent upstream, CANCEL and the
 * hop-by-hop ACK built from the forwarded request, and the end-to-end ACK for a 2xx routed on its
 * own. A target is a flow (a registered WebSocket client, reached only down its connection) or a
 * WebSocket server (reached through the transport's outbound connections).
 */
import {
  createResponse,
  decrementMaxForwards,
  popRoute,
  popVia,
  pushVia,
  type SipMessage,
  serialize,
} from '../../sip/index.js';
import type { Logger } from '../core.js';
import { hostPort, type Identity } from '../identity.js';
import type { FlowInfo, SipPort, WsDestination } from '../port.js';
import type { CoreStats } from '../stats.js';
import { ClientTx, type ServerTx } from '../transaction/transactions.js';
import { TxGroups, TxTable } from '../transaction/tx-table.js';
import { better } from './best-response.js';
import { hashOfBranch, loopHash, newBranch } from './branch.js';
import type { FlowTokens } from './flow-token.js';
import { recordRouteValue, routeOwner } from './record-route.js';
import { wsDestination } from './ws-destination.js';

export type Target =
  | {
      readonly kind: 'flow';
      readonly flow: FlowInfo;
      /** New Request-URI (a binding's contact); default: unchanged. */
      readonly ruri?: string;
      /** RFC 3327: the binding's Path, turned into Route entries. */
      readonly path?: readonly string[];
    }
  | { readonly kind: 'server'; readonly dest: WsDestination };

/** Methods that create a dialog: we Record-Route them so the dialog comes back through us. */
const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'NOTIFY']);

export interface ForwarderOptions {
  readonly port: SipPort;
  readonly identity: Identity;
  readonly tokens: FlowTokens;
  readonly frMs: number;
  readonly frInvMs: number;
  readonly logger: Logger;
  readonly stats: CoreStats;
  /** Send a response upstream on the server transaction (the core owns its state). */
  readonly respond: (tx: ServerTx, res: SipMessage) => void;
}

export class Forwarder {
  readonly #o: ForwarderOptions;
  readonly #clients = new TxTable<ClientTx>();
  readonly #clientsByConn = new TxGroups<ClientTx>();
  /** Responses we made ourselves: our own 503 (next hop unreachable) is not rewritten to 500. */
  readonly #local = new WeakSet<SipMessage>();

  constructor(o: ForwarderOptions) {
    this.#o = o;
  }

  get size(): number {
    return this.#clients.size;
  }

  /** RFC 3261 §16.3 step 4: one of our Vias carries this request's own hash: it has looped. */
  looped(req: SipMessage): boolean {
    const vias = req.vias();
    if (!vias.ok || vias.value.length < 2) return false;
    const mine = loopHash(req);
    for (const v of vias.value) {
      const b = v.branch;
      if (b !== undefined && hashOfBranch(b) === mine && this.#isOurSentBy(v.host, v.port)) return true;
    }
    return false;
  }

  #isOurSentBy(host: string, port: number | undefined): boolean {
    const h = (host.startsWith('[') ? host.slice(1, -1) : host).toLowerCase();
    return this.#o.identity.listeners.some(
      (l) =>
        (l.host.toLowerCase() === h || l.boundHost.toLowerCase() === h) &&
        (port === undefined || port === l.port),
    );
  }

  /** Forward `tx.request` to each target (RFC 3261 §16.6), in parallel. */
  forward(tx: ServerTx, targets: readonly Target[]): void {
    const req = tx.request;
    const mf = decrementMaxForwards(req); // §16.6 step 3, once for all copies
    if (!mf.ok) {
      this.#localFinal(tx, undefined, 483);
      return;
    }
    const hash = loopHash(req);
    const recordRoute = DIALOG_CREATING.has(req.method) && !hasToTag(req);
    // Every target gets a copy: the server transaction's request stays as received (but for
    // received/rport and our popped Routes), since our own responses to it are built from it.
    for (const target of targets) {
      const copy = req.copy();
      if (target.kind === 'flow' && target.ruri !== undefined) copy.requestUri = target.ruri; // §16.6 step 2
      if (target.kind === 'flow' && target.path) {
        // RFC 3327 §5.4: the stored Path becomes the route set toward the contact.
        for (let i = target.path.length - 1; i >= 0; i--) copy.add('Route', target.path[i] as string, 'top');
      }
      if (recordRoute) {
        const inListener = this.#o.identity.listenerFor(tx.flow.local);
        // Double Record-Route (field-lessons #17): one entry per flow, so that whichever side
        // sends an in-dialog request, the last of our Routes it carries names the other side.
        copy.add(
          'Record-Route',
          recordRouteValue(this.#o.tokens.encode(tx.flow.connectionId), inListener),
          'top',
        );
        if (target.kind === 'flow') {
          const outListener = this.#o.identity.listenerFor(target.flow.local);
          copy.add(
            'Record-Route',
            recordRouteValue(this.#o.tokens.encode(target.flow.connectionId), outListener),
            'top',
          );
        }
      }
      const branch = newBranch(hash);
      const viaTransport = target.kind === 'flow' ? target.flow.transport : target.dest.secure ? 'WSS' : 'WS';
      const viaListener =
        target.kind === 'flow'
          ? this.#o.identity.listenerFor(target.flow.local)
          : this.#listenerForProto(target.dest.secure);
      // RFC 7118 §5.2.1: Via transport WS or WSS, as the connection really is.
      pushVia(
        copy,
        `SIP/2.0/${viaTransport} ${hostPort(viaListener.host, viaListener.port)};branch=${branch}`,
      );
      const ctx = new ClientTx(branch, tx, copy);
      tx.branches.push(ctx);
      this.#clients.set(branch, ctx);
      this.#arm(ctx, this.#o.frMs);
      this.#send(ctx, target);
    }
  }

  #listenerForProto(secure: boolean) {
    const ls = this.#o.identity.listeners;
    return ls.find((l) => l.proto === (secure ? 'wss' : 'ws')) ?? (ls[0] as (typeof ls)[number]);
  }

  #send(ctx: ClientTx, target: Target): void {
    const bytes = serialize(ctx.request);
    this.#o.stats.requestsOut++;
    if (target.kind === 'flow') {
      this.#track(ctx, target.flow.connectionId);
      this.#o.port.send(target.flow.connectionId, bytes).catch((err: unknown) => {
        this.#o.logger.debug({ err }, 'request could not be sent down its flow');
        // The flow died under us: RFC 5626 §5.3.1.
        if (ctx.pending) this.#localFinal(ctx.server, ctx, 430, 'Flow Failed');
      });
      return;
    }
    ctx.dest = target.dest;
    this.#o.port.sendTo(target.dest, bytes).then(
      () => {},
      (err: unknown) => {
        this.#o.logger.info({ err, dest: target.dest }, 'outbound WebSocket connection failed');
        // Unlike OpenSIPS, a failed handshake answers at once (issue 3), not after a timeout.
        if (ctx.pending) this.#localFinal(ctx.server, ctx, 503, 'Service Unavailable');
      },
    );
  }

  #track(ctx: ClientTx, connectionId: string): void {
    ctx.connectionId = connectionId;
    this.#clientsByConn.add(connectionId, ctx.branch, ctx);
  }

  /** Timers B/F (no answer), then C (no final answer to a ringing INVITE). */
  #arm(ctx: ClientTx, ms: number): void {
    clearTimeout(ctx.timer);
    ctx.timer = setTimeout(() => this.#timeout(ctx), ms);
    ctx.timer.unref?.();
  }

  #timeout(ctx: ClientTx): void {
    if (!ctx.pending) return;
    this.#o.stats.timeouts++;
    if (ctx.request.method === 'INVITE' && ctx.state === 'proceeding') this.#sendCancel(ctx);
    this.#localFinal(ctx.server, ctx, 408);
  }

  /** A response from downstream (RFC 3261 §16.7). */
  response(res: SipMessage, from: FlowInfo): void {
    // The Via list is parsed (and cached) by validation already; the top one is its first.
    const vias = res.vias();
    const branch = vias.ok ? vias.value[0]?.branch : undefined;
    const ctx = branch === undefined ? undefined : this.#clients.get(branch);
    if (ctx === undefined) {
      // Not ours, or its transaction is long gone: RFC 3261 §16.7 step 1 says forward
      // statelessly, but we never send a response anywhere but up a transaction.
      this.#o.stats.strayResponses++;
      return;
    }
    const cseq = res.cseq();
    if (cseq.ok && cseq.value.method !== ctx.request.method) return; // the 200 to our CANCEL
    res.shiftValue('via'); // §16.7 step 3 (popVia without parsing what it pops)
    this.#o.stats.responsesIn++;
    void from;
    this.#onResponse(ctx, res, false);
  }

  #onResponse(ctx: ClientTx, res: SipMessage, local: boolean): void {
    const status = res.status;
    const tx = ctx.server;
    const invite = ctx.request.method === 'INVITE';
    if (!ctx.pending) {
      if (local) return;
      // RFC 6026 §8.4: further 2xx to an INVITE pass, so the caller can ACK and BYE them.
      if (invite && status >= 200 && status < 300) this.#o.respond(tx, res);
      // RFC 3261 §17.1.1.3: a non-2xx final that comes after ours (e.g. the 487 to our CANCEL
      // after Timer C) is still ACKed hop by hop, or the callee waits for Timer H.
      else if (invite && status >= 300) this.#sendAck(ctx, res);
      return;
    }
    if (status < 200) {
      if (ctx.state === 'calling') ctx.moveTo('proceeding');
      if (invite) this.#arm(ctx, this.#o.frInvMs); // Timer C
      if (ctx.cancel === 'pending') this.#sendCancel(ctx);
      if (status === 100) return; // hop by hop (§16.7 step 5)
      if (!tx.finalSent) this.#o.respond(tx, res);
      return;
    }
    clearTimeout(ctx.timer);
    ctx.finalStatus = status;
    ctx.moveTo('completed');
    if (invite && status >= 300 && !local) this.#sendAck(ctx, res); // §17.1.1.3, hop by hop
    if (status < 300) {
      this.#o.respond(tx, res);
      if (invite) for (const other of tx.branches) if (other !== ctx) this.#cancelBranch(other); // §16.7 step 10
      return;
    }
    if (better(res, tx.best)) tx.best = res;
    if (status >= 600 && invite)
      for (const other of tx.branches) if (other !== ctx) this.#cancelBranch(other);
    if (tx.branches.every((b) => !b.pending) && !tx.finalSent) {
      const best = tx.best as SipMessage;
      if (best.status === 503 && !this.#local.has(best)) {
        // §16.7 step 6: a downstream 503 is not about us.
        const r = createResponse(tx.request, 500, 'Server Internal Error');
        if (r.ok) {
          this.#o.respond(tx, r.value);
          return;
        }
      }
      this.#o.respond(tx, best);
    }
  }

  /** A response we make for a branch ourselves (timeout, dead flow, failed handshake). */
  #localFinal(tx: ServerTx, ctx: ClientTx | undefined, status: number, reason?: string): void {
    if (ctx === undefined) {
      const r = createResponse(tx.request, status, reason);
      if (r.ok) this.#o.respond(tx, r.value);
      return;
    }
    const r = createResponse(ctx.request, status, reason);
    if (!r.ok) return;
    popVia(r.value); // our own Via, as if it had come back from downstream
    this.#local.add(r.value);
    this.#onResponse(ctx, r.value, true);
  }

  /** CANCEL every pending branch of an INVITE (its caller cancelled, or went away). */
  cancelAll(tx: ServerTx): void {
    for (const b of tx.branches) this.#cancelBranch(b);
  }

  #cancelBranch(ctx: ClientTx): void {
    if (!ctx.pending || ctx.cancel !== 'no' || ctx.request.method !== 'INVITE') return;
    if (ctx.state === 'calling') {
      ctx.cancel = 'pending'; // RFC 3261 §9.1: not before a provisional response
      return;
    }
    this.#sendCancel(ctx);
  }

  /** RFC 3261 §9.1: CANCEL with the INVITE's Request-URI, Call-ID, From, To, CSeq number, top Via and Route. */
  #sendCancel(ctx: ClientTx): void {
    if (ctx.cancel === 'sent') return;
    ctx.cancel = 'sent';
    const bytes = this.#hopByHop(ctx, 'CANCEL', undefined);
    if (bytes) this.#sendDown(ctx, bytes);
  }

  /** Down the branch's connection, or again to its server (the transport reuses the connection). */
  #sendDown(ctx: ClientTx, bytes: Buffer): void {
    const sent =
      ctx.connectionId !== undefined
        ? this.#o.port.send(ctx.connectionId, bytes)
        : ctx.dest !== undefined
          ? this.#o.port.sendTo(ctx.dest, bytes)
          : undefined;
    sent?.catch(() => {
      this.#o.stats.sendFailures++;
    });
  }

  /** RFC 3261 §17.1.1.3: the ACK to a non-2xx final, with the To of the response. */
  #sendAck(ctx: ClientTx, res: SipMessage): void {
    const bytes = this.#hopByHop(ctx, 'ACK', res.get('to'));
    if (bytes) this.#sendDown(ctx, bytes);
  }

  #hopByHop(ctx: ClientTx, method: 'CANCEL' | 'ACK', to: string | undefined): Buffer | undefined {
    const req = ctx.request;
    const via = req.getAll('via')[0];
    const cseq = req.cseq();
    if (via === undefined || !cseq.ok) return undefined;
    let out = `${method} ${req.requestUri} SIP/2.0\r\nVia: ${via.split(',')[0]}\r\nMax-Forwards: 70\r\n`;
    for (const r of req.getAll('route')) out += `Route: ${r}\r\n`;
    out += `From: ${req.get('from') ?? ''}\r\nTo: ${to ?? req.get('to') ?? ''}\r\nCall-ID: ${req.get('call-id') ?? ''}\r\n`;
    out += `CSeq: ${cseq.value.seq} ${method}\r\nContent-Length: 0\r\n\r\n`;
    return Buffer.from(out, 'latin1');
  }

  /** An ACK to a 2xx: end to end, stateless, by its Route set (RFC 3261 §16.6; §13.2.2.4). */
  forwardAck(req: SipMessage, from: FlowInfo): void {
    let token: string | undefined;
    let poppedOurs = false;
    for (;;) {
      const routes = req.routes();
      if (!routes.ok) return;
      const top = routes.value[0];
      if (top === undefined) break;
      const owner = routeOwner(top, this.#o.identity, this.#o.tokens);
      if (!owner.ours) break;
      popRoute(req);
      poppedOurs = true;
      if (owner.connectionId !== undefined) token = owner.connectionId;
    }
    // Only ACKs of dialogs we record-routed go anywhere: no stray ACK opens a connection.
    if (!poppedOurs) {
      this.#o.stats.dropped++;
      return;
    }
    const mf = decrementMaxForwards(req);
    if (!mf.ok) return;
    const hash = loopHash(req);
    if (token !== undefined && token !== from.connectionId) {
      const flow = this.#o.port.flow(token);
      if (flow === undefined) {
        this.#o.stats.dropped++;
        return;
      }
      const listener = this.#o.identity.listenerFor(flow.local);
      pushVia(
        req,
        `SIP/2.0/${flow.transport} ${hostPort(listener.host, listener.port)};branch=${newBranch(hash)}`,
      );
      this.#o.stats.requestsOut++;
      void this.#o.port.send(flow.connectionId, serialize(req)).catch(() => {
        this.#o.stats.sendFailures++;
      });
      return;
    }
    // Toward a WebSocket server: its next Route, else its Contact in the Request-URI.
    const routes = req.routes();
    const next = routes.ok ? routes.value[0] : undefined;
    const dest = wsDestination(next !== undefined ? next.uri : req.requestUri);
    if (dest === undefined) {
      this.#o.stats.dropped++;
      return;
    }
    const listener = this.#listenerForProto(dest.secure);
    pushVia(
      req,
      `SIP/2.0/${dest.secure ? 'WSS' : 'WS'} ${hostPort(listener.host, listener.port)};branch=${newBranch(hash)}`,
    );
    this.#o.stats.requestsOut++;
    void this.#o.port.sendTo(dest, serialize(req)).catch(() => {
      this.#o.stats.sendFailures++;
    });
  }

  /** A connection closed: branches waiting on it fail now, not at their timeout. */
  connectionClosed(connectionId: string): void {
    for (const ctx of this.#clientsByConn.take(connectionId))
      if (ctx.pending) this.#localFinal(ctx.server, ctx, 430, 'Flow Failed');
  }

  /** The server transaction ended: drop its branches. */
  forget(tx: ServerTx): void {
    for (const ctx of tx.branches) {
      clearTimeout(ctx.timer);
      if (this.#clients.get(ctx.branch) === ctx) this.#clients.delete(ctx.branch);
      if (ctx.connectionId !== undefined) this.#clientsByConn.remove(ctx.connectionId, ctx.branch, ctx);
      if (ctx.state !== 'terminated') ctx.moveTo('terminated');
    }
  }

  stop(): void {
    for (const ctx of this.#clients.values()) clearTimeout(ctx.timer);
    this.#clients.clear();
    this.#clientsByConn.clear();
  }
}

/**
 * A copy of a request that shares its (immutable) header lines: changes to the copy replace
 * lines, never alter them, so the original is untouched; untouched lines keep their bytes.
 * Cheaper than serializing and parsing the request again for every target.
 */
function hasToTag(req: SipMessage): boolean {
  const to = req.to();
  return to.ok && to.value.tag !== undefined;
}
