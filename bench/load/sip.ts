/**
 * SIP text for the load generator's user agents, shaped like JsSIP 3.13.8 in Node (see
 * /work/shared/fixtures/wire/jssip-node-*.sip and docs in shared/notes/clients-on-the-wire.md).
 *
 * Cheap on purpose: the load tool shares the cores with the server under test, so messages are
 * concatenated from per-UA constant parts plus a few changing fields, and received messages are only
 * classified (status line or method, top Via branch), never fully parsed.
 */

export const ALLOW = 'Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY,SUBSCRIBE\r\n';
export const USER_AGENT = 'User-Agent: JsSIP 3.13.8 (node harness)\r\n';
/** Register expiry (JsSIP's default). */
export const EXPIRES = 600;

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `n` random lower-case letters and digits (JsSIP's Utils.createRandomToken alphabet). */
export function randomToken(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[Math.floor(Math.random() * ALNUM.length)];
  return s;
}

/** A random RFC 4122 version 4 UUID (JsSIP's +sip.instance). */
export function uuid(): string {
  return crypto.randomUUID();
}

/** The fixed identity of one load UA. */
export interface UaIdentity {
  /** AoR user part, e.g. `u00042`. */
  readonly user: string;
  /** SIP domain (R-URI of REGISTER, host part of AoRs). */
  readonly domain: string;
  /** 12 random characters: the Via host `<viaHost>.invalid` and the Contact host. */
  readonly viaHost: string;
  /** 8 random characters: the Contact user part. */
  readonly contactUser: string;
  /** The `+sip.instance` URN's UUID. */
  readonly instance: string;
}

export function newIdentity(user: string, domain: string): UaIdentity {
  return { user, domain, viaHost: randomToken(12), contactUser: randomToken(8), instance: uuid() };
}

/** The 7-digit branch suffix JsSIP uses (`z9hG4bK` + 7 digits), unique per UA for 9,000,000 requests. */
export function branchDigits(seq: number): string {
  return String(1_000_000 + (seq % 9_000_000));
}

/**
 * Pre-built REGISTER for one UA: only the branch, From tag and CSeq change between refreshes (JsSIP
 * keeps Call-ID and Contact, takes a new From tag each time, CSeq + 1).
 */
export class RegisterTemplate {
  private readonly head: string;
  private readonly mid: string;
  private readonly tail: string;

  constructor(
    id: UaIdentity,
    readonly callId: string,
  ) {
    this.head = `REGISTER sip:${id.domain} SIP/2.0\r\nVia: SIP/2.0/WSS ${id.viaHost}.invalid;branch=z9hG4bK`;
    this.mid =
      '\r\nMax-Forwards: 69\r\n' +
      `To: <sip:${id.user}@${id.domain}>\r\n` +
      `From: <sip:${id.user}@${id.domain}>;tag=`;
    this.tail =
      ' REGISTER\r\n' +
      `Expires: ${EXPIRES}\r\n` +
      `Contact: <sip:${id.contactUser}@${id.viaHost}.invalid;transport=ws>;+sip.ice;reg-id=1;` +
      `+sip.instance="<urn:uuid:${id.instance}>";expires=${EXPIRES}\r\n` +
      ALLOW +
      'Supported: path,gruu,outbound\r\n' +
      USER_AGENT +
      'Content-Length: 0\r\n\r\n';
  }

  build(branch: string, fromTag: string, cseq: number): string {
    return `${this.head}${branch}${this.mid}${fromTag}\r\nCall-ID: ${this.callId}\r\nCSeq: ${cseq}${this.tail}`;
  }
}

/** Pre-built out-of-dialog MESSAGE (RFC 3428) from one UA, text/plain body as JsSIP's `sendMessage`. */
export class MessageTemplate {
  private readonly head: string;
  private readonly fromPart: string;
  private readonly tail: string;
  private readonly bodyPrefix: string;

  constructor(private readonly id: UaIdentity) {
    this.head = `\r\nVia: SIP/2.0/WSS ${id.viaHost}.invalid;branch=z9hG4bK`;
    this.fromPart = `>\r\nFrom: <sip:${id.user}@${id.domain}>;tag=`;
    this.tail = `Content-Type: text/plain\r\n${ALLOW}Supported: outbound\r\n${USER_AGENT}Content-Length: `;
    this.bodyPrefix = `hello from ${id.user} via JsSIP `;
  }

  build(toUser: string, branch: string, fromTag: string, callId: string, cseq: number): string {
    const body = this.bodyPrefix + Date.now();
    const target = `sip:${toUser}@${this.id.domain}`;
    return (
      `MESSAGE ${target} SIP/2.0${this.head}${branch}\r\nMax-Forwards: 69\r\nTo: <${target}${this.fromPart}` +
      `${fromTag}\r\nCall-ID: ${callId}\r\nCSeq: ${cseq} MESSAGE\r\n${this.tail}${body.length}\r\n\r\n${body}`
    );
  }
}

/** What a received text frame is, as far as the load generator cares. */
export const Kind = {
  /** A SIP response; `status` and `branch` are set. */
  Response: 0,
  /** A MESSAGE request (to be answered 200). */
  Message: 1,
  /** An OPTIONS request (answered 200 as JsSIP does). */
  Options: 2,
  /** Some other request (ignored: the load generator never starts dialogs). */
  OtherRequest: 3,
  /** A CRLF keep-alive (RFC 5626 §4.4.1 style, as Kamailio and SIP.js send): answered with CRLF. */
  KeepAlive: 4,
  /** Not SIP. */
  Garbage: 5,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export interface Classified {
  kind: Kind;
  /** Status code of a response (0 otherwise). */
  status: number;
  /** The 7 digits after `branch=z9hG4bK` of the first Via of a response ('' if absent). */
  branch: string;
}

/**
 * Classifies one SIP message (one WebSocket text frame). Writes into `out` to avoid an allocation
 * per message. The branch is taken from the first `branch=z9hG4bK` in the text: in a response that
 * reaches the UAC, the proxy has removed its own Via, so the first one is ours (RFC 3261 §16.7 step 3).
 */
export function classify(text: string, out: Classified): Classified {
  out.status = 0;
  out.branch = '';
  if (text.startsWith('SIP/2.0 ')) {
    out.kind = Kind.Response;
    out.status = Number(text.slice(8, 11));
    const b = text.indexOf('branch=z9hG4bK');
    if (b >= 0) out.branch = text.slice(b + 14, b + 21);
    return out;
  }
  if (text.startsWith('MESSAGE ')) out.kind = Kind.Message;
  else if (text.startsWith('OPTIONS ')) out.kind = Kind.Options;
  else if (/^[A-Z]+ \S+ SIP\/2\.0\r\n/.test(text.slice(0, 300))) out.kind = Kind.OtherRequest;
  else if (text.length > 0 && text.replace(/\r\n/g, '') === '') out.kind = Kind.KeepAlive;
  else out.kind = Kind.Garbage;
  return out;
}

/**
 * A 200 OK for a received request, built as RFC 3261 §8.2.6.2 says: Via headers (all, in order),
 * From, To (with a To tag added when the request had none), Call-ID and CSeq copied from the
 * request; then what JsSIP adds (`Supported: outbound`, no body). Compact header names are handled.
 */
export function okResponse(req: string, toTag: string): string {
  let end = req.indexOf('\r\n\r\n');
  if (end < 0) end = req.length;
  let out = 'SIP/2.0 200 OK\r\n';
  let pos = req.indexOf('\r\n') + 2;
  while (pos > 1 && pos < end) {
    let eol = req.indexOf('\r\n', pos);
    if (eol < 0 || eol > end) eol = end;
    const colon = req.indexOf(':', pos);
    if (colon > pos && colon < eol) {
      const name = req.slice(pos, colon).trim().toLowerCase();
      switch (name) {
        case 'via':
        case 'v':
        case 'from':
        case 'f':
        case 'call-id':
        case 'i':
        case 'cseq':
          out += `${req.slice(pos, eol)}\r\n`;
          break;
        case 'to':
        case 't': {
          const line = req.slice(pos, eol);
          out += /;\s*tag=/i.test(line) ? `${line}\r\n` : `${line};tag=${toTag}\r\n`;
          break;
        }
      }
    }
    pos = eol + 2;
  }
  return `${out}Supported: outbound\r\nContent-Length: 0\r\n\r\n`;
}
