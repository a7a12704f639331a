/**
 * Checks a tls_mgm `dh_params` file. Node's createSecureContext silently ignores DH parameters it
 * cannot parse (the DHE suites are then just unavailable), so sipwss decodes the PKCS#3
 * `DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER, privateValueLength INTEGER OPTIONAL }`
 * itself and refuses what would not work. OpenSSL refuses primes under 1024 bits; under 2048 is
 * accepted with a warning (RFC 7919 §4 recommends at least 2048).
 */

export type DhCheck =
  | { readonly ok: true; readonly bits: number; readonly warning?: string }
  | { readonly ok: false; readonly reason: string };

/** Reads one DER TLV at `at`: tag, content start, content end. */
function tlv(der: Buffer, at: number): { tag: number; start: number; end: number } | undefined {
  if (at + 2 > der.length) return undefined;
  const tag = der[at] as number;
  let len = der[at + 1] as number;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[start + i] as number);
    start += n;
  }
  const end = start + len;
  return end <= der.length ? { tag, start, end } : undefined;
}

function bitLength(der: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end && der[i] === 0) i++;
  if (i === end) return 0;
  return (end - i - 1) * 8 + (32 - Math.clz32(der[i] as number));
}

export function checkDhParams(pemBlock: string): DhCheck {
  const b64 = pemBlock.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(b64, 'base64');
  const seq = tlv(der, 0);
  if (seq?.tag !== 0x30 || seq.end !== der.length)
    return { ok: false, reason: 'not a DER DHParameter sequence' };
  const p = tlv(der, seq.start);
  if (p?.tag !== 0x02) return { ok: false, reason: 'no prime' };
  const g = tlv(der, p.end);
  if (g?.tag !== 0x02) return { ok: false, reason: 'no generator' };
  const bits = bitLength(der, p.start, p.end);
  const gBits = bitLength(der, g.start, g.end);
  if (gBits < 2) return { ok: false, reason: 'generator must be 2 or more' };
  if (bits < 1024) return { ok: false, reason: `prime of ${bits} bits; OpenSSL needs at least 1024` };
  if (bits < 2048)
    return { ok: true, bits, warning: `DH prime of ${bits} bits; RFC 7919 recommends 2048 or more` };
  return { ok: true, bits };
}

/** PEM `DH PARAMETERS` for a prime and generator (tests, and `getDiffieHellman` groups). */
export function dhParamsPem(prime: Buffer, generator: number): string {
  const int = (b: Buffer) => {
    const body = (b[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
    return Buffer.concat([Buffer.from([0x02]), derLength(body.length), body]);
  };
  const content = Buffer.concat([int(prime), int(Buffer.from([generator]))]);
  const der = Buffer.concat([Buffer.from([0x30]), derLength(content.length), content]);
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN DH PARAMETERS-----\n${b64}-----END DH PARAMETERS-----\n`;
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
