/**
 * The SIP message model (RFC 3261 §7). Headers are kept as received, one `HeaderField` per line,
 * in order; typed values are parsed on first use and cached until their header changes. All
 * header text is a byte string (latin1: one char per byte), as node:http does, so offsets equal
 * byte offsets and untouched lines serialize back byte for byte.
 */
import { toByteString } from './chars.js';
import { type SipResult, sipFail } from './errors.js';
import { canonicalName, headerKey, LIST_HEADERS, splitList } from './headers.js';
import { type Contact, type NameAddr, parseContact, parseNameAddr } from './name-addr.js';
import {
  type CSeq,
  type MediaType,
  parseCallId,
  parseContentLength,
  parseContentType,
  parseCSeq,
  parseDeltaSeconds,
  parseMaxForwards,
} from './scalars.js';
import { parseUri, type Uri } from './uri.js';
import { parseVia, type Via } from './via.js';

export interface HeaderField {
  /** The name as received (or as given when added). */
  readonly name: string;
  /** Lower-case full name, compact forms expanded: 'v' → 'via'. */
  readonly key: string;
  /** The value, unfolded (RFC 3261 §7.3.1), without leading and trailing whitespace. */
  readonly value: string;
  /** The line(s) exactly as received, CRLF included; undefined for a new or changed header. */
  readonly raw: string | undefined;
}

export type SipKind = 'request' | 'response';

const EMPTY = Buffer.alloc(0);

export class SipMessage {
  readonly kind: SipKind;
  /** Request method (case-sensitive, RFC 3261 §7.1); '' for a response. */
  private _method: string;
  /** Request-URI as written; '' for a response. */
  private _requestUri: string;
  /** Status code; 0 for a request. */
  private _status: number;
  private _reason: string;
  /** The start line as received, without CRLF; undefined once changed. */
  startLineRaw: string | undefined;
  readonly headers: HeaderField[];
  body: Buffer;
  private cache: Map<string, unknown> | undefined;

  constructor(init: {
    kind: SipKind;
    method?: string;
    requestUri?: string;
    status?: number;
    reason?: string;
    headers?: HeaderField[];
    body?: Buffer;
    startLineRaw?: string;
  }) {
    this.kind = init.kind;
    this._method = init.method ?? '';
    this._requestUri = init.requestUri ?? '';
    this._status = init.status ?? 0;
    this._reason = init.reason ?? '';
    this.headers = init.headers ?? [];
    this.body = init.body ?? EMPTY;
    this.startLineRaw = init.startLineRaw;
  }

  get isRequest(): boolean {
    return this.kind === 'request';
  }

  get method(): string {
    return this._method;
  }

  get requestUri(): string {
    return this._requestUri;
  }

  set requestUri(uri: string) {
    this._requestUri = toByteString(uri);
    this.startLineRaw = undefined;
    this.cache?.delete(':ruri');
  }

  get status(): number {
    return this._status;
  }

  get reason(): string {
    return this._reason;
  }

  /** The start line without CRLF: as received, or rendered after a change. */
  get startLine(): string {
    if (this.startLineRaw !== undefined) return this.startLineRaw;
    return this.kind === 'request'
      ? `${this._method} ${this._requestUri} SIP/2.0`
      : `SIP/2.0 ${this._status} ${this._reason}`;
  }

  // ---- raw header access -------------------------------------------------------------------

  /** Value of the first line of a header, or undefined. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const h of this.headers) if (h.key === key) return h.value;
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Values of every line of a header, in order, unsplit. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const h of this.headers) if (h.key === key) out.push(h.value);
    return out;
  }

  /**
   * The values of a header that may be a comma list (RFC 3261 §7.3.1), split over all its lines
   * with quoted strings and <...> respected. A non-list header gives one value per line.
   */
  values(name: string): SipResult<string[]> {
    const key = headerKey(name);
    const out: string[] = [];
    const list = LIST_HEADERS.has(key);
    for (const h of this.headers) {
      if (h.key !== key) continue;
      if (!list) {
        out.push(h.value);
        continue;
      }
      const parts = splitList(h.value);
      if (parts === undefined) return sipFail('SIP_BAD_HEADER', `unbalanced quotes or <> in ${h.name}`);
      for (const p of parts) out.push(p);
    }
    return { ok: true, value: out };
  }

  /** Replaces every line of a header with one line (in the place of the first), or appends it. */
  set(name: string, value: string): void {
    const key = headerKey(name);
    const field = makeField(name, key, value);
    const i = this.headers.findIndex((h) => h.key === key);
    if (i === -1) this.headers.push(field);
    else {
      this.headers[i] = field;
      for (let j = this.headers.length - 1; j > i; j--)
        if (this.headers[j]!.key === key) this.headers.splice(j, 1);
    }
    this.touched(key);
  }

  /**
   * Adds a header line. 'top' puts it before the first line of the same header (or first of
   * all), which is where Via, Record-Route and Path values are prepended (RFC 3261 §16.6).
   */
  add(name: string, value: string, where: 'top' | 'bottom' = 'bottom'): void {
    const key = headerKey(name);
    const field = makeField(name, key, value);
    if (where === 'bottom') this.headers.push(field);
    else {
      const i = this.headers.findIndex((h) => h.key === key);
      this.headers.splice(i === -1 ? 0 : i, 0, field);
    }
    this.touched(key);
  }

  /** Removes every line of a header; returns how many. */
  remove(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (let j = this.headers.length - 1; j >= 0; j--) {
      if (this.headers[j]!.key === key) {
        this.headers.splice(j, 1);
        n++;
      }
    }
    if (n > 0) this.touched(key);
    return n;
  }

  /**
   * Removes the first value of a list header: the whole line when it holds one value, else that
   * line is rewritten with the rest. Returns the removed value.
   */
  shiftValue(name: string): SipResult<string | undefined> {
    const key = headerKey(name);
    const i = this.headers.findIndex((h) => h.key === key);
    if (i === -1) return { ok: true, value: undefined };
    const h = this.headers[i]!;
    const parts = splitList(h.value);
    if (parts === undefined) return sipFail('SIP_BAD_HEADER', `unbalanced quotes or <> in ${h.name}`);
    if (parts.length <= 1) this.headers.splice(i, 1);
    else this.headers[i] = makeField(h.name, key, parts.slice(1).join(', '));
    this.touched(key);
    return { ok: true, value: parts[0] };
  }

  /** Replaces the first value of a list header, keeping the rest of its line. */
  replaceFirstValue(name: string, value: string): SipResult<void> {
    const key = headerKey(name);
    const i = this.headers.findIndex((h) => h.key === key);
    if (i === -1) return sipFail('SIP_MISSING_HEADER', name);
    const h = this.headers[i]!;
    let v = value;
    if (h.value.indexOf(',') !== -1) {
      const parts = splitList(h.value);
      if (parts === undefined) return sipFail('SIP_BAD_HEADER', `unbalanced quotes or <> in ${h.name}`);
      parts[0] = value;
      v = parts.join(', ');
    }
    this.headers[i] = makeField(h.name, key, v);
    this.touched(key, true);
    return { ok: true, value: undefined };
  }

  /** Forget cached typed values of a header; `keepList` keeps a cache the caller kept right. */
  private touched(key: string, keepList = false): void {
    if (this.cache === undefined) return;
    if (!keepList) this.cache.delete(key);
    this.cache.delete(`1:${key}`);
  }

  private cached<T>(key: string, compute: () => T): T {
    if (this.cache === undefined) this.cache = new Map();
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const v = compute();
    this.cache.set(key, v);
    return v;
  }

  private listOf<T>(key: string, parse: (s: string) => SipResult<T>): SipResult<T[]> {
    return this.cached(key, () => {
      const vals = this.values(key);
      if (!vals.ok) return vals;
      const out: T[] = [];
      for (const v of vals.value) {
        const r = parse(v);
        if (!r.ok) return r;
        out.push(r.value);
      }
      return { ok: true as const, value: out };
    });
  }

  private firstOf<T>(key: string, parse: (s: string) => SipResult<T>): SipResult<T | undefined> {
    return this.cached(`1:${key}`, () => {
      const v = this.get(key);
      return v === undefined ? { ok: true as const, value: undefined } : parse(v);
    });
  }

  private required<T>(key: string, parse: (s: string) => SipResult<T>): SipResult<T> {
    const r = this.firstOf(key, parse);
    if (!r.ok) return r;
    if (r.value === undefined) return sipFail('SIP_MISSING_HEADER', canonicalName(key));
    return r as SipResult<T>;
  }

  /** Replaces the topmost Via value (only its line is re-rendered) and caches it. */
  setTopVia(via: Via): SipResult<void> {
    const r = this.replaceFirstValue('via', via.toString());
    if (!r.ok) return r;
    this.cache?.delete('via');
    this.cached('1:via', () => ({ ok: true as const, value: via }));
    return r;
  }

  // ---- typed access (parsed on first use, cached) ------------------------------------------

  /** The Request-URI parsed (RFC 3261 §19.1); fails for a response. */
  uri(): SipResult<Uri> {
    return this.cached(':ruri', () =>
      this.kind === 'request'
        ? parseUri(this._requestUri)
        : sipFail('SIP_BAD_URI', 'a response has no Request-URI'),
    );
  }

  vias(): SipResult<Via[]> {
    return this.listOf('via', parseVia);
  }

  /** The topmost Via value; fast path when the first Via line holds one value. */
  topVia(): SipResult<Via> {
    return this.cached('1:via', () => {
      const v = this.get('via');
      if (v === undefined) return sipFail('SIP_MISSING_HEADER', 'Via');
      if (v.indexOf(',') === -1) return parseVia(v);
      const parts = splitList(v);
      if (parts === undefined || parts.length === 0) return sipFail('SIP_BAD_VIA', 'empty or unbalanced');
      return parseVia(parts[0]!);
    });
  }

  from(): SipResult<NameAddr> {
    return this.required('from', parseNameAddr);
  }

  to(): SipResult<NameAddr> {
    return this.required('to', parseNameAddr);
  }

  callId(): SipResult<string> {
    return this.required('call-id', parseCallId);
  }

  cseq(): SipResult<CSeq> {
    return this.required('cseq', parseCSeq);
  }

  /** Contact values; `*` comes back as `{ star: true }` (RFC 3261 §10.2.2). */
  contacts(): SipResult<Contact[]> {
    return this.listOf('contact', parseContact);
  }

  routes(): SipResult<NameAddr[]> {
    return this.listOf('route', parseNameAddr);
  }

  recordRoutes(): SipResult<NameAddr[]> {
    return this.listOf('record-route', parseNameAddr);
  }

  /** RFC 3327 Path. */
  paths(): SipResult<NameAddr[]> {
    return this.listOf('path', parseNameAddr);
  }

  maxForwards(): SipResult<number | undefined> {
    return this.firstOf('max-forwards', parseMaxForwards);
  }

  expires(): SipResult<number | undefined> {
    return this.firstOf('expires', parseDeltaSeconds);
  }

  minExpires(): SipResult<number | undefined> {
    return this.firstOf('min-expires', parseDeltaSeconds);
  }

  /** The Content-Length header's value, if present (the body length is `body.length`). */
  contentLength(): SipResult<number | undefined> {
    return this.firstOf('content-length', parseContentLength);
  }

  contentType(): SipResult<MediaType | undefined> {
    return this.firstOf('content-type', parseContentType);
  }

  /** Option tags of Supported (RFC 3261 §20.37). */
  supported(): string[] {
    const r = this.values('supported');
    return r.ok ? r.value : [];
  }

  /** Option tags of Require (RFC 3261 §20.32). */
  require(): string[] {
    const r = this.values('require');
    return r.ok ? r.value : [];
  }
}

function makeField(name: string, key: string, value: string): HeaderField {
  return { name, key, value: toByteString(value).trim(), raw: undefined };
}

/** A new header line for building messages. */
export function headerField(name: string, value: string): HeaderField {
  return makeField(name, headerKey(name), value);
}
