/**
 * Parse the value of an Authorization / Proxy-Authorization header with the Digest scheme
 * (RFC 3261 §25.1 `credentials`, RFC 7616 §3.4). Returns undefined for anything that is not a
 * well-formed Digest credentials list: the caller answers with a fresh challenge, never throws.
 */

export interface DigestCredentials {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  readonly algorithm: string;
  readonly cnonce?: string;
  readonly opaque?: string;
  readonly qop?: string;
  readonly nc?: string;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const MAX_LENGTH = 4096;

/** Split `k=v, k="v", ...` respecting quoted strings with backslash escapes (RFC 3261 §25.1 quoted-pair). */
function parseParams(s: string, start: number): Map<string, string> | undefined {
  const out = new Map<string, string>();
  let i = start;
  const n = s.length;
  while (i < n) {
    while (i < n && (s[i] === ' ' || s[i] === '\t' || s[i] === ',')) i++;
    if (i >= n) break;
    const nameStart = i;
    while (i < n && TOKEN_CHAR.test(s[i] as string)) i++;
    if (i === nameStart) return undefined;
    const name = s.slice(nameStart, i).toLowerCase();
    while (i < n && (s[i] === ' ' || s[i] === '\t')) i++;
    if (s[i] !== '=') return undefined;
    i++;
    while (i < n && (s[i] === ' ' || s[i] === '\t')) i++;
    let value = '';
    if (s[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = s[i] as string;
        if (c === '\\' && i + 1 < n) {
          value += s[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) return undefined;
    } else {
      const vStart = i;
      while (i < n && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t') i++;
      value = s.slice(vStart, i);
      if (value.length === 0) return undefined;
    }
    if (out.has(name)) return undefined; // RFC 7616 §3.4: each directive at most once
    out.set(name, value);
    while (i < n && (s[i] === ' ' || s[i] === '\t')) i++;
    if (i < n && s[i] !== ',') return undefined;
  }
  return out;
}

export function parseDigestCredentials(value: string): DigestCredentials | undefined {
  if (value.length > MAX_LENGTH) return undefined;
  const trimmed = value.trimStart();
  if (!/^digest[ \t]/i.test(trimmed)) return undefined;
  const params = parseParams(trimmed, 7);
  if (params === undefined) return undefined;
  const username = params.get('username');
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  const uri = params.get('uri');
  const response = params.get('response');
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined)
    return undefined;
  if (response === undefined) return undefined;
  const qop = params.get('qop');
  const cnonce = params.get('cnonce');
  const nc = params.get('nc');
  // RFC 3261 §22.4 / RFC 7616 §3.4: with qop, cnonce and nc are required.
  if (qop !== undefined && (cnonce === undefined || nc === undefined || !/^[0-9a-fA-F]{8}$/.test(nc)))
    return undefined;
  return {
    username,
    realm,
    nonce,
    uri,
    response: response.toLowerCase(),
    algorithm: params.get('algorithm') ?? 'MD5',
    ...(cnonce !== undefined ? { cnonce } : {}),
    ...(params.has('opaque') ? { opaque: params.get('opaque') as string } : {}),
    ...(qop !== undefined ? { qop } : {}),
    ...(nc !== undefined ? { nc } : {}),
  };
}
