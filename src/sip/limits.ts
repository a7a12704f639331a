/**
 * Limits on what the codec accepts, checked before anything is allocated for the part they
 * bound (style principle 6). Defaults are generous for WebRTC (SDP of 3-10 KB is normal, 16 KB
 * happens) and small enough that a hostile peer cannot make us buffer much.
 */
import type { ParamSpec } from '../params.js';

export interface SipLimits {
  /** Whole message, start line to end of body, in bytes. */
  readonly maxMessageSize: number;
  /** Header lines (a folded header counts once; a comma list counts once). */
  readonly maxHeaders: number;
  /** One header line, folded continuation lines included, and the start line, in bytes. */
  readonly maxHeaderLineLength: number;
  /** Via values, over all Via lines. */
  readonly maxVia: number;
}

export const DEFAULT_LIMITS: SipLimits = Object.freeze({
  maxMessageSize: 65_535,
  maxHeaders: 128,
  maxHeaderLineLength: 8_192,
  maxVia: 32,
});

/** The limits as module parameters, for the cfg reader and docs/configuration.md. */
export const SIP_LIMIT_PARAMS: readonly ParamSpec[] = [
  {
    name: 'sip_max_msg_size',
    type: 'int',
    default: DEFAULT_LIMITS.maxMessageSize,
    min: 1_024,
    max: 16_777_216,
    unit: 'bytes',
    ours: true,
    doc: 'Largest SIP message accepted, start line to end of body; larger ones get 513 or close the stream.',
  },
  {
    name: 'sip_max_headers',
    type: 'int',
    default: DEFAULT_LIMITS.maxHeaders,
    min: 8,
    max: 4_096,
    ours: true,
    doc: 'Most header lines in one SIP message.',
  },
  {
    name: 'sip_max_header_line',
    type: 'int',
    default: DEFAULT_LIMITS.maxHeaderLineLength,
    min: 256,
    max: 1_048_576,
    unit: 'bytes',
    ours: true,
    doc: 'Longest header line (folded continuations included) or start line.',
  },
  {
    name: 'sip_max_via',
    type: 'int',
    default: DEFAULT_LIMITS.maxVia,
    min: 1,
    max: 1_024,
    ours: true,
    doc: 'Most Via values in one SIP message.',
  },
];

/**
 * Defaults overlaid with `partial`. Programmer errors (a non-positive or non-integer limit,
 * an unknown key) throw at once, exactly as options should (style principle 3).
 */
export function makeLimits(partial: Partial<SipLimits> = {}): SipLimits {
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(partial)) {
    if (!(k in DEFAULT_LIMITS)) throw new TypeError(`unknown SIP limit "${k}"`);
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v <= 0)
      throw new RangeError(`SIP limit ${k} must be a positive integer, got ${v}`);
    out[k] = v;
  }
  return Object.freeze(out as unknown as SipLimits);
}
