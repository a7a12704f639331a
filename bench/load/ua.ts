/**
 * One load user agent: a raw `ws` WebSocket connection (subprotocol `sip`, no compression) that
 * behaves on the wire like a JsSIP UA: it REGISTERs (expires 600), answers every MESSAGE it receives
 * with a 200 OK (it is the UAS of its callers' transactions), and sends MESSAGEs as a UAC, matching
 * each final response to its request by the top Via branch.
 */
import WebSocket from 'ws';
import type { Histogram } from './histogram.js';
import {
  branchDigits,
  type Classified,
  classify,
  Kind,
  MessageTemplate,
  newIdentity,
  okResponse,
  RegisterTemplate,
  randomToken,
  type UaIdentity,
} from './sip.js';

/** What a pending client transaction is. */
const Tx = { Message: 0, Register: 1, InitialRegister: 2 } as const;
type Tx = (typeof Tx)[keyof typeof Tx];

interface Pending {
  readonly kind: Tx;
  readonly sentAt: number;
}

/** Counters and latency histograms shared by all UAs of one load process. */
export interface LoadStats {
  /** Record latencies and counts only while true (warm-up and drain are not recorded). */
  recording: boolean;
  messageOk: number;
  messageFailed: number;
  registerOk: number;
  registerFailed: number;
  /** Responses whose branch matched no pending transaction (late, duplicated or foreign). */
  unmatched: number;
  /** Pending transactions given up after the transaction timeout. */
  timeouts: number;
  /** MESSAGE requests received and answered 200 (as UAS). */
  messagesAnswered: number;
  /** Frames that were not SIP, or requests other than MESSAGE/OPTIONS. */
  other: number;
  /** First few failure status codes and reasons, for the report. */
  readonly failures: Map<string, number>;
  readonly messageLatency: Histogram;
  readonly registerLatency: Histogram;
}

export interface UaHooks {
  /** A MESSAGE transaction finished (final response or timeout); the scenario may send the next. */
  onMessageDone(ua: LoadUa): void;
  /** A REGISTER refresh finished. */
  onRegisterDone(ua: LoadUa): void;
}

/** SIPWSS_BENCH_DEBUG=1: log closes, errors and the first MESSAGE received with its answer. */
const DEBUG = process.env.SIPWSS_BENCH_DEBUG === '1';
let dumped = false;

const scratch: Classified = { kind: Kind.Garbage, status: 0, branch: '' };

export class LoadUa {
  readonly id: UaIdentity;
  private readonly register: RegisterTemplate;
  private readonly message: MessageTemplate;
  /** Per-UA prefix of Call-IDs and tags (JsSIP's are random; a prefix plus a counter is unique and cheap). */
  private readonly prefix = randomToken(8);
  private seq = Math.floor(Math.random() * 1000);
  private regCseq = 0;
  private readonly pending = new Map<string, Pending>();
  private initialRegister: ((status: number) => void) | undefined;
  closed = false;

  constructor(
    readonly index: number,
    readonly ws: WebSocket,
    domain: string,
    private stats: LoadStats,
    private readonly hooks: UaHooks,
  ) {
    this.id = newIdentity(userName(index), domain);
    this.register = new RegisterTemplate(this.id, randomToken(22));
    this.message = new MessageTemplate(this.id);
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => this.receive(data, isBinary));
    ws.on('close', (code, reason) => {
      this.closed = true;
      if (DEBUG) console.error(`${this.id.user} closed ${code} ${String(reason)}`);
    });
    ws.on('error', (err) => {
      if (DEBUG) console.error(`${this.id.user} error ${err.message}`);
    });
  }

  /** Counts into `stats` from now on (each scenario starts with fresh counters). */
  rebind(stats: LoadStats): void {
    this.stats = stats;
  }

  get outstanding(): number {
    return this.pending.size;
  }

  /** The first REGISTER; resolves with the final status code (or 0 on timeout / close). */
  registerOnce(timeoutMs: number): Promise<number> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.initialRegister = undefined;
        resolve(0);
      }, timeoutMs);
      this.initialRegister = (status) => {
        clearTimeout(timer);
        this.initialRegister = undefined;
        resolve(status);
      };
      this.send(Tx.InitialRegister, this.nextRegister());
    });
  }

  /** A REGISTER refresh (same Call-ID, CSeq + 1, new From tag, as JsSIP). */
  sendRegister(): void {
    this.send(Tx.Register, this.nextRegister());
  }

  sendMessage(toUser: string): void {
    const seq = ++this.seq;
    const branch = branchDigits(seq);
    const s36 = seq.toString(36);
    this.sendRaw(
      Tx.Message,
      branch,
      this.message.build(toUser, branch, this.prefix + s36, `${this.prefix}m${s36}`, (seq % 10_000) + 1),
    );
  }

  /** Gives up transactions pending for longer than `timeoutMs`; returns how many. */
  expire(now: number, timeoutMs: number): number {
    let n = 0;
    for (const [branch, p] of this.pending) {
      if (now - p.sentAt < timeoutMs) continue;
      this.pending.delete(branch);
      n++;
      if (this.stats.recording) this.stats.timeouts++;
      if (p.kind === Tx.Message) this.hooks.onMessageDone(this);
      else if (p.kind === Tx.Register) this.hooks.onRegisterDone(this);
      else this.initialRegister?.(0);
    }
    return n;
  }

  private nextRegister(): [string, string] {
    const seq = ++this.seq;
    const branch = branchDigits(seq);
    return [branch, this.register.build(branch, this.prefix + seq.toString(36), ++this.regCseq)];
  }

  private send(kind: Tx, [branch, text]: [string, string]): void {
    this.sendRaw(kind, branch, text);
  }

  private sendRaw(kind: Tx, branch: string, text: string): void {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    this.pending.set(branch, { kind, sentAt: performance.now() });
    this.ws.send(text);
  }

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString()
      : Buffer.isBuffer(data)
        ? data.toString()
        : Buffer.from(data).toString();
    const c = classify(text, scratch);
    if (isBinary && c.kind !== Kind.Response) {
      this.stats.other++;
      return;
    }
    switch (c.kind) {
      case Kind.Response:
        this.response(c.status, c.branch, text);
        return;
      case Kind.Message: {
        this.stats.messagesAnswered++;
        const ok = okFor(text, this.prefix, ++this.seq);
        if (DEBUG && !dumped) {
          dumped = true;
          console.error(`--- received\n${text}\n--- answered\n${ok}---`);
        }
        this.ws.send(ok);
        return;
      }
      case Kind.Options:
        this.ws.send(okFor(text, this.prefix, ++this.seq));
        return;
      case Kind.KeepAlive:
        this.ws.send('\r\n');
        return;
      default:
        this.stats.other++;
    }
  }

  private response(status: number, branch: string, text: string): void {
    if (status < 200) return; // provisional (100 Trying)
    const p = this.pending.get(branch);
    if (p === undefined) {
      this.stats.unmatched++;
      return;
    }
    this.pending.delete(branch);
    const s = this.stats;
    const ok = status < 300;
    if (!ok) {
      const reason = text.slice(8, text.indexOf('\r\n')).slice(0, 60);
      s.failures.set(reason, (s.failures.get(reason) ?? 0) + 1);
    }
    if (p.kind === Tx.InitialRegister) {
      this.initialRegister?.(status);
      return;
    }
    const ms = performance.now() - p.sentAt;
    if (p.kind === Tx.Message) {
      if (s.recording) {
        if (ok) {
          s.messageOk++;
          s.messageLatency.record(ms);
        } else {
          s.messageFailed++;
        }
      }
      this.hooks.onMessageDone(this);
    } else {
      if (s.recording) {
        if (ok) {
          s.registerOk++;
          s.registerLatency.record(ms);
        } else {
          s.registerFailed++;
        }
      }
      this.hooks.onRegisterDone(this);
    }
  }
}

function okFor(req: string, prefix: string, seq: number): string {
  return okResponse(req, prefix + seq.toString(36));
}

/** AoR user part of load user `i`: fixed width, so every UA's messages have the same size. */
export function userName(i: number): string {
  return `u${String(i).padStart(5, '0')}`;
}
