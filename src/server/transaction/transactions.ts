/**
 * Transaction state for a transaction-stateful proxy (RFC 3261 §16, §17) over reliable
 * transports only (WebSocket, RFC 7118 §5.1): nothing is retransmitted, so Timers A, E, G, D, I,
 * J and K are zero and only B/F (no answer), C (no final answer to a ringing INVITE), H (ACK to a
 * non-2xx final) and L (RFC 6026 Accepted state, more 2xx from forks) remain.
 */
import type { SipMessage } from '../../sip/index.js';
import type { FlowInfo, WsDestination } from '../port.js';

/** Server transaction states (RFC 3261 §17.2, RFC 6026 §7.1 "Accepted"). */
export type ServerTxState = 'proceeding' | 'completed' | 'accepted' | 'terminated';

/** Legal moves (style principle 8): an illegal one throws. */
const SERVER_MOVES: Readonly<Record<ServerTxState, readonly ServerTxState[]>> = {
  proceeding: ['completed', 'accepted', 'terminated'],
  completed: ['terminated'],
  accepted: ['terminated'],
  terminated: [],
};

export class ServerTx {
  readonly key: string;
  readonly request: SipMessage;
  readonly flow: FlowInfo;
  readonly isInvite: boolean;
  #state: ServerTxState = 'proceeding';
  /** Last response sent, for a request retransmitted on a new connection. */
  lastResponse: Buffer | undefined;
  finalStatus = 0;
  /** The proxy's branches for this request, once forwarded. */
  readonly branches: ClientTx[] = [];
  /** Best final response so far among completed branches (RFC 3261 §16.7 step 6). */
  best: SipMessage | undefined;
  /** CANCEL arrived before the request was forwarded (routing still under way). */
  cancelled = false;
  /** Transactions this request holds: itself and one per branch (tm `max_transactions_per_ip`). */
  weight = 1;
  timer: NodeJS.Timeout | undefined;

  /** Date.now() when the request was read (the registrar's clock for the bindings it makes). */
  readonly receivedAt: number;

  constructor(key: string, request: SipMessage, flow: FlowInfo, receivedAt: number) {
    this.key = key;
    this.request = request;
    this.flow = flow;
    this.receivedAt = receivedAt;
    this.isInvite = request.method === 'INVITE';
  }

  get state(): ServerTxState {
    return this.#state;
  }

  moveTo(next: ServerTxState): void {
    if (next === this.#state) return;
    if (!SERVER_MOVES[this.#state].includes(next)) {
      throw new Error(`server transaction ${this.key}: illegal move ${this.#state} -> ${next}`);
    }
    this.#state = next;
  }

  get finalSent(): boolean {
    return this.#state !== 'proceeding';
  }
}

export type ClientTxState = 'calling' | 'proceeding' | 'completed' | 'terminated';

const CLIENT_MOVES: Readonly<Record<ClientTxState, readonly ClientTxState[]>> = {
  calling: ['proceeding', 'completed', 'terminated'],
  proceeding: ['completed', 'terminated'],
  completed: ['terminated'],
  terminated: [],
};

export class ClientTx {
  readonly branch: string;
  readonly server: ServerTx;
  /** The request as forwarded (our Via on top): CANCEL and ACK are built from it. */
  readonly request: SipMessage;
  /** Connection the request went out on (a client's flow), or the server it went to. */
  connectionId: string | undefined;
  dest: WsDestination | undefined;
  #state: ClientTxState = 'calling';
  finalStatus = 0;
  /** RFC 3261 §9.1: CANCEL only after a provisional response; until then it waits here. */
  cancel: 'no' | 'pending' | 'sent' = 'no';
  timer: NodeJS.Timeout | undefined;

  constructor(branch: string, server: ServerTx, request: SipMessage) {
    this.branch = branch;
    this.server = server;
    this.request = request;
  }

  get state(): ClientTxState {
    return this.#state;
  }

  moveTo(next: ClientTxState): void {
    if (next === this.#state) return;
    if (!CLIENT_MOVES[this.#state].includes(next)) {
      throw new Error(`client transaction ${this.branch}: illegal move ${this.#state} -> ${next}`);
    }
    this.#state = next;
  }

  get pending(): boolean {
    return this.#state === 'calling' || this.#state === 'proceeding';
  }
}

/**
 * RFC 3261 §17.2.3: a server transaction is identified by the top Via branch, its sent-by and the
 * method (ACK matches the INVITE). `method` overrides the request's (CANCEL looks up the INVITE).
 * We add the connection: JsSIP in Node gives every UA of a process the same Via host and a short
 * branch, and on a reliable transport a request is never retransmitted on another connection.
 */
export function serverTxKey(req: SipMessage, method?: string, connectionId = ''): string | undefined {
  const top = req.topVia();
  if (!top.ok) return undefined;
  const v = top.value;
  const branch = v.branch;
  // `v.rfc3261Branch` on the branch read already (one parameter lookup, not two).
  if (branch === undefined || branch.length <= 7 || !branch.startsWith('z9hG4bK')) return undefined;
  const m = method ?? (req.method === 'ACK' ? 'INVITE' : req.method);
  return `${branch}\u0000${v.host.toLowerCase()}:${v.port ?? ''}\u0000${m}\u0000${connectionId}`;
}
