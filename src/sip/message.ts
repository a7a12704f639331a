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

/**
 * Where the parser found a header line in the head string, 6 numbers per line: line start,
 * name end, value start, value end (trimmed), line end (at its CR), folded (1) or not (0).
 */
export type HeaderOffsets = number[];
const STRIDE = 6;

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
  body: Buffer;
  /** The head as received (latin1) that raw header entries point into; '' for built messages. */
  private readonly src: string;
  private readonly offs: HeaderOffsets;
  /** Key of each header line, in order (parallel to `entries`). */
  private readonly keys: string[];
  /** Each header line: a field, or the index of its offsets in `offs` until first read. */
  private readonly entries: Array<HeaderField | number>;
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
    /** Parser only: the head string, keys and offsets of lazily read header lines. */
    raw?: { src: string; keys: string[]; offs: HeaderOffsets };
  }) {
    this.kind = init.kind;
    this._method = init.method ?? '';
    this._requestUri = init.requestUri ?? '';
    this._status = init.status ?? 0;
    this._reason = init.reason ?? '';
    this.body = init.body ?? EMPTY;
    this.startLineRaw = init.startLineRaw;
    if (init.raw !== undefined) {
      this.src = init.raw.src;
      this.offs = init.raw.offs;
      this.keys = init.raw.keys;
      const n = this.keys.length;
      const entries: number[] = new Array(n);
      for (let i = 0; i < n; i++) entries[i] = i;
      this.entries = entries;
    } else {
      this.src = '';
      this.offs = [];
      const hs = init.headers ?? [];
      this.keys = hs.map((h) => h.key);
      this.entries = hs.slice();
    }
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

  /** The header lines in order (read-only view; change them with set/add/remove). */
  get headers(): readonly HeaderField[] {
    const out: HeaderField[] = new Array(this.entries.length);
    for (let i = 0; i < this.entries.length; i++) out[i] = this.field(i);
    return out;
  }

  /** Number of header lines. */
  get headerCount(): number {
    return this.entries.length;
  }

  /** Header line `i`, read from the head string on first use. */
  private field(i: number): HeaderField {
    const e = this.entries[i]!;
    if (typeof e !== 'number') return e;
    const o = this.offs;
    const b = e * STRIDE;
    const src = this.src;
    const lineStart = o[b]!;
    const lineEnd = o[b + 4]!;
    const value =
      o[b + 5] === 1
        ? src.slice(o[b + 2]!, o[b + 3]!).replace(/[ \t]*\r\n[ \t]+/g, ' ')
        : src.slice(o[b + 2]!, o[b + 3]!);
    const f: HeaderField = {
      name: src.slice(lineStart, o[b + 1]!),
      key: this.keys[i]!,
      value,
      raw: src.slice(lineStart, lineEnd + 2),
    };
    this.entries[i] = f;
    return f;
  }

  /**
   * The head's header lines for serializing: untouched lines that follow each other in the
   * received head come out as one slice.
   */
  renderHeaders(skipKey?: string): string {
    let out = '';
    const o = this.offs;
    let runStart = -1;
    let runEnd = -1;
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (skipKey !== undefined && this.keys[i] === skipKey) continue;
      if (typeof e === 'number') {
        const b = e * STRIDE;
        const ls = o[b]!;
        if (ls === runEnd) runEnd = o[b + 4]! + 2;
        else {
          if (runStart !== -1) out += this.src.slice(runStart, runEnd);
          runStart = ls;
          runEnd = o[b + 4]! + 2;
        }
        continue;
      }
      if (runStart !== -1) {
        out += this.src.slice(runStart, runEnd);
        runStart = -1;
        runEnd = -1;
      }
      out += e.raw ?? `${e.name}: ${e.value}\r\n`;
    }
    if (runStart !== -1) out += this.src.slice(runStart, runEnd);
    return out;
  }

  private indexOfKey(key: string, from = 0): number {
    const keys = this.keys;
    for (let i = from; i < keys.length; i++) if (keys[i] === key) return i;
    return -1;
  }

  /** Value of the first line of a header, or undefined. */
  get(name: string): string | undefined {
    const i = this.indexOfKey(headerKey(name));
    return i === -1 ? undefined : this.field(i).value;
  }

  has(name: string): boolean {
    return this.indexOfKey(headerKey(name)) !== -1;
  }

  /** Values of every line of a header, in order, unsplit. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (let i = this.indexOfKey(key); i !== -1; i = this.indexOfKey(key, i + 1))
      out.push(this.field(i).value);
    return out;
  }

  /** All lines of a header as fields. */
  fields(name: string): HeaderField[] {
    const key = headerKey(name);
    const out: HeaderField[] = [];
    for (let i = this.indexOfKey(key); i !== -1; i = this.indexOfKey(key, i + 1)) out.push(this.field(i));
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
    for (let i = this.indexOfKey(key); i !== -1; i = this.indexOfKey(key, i + 1)) {
      const h = this.field(i);
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

  private insert(i: number, f: HeaderField): void {
    this.entries.splice(i, 0, f);
    this.keys.splice(i, 0, f.key);
  }

  private removeAt(i: number): void {
    this.entries.splice(i, 1);
    this.keys.splice(i, 1);
  }

  private replaceAt(i: number, f: HeaderField): void {
    this.entries[i] = f;
    this.keys[i] = f.key;
  }

  /** Replaces every line of a header with one line (in the place of the first), or appends it. */
  set(name: string, value: string): void {
    const key = headerKey(name);
    const field = makeField(name, key, value);
    const i = this.indexOfKey(key);
    if (i === -1) this.insert(this.entries.length, field);
    else {
      this.replaceAt(i, field);
      for (let j = this.entries.length - 1; j > i; j--) if (this.keys[j] === key) this.removeAt(j);
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
    if (where === 'bottom') this.insert(this.entries.length, field);
    else {
      const i = this.indexOfKey(key);
      this.insert(i === -1 ? 0 : i, field);
    }
    this.touched(key);
  }

  /** Removes every line of a header; returns how many. */
  remove(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (let j = this.entries.length - 1; j >= 0; j--) {
      if (this.keys[j] === key) {
        this.removeAt(j);
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
    const i = this.indexOfKey(key);
    if (i === -1) return { ok: true, value: undefined };
    const h = this.field(i);
    const parts = splitList(h.value);
    if (parts === undefined) return sipFail('SIP_BAD_HEADER', `unbalanced quotes or <> in ${h.name}`);
    if (parts.length <= 1) this.removeAt(i);
    else this.replaceAt(i, makeField(h.name, key, parts.slice(1).join(', ')));
    this.touched(key);
    return { ok: true, value: parts[0] };
  }

  /** Replaces the first value of a list header, keeping the rest of its line. */
  replaceFirstValue(name: string, value: string): SipResult<void> {
    const key = headerKey(name);
    const i = this.indexOfKey(key);
    if (i === -1) return sipFail('SIP_MISSING_HEADER', name);
    const h = this.field(i);
    let v = value;
    if (h.value.indexOf(',') !== -1) {
      const parts = splitList(h.value);
      if (parts === undefined) return sipFail('SIP_BAD_HEADER', `unbalanced quotes or <> in ${h.name}`);
      parts[0] = value;
      v = parts.join(', ');
    }
    this.replaceAt(i, makeField(h.name, key, v));
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
