/**
 * The SIP message model (RFC 3261 §7). Header lines are kept as received, in order, as offsets
 * into the received head; a line becomes a `HeaderField` object only when read as one or
 * changed. Typed values are parsed on first use and cached until their header changes. All
 * header text is a byte string (latin1: one char per byte), as node:http does, so offsets equal
 * byte offsets and untouched lines serialize back byte for byte. Values set by the caller that
 * hold characters above U+00FF are encoded as UTF-8 (`toByteString`); `byteStringToText` reads a
 * received value as UTF-8 text.
 */
import { toByteString } from './chars.js';
import { type SipResult, sipFail } from './errors.js';
import { canonicalName, headerKey, LIST_HEADERS, splitList } from './headers.js';
import { type Contact, type NameAddr, parseContact, parseNameAddr } from './name-addr.js';
import { equalsIgnoreCase } from './parameters.js';
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
 * Where the parser found a header line in the head string, 4 numbers per line: line start,
 * name end, colon × 2 + folded (1) or not (0), line end (at its CR). The value's bounds are
 * found when it is first read (`valueStart`, `valueEnd`).
 */
export type HeaderOffsets = number[];
export const STRIDE = 4;

/** Whitespace that may surround a value: SP, HTAB, and the CRLF of a folded line. */
function isWsOrLine(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** Where the value after the colon at `colon` starts: LWS skipped (RFC 3261 §7.3.1 HCOLON). */
export function valueStart(s: string, colon: number, lineEnd: number): number {
  let vs = colon + 1;
  while (vs < lineEnd && isWsOrLine(s.charCodeAt(vs))) vs++;
  return vs;
}

/** Where the value that starts at `vs` ends: trailing LWS dropped. */
export function valueEnd(s: string, vs: number, lineEnd: number): number {
  let ve = lineEnd;
  while (ve > vs && isWsOrLine(s.charCodeAt(ve - 1))) ve--;
  return ve;
}

/** What `responseWith` does with a line: leave it out, copy it, copy only the header's first line. */
export const SKIP_LINE = 0;
export const COPY_LINE = 1;
export const COPY_FIRST_LINE = 2;

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
  /**
   * Each header line: a field, or the index of its offsets in `offs` until first read.
   * undefined while no line has been read as a field or changed: line i is then raw line i.
   */
  private entries: Array<HeaderField | number> | undefined;
  /** Typed values parsed so far, by slot (see `slotOf`); undefined until first use. */
  private cache: unknown[] | undefined;

  constructor(init: {
    kind: SipKind;
    method?: string;
    requestUri?: string;
    status?: number;
    reason?: string;
    headers?: HeaderField[];
    body?: Buffer;
    startLineRaw?: string;
    /**
     * Parser and `responseWith` only: the head string, keys and offsets of lazily read header
     * lines, and the lines (a field, or an index into `offs`) when they are not `offs` in order.
     */
    raw?: { src: string; keys: string[]; offs: HeaderOffsets; entries?: Array<HeaderField | number> };
    /**
     * Parser only: `contentLength()` as read while framing the message (the value of its first
     * Content-Length line, or undefined when it has none), so that it is not read twice.
     */
    knownContentLength?: SipResult<number | undefined>;
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
      this.entries = init.raw.entries;
    } else {
      this.src = '';
      this.offs = [];
      const hs = init.headers ?? [];
      this.keys = hs.map((h) => h.key);
      this.entries = hs.slice();
    }
    if (init.knownContentLength !== undefined) this.store(S_CL, init.knownContentLength);
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
    if (this.cache !== undefined) this.cache[S_RURI] = undefined;
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
    const n = this.keys.length;
    const out: HeaderField[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.field(i);
    return out;
  }

  /** Number of header lines. */
  get headerCount(): number {
    return this.keys.length;
  }

  /**
   * A copy to change on its own (a proxy's copy of a request per target, RFC 3261 §16.6 step 1):
   * it reads the same received head, so no line is read or copied until used. Typed values are
   * parsed again in the copy when asked for.
   */
  copy(): SipMessage {
    const m = new SipMessage({
      kind: this.kind,
      method: this._method,
      requestUri: this._requestUri,
      status: this._status,
      reason: this._reason,
      body: this.body,
      raw: {
        src: this.src,
        keys: this.keys.slice(),
        offs: this.offs,
        ...(this.entries === undefined ? {} : { entries: this.entries.slice() }),
      },
    });
    m.startLineRaw = this.startLineRaw;
    return m;
  }

  /** Key of header line `i` (lower-case full name), without reading the line. */
  keyAt(i: number): string {
    return this.keys[i]!;
  }

  /** Header line `i`, read from the head string on first use. */
  private ents(): Array<HeaderField | number> {
    let e = this.entries;
    if (e === undefined) {
      const n = this.keys.length;
      e = new Array(n);
      for (let i = 0; i < n; i++) e[i] = i;
      this.entries = e;
    }
    return e;
  }

  private entry(i: number): HeaderField | number {
    return this.entries === undefined ? i : this.entries[i]!;
  }

  private field(i: number): HeaderField {
    const e = this.entry(i);
    if (typeof e !== 'number') return e;
    const o = this.offs;
    const b = e * STRIDE;
    const src = this.src;
    const lineStart = o[b]!;
    const f: HeaderField = {
      name: src.slice(lineStart, o[b + 1]!),
      key: this.keys[i]!,
      value: this.lineValue(e),
      raw: src.slice(lineStart, o[b + 3]! + 2),
    };
    this.ents()[i] = f;
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
    const n = this.keys.length;
    if (this.entries === undefined && skipKey === undefined && n > 0) {
      // Nothing read as a field or changed: the header block as received, in one slice.
      return this.src.slice(o[0]!, o[(n - 1) * STRIDE + 3]! + 2);
    }
    for (let i = 0; i < n; i++) {
      const e = this.entry(i);
      if (skipKey !== undefined && this.keys[i] === skipKey) continue;
      if (typeof e === 'number') {
        const b = e * STRIDE;
        const ls = o[b]!;
        if (ls === runEnd) runEnd = o[b + 3]! + 2;
        else {
          if (runStart !== -1) out += this.src.slice(runStart, runEnd);
          runStart = ls;
          runEnd = o[b + 3]! + 2;
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
    return this.valueOfKey(headerKey(name));
  }

  /** `get` for a key (lower-case full name), as the typed accessors know it. */
  private valueOfKey(key: string): string | undefined {
    const i = this.indexOfKey(key);
    return i === -1 ? undefined : this.valueAt(i);
  }

  /**
   * The value of a header that has exactly one line, left as received (so it serializes as
   * received); undefined otherwise. For `serialize`, which keeps a right Content-Length line.
   */
  untouchedSingleValue(key: string): string | undefined {
    const i = this.indexOfKey(key);
    if (i === -1 || this.indexOfKey(key, i + 1) !== -1) return undefined;
    const e = this.entry(i);
    if (typeof e !== 'number' && e.raw === undefined) return undefined;
    return this.valueAt(i);
  }

  /** The value of line `i` without building its field (the common read path). */
  private valueAt(i: number): string {
    const e = this.entry(i);
    if (typeof e !== 'number') return e.value;
    return this.lineValue(e);
  }

  /** The value of the received line at `offs` index `e`: trimmed, unfolded (RFC 3261 §7.3.1). */
  private lineValue(e: number): string {
    const b = e * STRIDE;
    const o = this.offs;
    const src = this.src;
    const cf = o[b + 2]!;
    const lineEnd = o[b + 3]!;
    const vs = valueStart(src, cf >> 1, lineEnd);
    const v = src.slice(vs, valueEnd(src, vs, lineEnd));
    return (cf & 1) === 1 ? v.replace(/[ \t]*\r\n[ \t]+/g, ' ') : v;
  }

  has(name: string): boolean {
    return this.indexOfKey(headerKey(name)) !== -1;
  }

  /** `has` for a key (lower-case full name, e.g. 'content-length'): no lookup of the name. */
  hasKey(key: string): boolean {
    return this.indexOfKey(key) !== -1;
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
    return this.valuesOfKey(key, LIST_HEADERS.has(key));
  }

  /** `values` for a key, and whether it is a list header, as the typed accessors know them. */
  private valuesOfKey(key: string, list: boolean): SipResult<string[]> {
    const out: string[] = [];
    for (let i = this.indexOfKey(key); i !== -1; i = this.indexOfKey(key, i + 1)) {
      const value = this.valueAt(i);
      if (!list) {
        out.push(value);
        continue;
      }
      const parts = splitList(value);
      if (parts === undefined)
        return sipFail('SIP_BAD_HEADER', `unbalanced quotes or <> in ${this.field(i).name}`);
      for (const p of parts) out.push(p);
    }
    return { ok: true, value: out };
  }

  private insert(i: number, f: HeaderField): void {
    const e = this.ents();
    const k = this.keys;
    // Shifting these short arrays by hand costs less than `splice`'s generic path.
    for (let j = k.length; j > i; j--) {
      e[j] = e[j - 1]!;
      k[j] = k[j - 1]!;
    }
    e[i] = f;
    k[i] = f.key;
  }

  private removeAt(i: number): void {
    this.ents().splice(i, 1);
    this.keys.splice(i, 1);
  }

  private replaceAt(i: number, f: HeaderField): void {
    this.ents()[i] = f;
    this.keys[i] = f.key;
  }

  /** Replaces every line of a header with one line (in the place of the first), or appends it. */
  set(name: string, value: string): void {
    const key = headerKey(name);
    const field = makeField(name, key, value);
    const i = this.indexOfKey(key);
    if (i === -1) this.insert(this.keys.length, field);
    else {
      this.replaceAt(i, field);
      for (let j = this.keys.length - 1; j > i; j--) if (this.keys[j] === key) this.removeAt(j);
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
    if (where === 'bottom') this.insert(this.keys.length, field);
    else {
      const i = this.indexOfKey(key);
      this.insert(i === -1 ? 0 : i, field);
    }
    this.touched(key);
  }

  /**
   * `add` at the bottom for a value the caller built from byte strings (parts of a received
   * message, digits, ASCII) that starts and ends with a non-space: it is kept as given, not
   * scanned for text to encode (see `byteField`).
   */
  addBytes(name: string, value: string): void {
    const key = headerKey(name);
    this.insert(this.keys.length, byteField(name, key, value));
    this.touched(key);
  }

  /** Removes every line of a header; returns how many. */
  remove(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (let j = this.keys.length - 1; j >= 0; j--) {
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
    // Read without building the line's field: a single value (the usual case) only goes away.
    const parts = splitList(this.valueAt(i));
    if (parts === undefined) return sipFail('SIP_BAD_HEADER', `unbalanced quotes or <> in ${this.nameAt(i)}`);
    if (parts.length <= 1) this.removeAt(i);
    else this.replaceAt(i, makeField(this.nameAt(i), key, parts.slice(1).join(', ')));
    this.touched(key);
    return { ok: true, value: parts[0] };
  }

  /** Replaces the first value of a list header, keeping the rest of its line. */
  replaceFirstValue(name: string, value: string): SipResult<void> {
    return this.replaceFirstValueOfKey(headerKey(name), name, value);
  }

  /** `replaceFirstValue` for a key; reads the line's name and value without building a field. */
  private replaceFirstValueOfKey(key: string, name: string, value: string, bytes = false): SipResult<void> {
    const i = this.indexOfKey(key);
    if (i === -1) return sipFail('SIP_MISSING_HEADER', name);
    const old = this.valueAt(i);
    let v = value;
    if (old.indexOf(',') !== -1) {
      const parts = splitList(old);
      if (parts === undefined)
        return sipFail('SIP_BAD_HEADER', `unbalanced quotes or <> in ${this.nameAt(i)}`);
      parts[0] = value;
      v = parts.join(', ');
    }
    this.replaceAt(i, bytes ? byteField(this.nameAt(i), key, v) : makeField(this.nameAt(i), key, v));
    this.touched(key, true);
    return { ok: true, value: undefined };
  }

  /** The name of line `i` as received or given, without building its field. */
  private nameAt(i: number): string {
    const e = this.entry(i);
    if (typeof e !== 'number') return e.name;
    const b = e * STRIDE;
    return this.src.slice(this.offs[b]!, this.offs[b + 1]!);
  }

  /**
   * Replaces the first line of a header by key, keeping its name as written (a compact 't'
   * stays 't'), and drops the header's cached value; fails when there is none. `bytes`: the
   * caller built `value` from byte strings, without surrounding whitespace (see `byteField`).
   */
  replaceFirstLine(key: string, value: string, bytes = false): SipResult<void> {
    const i = this.indexOfKey(key);
    if (i === -1) return sipFail('SIP_MISSING_HEADER', canonicalName(key));
    this.replaceAt(i, bytes ? byteField(this.nameAt(i), key, value) : makeField(this.nameAt(i), key, value));
    this.touched(key);
    return { ok: true, value: undefined };
  }

  /**
   * A response whose header lines are this message's lines that `keep` accepts, in order and
   * untouched, so that they serialize byte for byte (RFC 3261 §8.2.6.2): the response reads
   * them from the same head string, without a field per line. `keep` answers COPY_LINE,
   * COPY_FIRST_LINE (only the header's first line) or SKIP_LINE for a key.
   */
  responseWith(status: number, reason: string, keep: (key: string) => number): SipMessage {
    const keys: string[] = [];
    const offs: HeaderOffsets = [];
    const entries: Array<HeaderField | number> = [];
    const o = this.offs;
    const n = this.keys.length;
    let firstDone = '';
    for (let i = 0; i < n; i++) {
      const key = this.keys[i]!;
      const k = keep(key);
      if (k === SKIP_LINE) continue;
      if (k === COPY_FIRST_LINE) {
        if (firstDone === key) continue;
        firstDone = key;
      }
      const e = this.entry(i);
      if (typeof e === 'number') {
        const b = e * STRIDE;
        entries.push(offs.length / STRIDE);
        offs.push(o[b]!, o[b + 1]!, o[b + 2]!, o[b + 3]!);
      } else entries.push(e);
      keys.push(key);
    }
    return new SipMessage({ kind: 'response', status, reason, raw: { src: this.src, keys, offs, entries } });
  }

  /**
   * The header lines `responseWith` would copy, rendered as `serialize` renders them, with the
   * first To line's value replaced by `toValue` when given (a UAS adding its tag): a response
   * built and serialized in one pass, without a message in between (`responseBytes`). `toValue`
   * is a byte string that starts and ends with a non-space, as `replaceFirstLine`'s bytes.
   */
  renderCopiedLines(keep: (key: string) => number, toValue: string | undefined): string {
    let out = '';
    const o = this.offs;
    const src = this.src;
    let runStart = -1;
    let runEnd = -1;
    let firstDone = '';
    let toDone = toValue === undefined;
    for (let i = 0, n = this.keys.length; i < n; i++) {
      const key = this.keys[i]!;
      const k = keep(key);
      if (k === SKIP_LINE) continue;
      if (k === COPY_FIRST_LINE) {
        if (firstDone === key) continue;
        firstDone = key;
      }
      const e = this.entry(i);
      if (!toDone && key === 'to') {
        toDone = true;
        if (runStart !== -1) {
          out += src.slice(runStart, runEnd);
          runStart = -1;
          runEnd = -1;
        }
        out += `${this.nameAt(i)}: ${toValue}\r\n`;
        continue;
      }
      if (typeof e === 'number') {
        const b = e * STRIDE;
        const ls = o[b]!;
        if (ls === runEnd) runEnd = o[b + 3]! + 2;
        else {
          if (runStart !== -1) out += src.slice(runStart, runEnd);
          runStart = ls;
          runEnd = o[b + 3]! + 2;
        }
        continue;
      }
      if (runStart !== -1) {
        out += src.slice(runStart, runEnd);
        runStart = -1;
        runEnd = -1;
      }
      out += e.raw ?? `${e.name}: ${e.value}\r\n`;
    }
    if (runStart !== -1) out += src.slice(runStart, runEnd);
    return out;
  }

  /** Forget cached typed values of a header; `keepList` keeps a list cache the caller kept right. */
  private touched(key: string, keepList = false): void {
    const c = this.cache;
    if (c === undefined) return;
    const slot = slotOf(key);
    if (slot === -1) return;
    if (!keepList) c[slot] = undefined;
    if (slot === S_VIA) c[S_TOPVIA] = undefined;
  }

  private slot(i: number): unknown {
    return this.cache === undefined ? undefined : this.cache[i];
  }

  private store<T>(i: number, v: T): T {
    if (this.cache === undefined) this.cache = new Array(S_COUNT);
    this.cache[i] = v;
    return v;
  }

  private listOf<T>(slot: number, key: string, parse: (s: string) => SipResult<T>): SipResult<T[]> {
    const hit = this.slot(slot);
    if (hit !== undefined) return hit as SipResult<T[]>;
    // No line (Route, Record-Route, Path of most requests): the empty list, without a search
    // for lines and values.
    const i = this.indexOfKey(key);
    if (i === -1) return this.store(slot, { ok: true as const, value: [] });
    // The usual case, one line with one value, without building the lists of lines and values.
    if (this.indexOfKey(key, i + 1) === -1) {
      const v = this.valueAt(i);
      const n = v.length;
      if (n > 0 && v.indexOf(',') === -1 && v.charCodeAt(0) > 0x20 && v.charCodeAt(n - 1) > 0x20) {
        const r = parse(v);
        return this.store(slot, r.ok ? { ok: true as const, value: [r.value] } : r);
      }
    }
    // Every header read through here is a list header (RFC 3261 §7.3.1).
    const vals = this.valuesOfKey(key, true);
    if (!vals.ok) return this.store(slot, vals);
    const out: T[] = [];
    for (const v of vals.value) {
      const r = parse(v);
      if (!r.ok) return this.store(slot, r);
      out.push(r.value);
    }
    return this.store(slot, { ok: true as const, value: out });
  }

  private firstOf<T>(
    slot: number,
    key: string,
    parse: (s: string) => SipResult<T>,
  ): SipResult<T | undefined> {
    const hit = this.slot(slot);
    if (hit !== undefined) return hit as SipResult<T | undefined>;
    const v = this.valueOfKey(key);
    return this.store(slot, v === undefined ? { ok: true as const, value: undefined } : parse(v));
  }

  private required<T>(slot: number, key: string, parse: (s: string) => SipResult<T>): SipResult<T> {
    const r = this.firstOf(slot, key, parse);
    if (!r.ok) return r;
    if (r.value === undefined) return sipFail('SIP_MISSING_HEADER', canonicalName(key));
    return r as SipResult<T>;
  }

  /** Replaces the topmost Via value (only its line is re-rendered) and caches it. */
  setTopVia(via: Via): SipResult<void> {
    const text = via.toString();
    const value = toByteString(text);
    // A Via holding text (chars above U+00FF) is stored encoded: it is read back from the line.
    return this.putTopVia(value === text ? via : undefined, value);
  }

  /**
   * `setTopVia` for a Via read from this message and changed only with byte strings, as
   * `addReceived` does: its text is then a byte string that starts and ends with a non-space,
   * so it is not scanned again (a scan of a freshly joined string first copies it whole).
   */
  setTopViaBytes(via: Via): SipResult<void> {
    return this.putTopVia(via, via.toString(), true);
  }

  private putTopVia(via: Via | undefined, value: string, bytes = false): SipResult<void> {
    const r = this.replaceFirstValueOfKey('via', 'via', value, bytes);
    if (!r.ok) return r;
    // The parsed list stays right with its first value replaced: no second parse of the Vias.
    const list = this.slot(S_VIA) as SipResult<Via[]> | undefined;
    if (via !== undefined && list?.ok && list.value.length > 0) {
      const vias = list.value.slice();
      vias[0] = via;
      this.store(S_VIA, { ok: true as const, value: vias });
    } else if (this.cache !== undefined) this.cache[S_VIA] = undefined;
    if (via !== undefined) this.store(S_TOPVIA, { ok: true as const, value: via });
    else if (this.cache !== undefined) this.cache[S_TOPVIA] = undefined;
    return r;
  }

  // ---- typed access (parsed on first use, cached) ------------------------------------------

  /** The Request-URI parsed (RFC 3261 §19.1); fails for a response. */
  uri(): SipResult<Uri> {
    const hit = this.slot(S_RURI);
    if (hit !== undefined) return hit as SipResult<Uri>;
    return this.store(
      S_RURI,
      this.kind === 'request'
        ? parseUri(this._requestUri)
        : sipFail('SIP_BAD_URI', 'a response has no Request-URI'),
    );
  }

  vias(): SipResult<Via[]> {
    return this.listOf(S_VIA, 'via', parseVia);
  }

  /** The topmost Via value; fast path when the first Via line holds one value. */
  topVia(): SipResult<Via> {
    const hit = this.slot(S_TOPVIA);
    if (hit !== undefined) return hit as SipResult<Via>;
    // The whole list parsed already (as `validateMessage` does): its first value.
    const list = this.slot(S_VIA) as SipResult<Via[]> | undefined;
    if (list?.ok && list.value.length > 0)
      return this.store(S_TOPVIA, { ok: true as const, value: list.value[0]! });
    const v = this.valueOfKey('via');
    if (v === undefined) return this.store(S_TOPVIA, sipFail('SIP_MISSING_HEADER', 'Via'));
    if (v.indexOf(',') === -1) return this.store(S_TOPVIA, parseVia(v));
    const parts = splitList(v);
    if (parts === undefined || parts.length === 0)
      return this.store(S_TOPVIA, sipFail('SIP_BAD_VIA', 'empty or unbalanced'));
    return this.store(S_TOPVIA, parseVia(parts[0]!));
  }

  from(): SipResult<NameAddr> {
    return this.required(S_FROM, 'from', parseNameAddr);
  }

  to(): SipResult<NameAddr> {
    return this.required(S_TO, 'to', parseNameAddr);
  }

  callId(): SipResult<string> {
    return this.required(S_CALLID, 'call-id', parseCallId);
  }

  cseq(): SipResult<CSeq> {
    return this.required(S_CSEQ, 'cseq', parseCSeq);
  }

  /** Contact values; `*` comes back as `{ star: true }` (RFC 3261 §10.2.2). */
  contacts(): SipResult<Contact[]> {
    return this.listOf(S_CONTACT, 'contact', parseContact);
  }

  routes(): SipResult<NameAddr[]> {
    return this.listOf(S_ROUTE, 'route', parseNameAddr);
  }

  recordRoutes(): SipResult<NameAddr[]> {
    return this.listOf(S_RR, 'record-route', parseNameAddr);
  }

  /** RFC 3327 Path. */
  paths(): SipResult<NameAddr[]> {
    return this.listOf(S_PATH, 'path', parseNameAddr);
  }

  maxForwards(): SipResult<number | undefined> {
    return this.firstOf(S_MF, 'max-forwards', parseMaxForwards);
  }

  expires(): SipResult<number | undefined> {
    return this.firstOf(S_EXPIRES, 'expires', parseDeltaSeconds);
  }

  minExpires(): SipResult<number | undefined> {
    return this.firstOf(S_MINEXP, 'min-expires', parseDeltaSeconds);
  }

  /** The Content-Length header's value, if present (the body length is `body.length`). */
  contentLength(): SipResult<number | undefined> {
    return this.firstOf(S_CL, 'content-length', parseContentLength);
  }

  contentType(): SipResult<MediaType | undefined> {
    return this.firstOf(S_CT, 'content-type', parseContentType);
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

  /**
   * Whether the option tags of `name` (Supported, Require) hold `tag`, ASCII case-insensitively:
   * `supported().some(...)` without building the lists. Option tags are tokens, so commas alone
   * split them; a value with a quote or '<' goes the general way (which may find it malformed).
   */
  hasOptionTag(name: string, tag: string): boolean {
    const key = headerKey(name);
    let found = false;
    for (let i = this.indexOfKey(key); i !== -1; i = this.indexOfKey(key, i + 1)) {
      const holds = listHolds(this.valueAt(i), tag);
      if (holds === undefined) {
        const all = this.values(name);
        return all.ok && all.value.some((t) => equalsIgnoreCase(t, tag));
      }
      if (holds) found = true;
    }
    return found;
  }
}

// Cache slots for typed values.
const S_RURI = 0;
const S_VIA = 1;
const S_TOPVIA = 2;
const S_FROM = 3;
const S_TO = 4;
const S_CALLID = 5;
const S_CSEQ = 6;
const S_CONTACT = 7;
const S_ROUTE = 8;
const S_RR = 9;
const S_PATH = 10;
const S_MF = 11;
const S_EXPIRES = 12;
const S_MINEXP = 13;
const S_CL = 14;
const S_CT = 15;
const S_COUNT = 16;

function slotOf(key: string): number {
  switch (key) {
    case 'via':
      return S_VIA;
    case 'from':
      return S_FROM;
    case 'to':
      return S_TO;
    case 'call-id':
      return S_CALLID;
    case 'cseq':
      return S_CSEQ;
    case 'contact':
      return S_CONTACT;
    case 'route':
      return S_ROUTE;
    case 'record-route':
      return S_RR;
    case 'path':
      return S_PATH;
    case 'max-forwards':
      return S_MF;
    case 'expires':
      return S_EXPIRES;
    case 'min-expires':
      return S_MINEXP;
    case 'content-length':
      return S_CL;
    case 'content-type':
      return S_CT;
    default:
      return -1;
  }
}

function makeField(name: string, key: string, value: string): HeaderField {
  return { name, key, value: trimmed(toByteString(value)), raw: undefined };
}

/**
 * `makeField` for a value the caller joined from byte strings (parts of this message, digits,
 * checked input) that starts and ends with a non-space: encoding and trimming would change
 * nothing, and scanning a joined string copies it whole first (V8 flattens it).
 */
function byteField(name: string, key: string, value: string): HeaderField {
  return { name, key, value, raw: undefined };
}

/**
 * `v.trim()`, skipped when it would change nothing: a byte string's only chars that `trim`
 * removes are those up to SP and NBSP (U+00A0).
 */
function trimmed(v: string): string {
  const n = v.length;
  if (n === 0) return v;
  const a = v.charCodeAt(0);
  const b = v.charCodeAt(n - 1);
  return a > 0x20 && a !== 0xa0 && b > 0x20 && b !== 0xa0 ? v : v.trim();
}

/**
 * Whether the comma list `v` has `tag` among its elements, ASCII case-insensitively, as
 * `splitList` trims them; undefined when `v` holds a quote or '<' (only `splitList` splits those
 * right). One pass over the chars: option tags are short, and a native search per comma costs
 * more than the loop.
 */
function listHolds(v: string, tag: string): boolean | undefined {
  if (isPlainElement(v, tag)) return true;
  const n = v.length;
  let found = false;
  let start = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? v.charCodeAt(i) : 0x2c;
    if (c === 0x22 /* " */ || c === 0x3c /* < */) return undefined;
    if (c !== 0x2c /* , */) continue;
    let a = start;
    let b = i;
    // One element (no comma) that starts and ends with a non-space is taken whole, as
    // `splitList` takes it; others are trimmed as `trim` would trim them.
    if (start !== 0 || i !== n || n === 0 || v.charCodeAt(0) <= 0x20 || v.charCodeAt(n - 1) <= 0x20) {
      while (a < b && isTrimmed(v.charCodeAt(a))) a++;
      while (b > a && isTrimmed(v.charCodeAt(b - 1))) b--;
    }
    if (!found && b - a === tag.length && equalsIgnoreCaseAt(v, a, tag)) found = true;
    start = i + 1;
  }
  return found;
}

/**
 * Whether `tag` (a token) is written as it is, between commas or the ends, in `v` that holds no
 * quote or '<': the usual Supported (`path,gruu,outbound`), answered with native searches that
 * cost a third of the loop in `listHolds`. Such an element needs no trimming, so the loop would
 * find it too; any other case (other spelling, spaces, a quote) is left to the loop.
 */
function isPlainElement(v: string, tag: string): boolean {
  const at = v.indexOf(tag);
  if (at === -1) return false;
  const end = at + tag.length;
  return (
    (at === 0 || v.charCodeAt(at - 1) === 0x2c) /* , */ &&
    (end === v.length || v.charCodeAt(end) === 0x2c) &&
    v.indexOf('"') === -1 &&
    v.indexOf('<') === -1
  );
}

/** A char `String.prototype.trim` removes, among byte-string chars: TAB to CR, SP, NBSP. */
function isTrimmed(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0;
}

/** `equalsIgnoreCase(v.slice(a, a + tag.length), tag)` without the slice. */
function equalsIgnoreCaseAt(v: string, a: number, tag: string): boolean {
  for (let i = 0; i < tag.length; i++) {
    let x = v.charCodeAt(a + i);
    let y = tag.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0x41 && x <= 0x5a) x |= 0x20;
    if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    if (x !== y) return false;
  }
  return true;
}

/** A new header line for building messages. */
export function headerField(name: string, value: string): HeaderField {
  return makeField(name, headerKey(name), value);
}
