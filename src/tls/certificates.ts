/**
 * Making certificates without the openssl binary: a self-signed server certificate for the
 * embedded default configuration (`npm start`), and a small CA that signs server and client
 * certificates for tests. Keys are ECDSA P-256 (fast to make, accepted by browsers and OpenSSL).
 * Output is PEM, as tls_mgm's `certificate` / `private_key` / `ca_list` files expect.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface PemKeyPair {
  /** PEM certificate */
  readonly cert: string;
  /** PEM PKCS#8 private key */
  readonly key: string;
}

export interface CertificateOptions {
  /** Subject common name. */
  readonly commonName: string;
  /** DNS names and IP addresses for subjectAltName; default: the common name. */
  readonly altNames?: readonly string[];
  /** Validity in days from now (default 825). Negative start offsets make expired certs for tests. */
  readonly days?: number;
  /** Start of validity relative to now, in days (default -1, to tolerate clock skew). */
  readonly notBeforeDays?: number;
  /** Signing CA; omitted: self-signed. */
  readonly issuer?: PemKeyPair;
  /** Make a CA certificate (basicConstraints cA=true, keyCertSign). */
  readonly isCa?: boolean;
  /** Extended key usage: server, client, or both (default both). */
  readonly usage?: 'server' | 'client' | 'both';
}

function toPem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']) as Promise<CryptoKey>;
}

function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}

/** Make a certificate and its key: self-signed, or signed by `issuer`. */
export async function makeCertificate(opts: CertificateOptions): Promise<PemKeyPair> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const notBefore = new Date(now + (opts.notBeforeDays ?? -1) * DAY_MS);
  const notAfter = new Date(now + (opts.days ?? 825) * DAY_MS);
  const names = opts.altNames ?? [opts.commonName];
  const usage = opts.usage ?? 'both';
  const eku: string[] = [];
  if (usage !== 'client') eku.push(x509.ExtendedKeyUsage.serverAuth);
  if (usage !== 'server') eku.push(x509.ExtendedKeyUsage.clientAuth);

  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(opts.isCa === true, undefined, true),
    new x509.KeyUsagesExtension(
      opts.isCa
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature
        : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (!opts.isCa) {
    extensions.push(new x509.ExtendedKeyUsageExtension(eku));
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        names.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n })),
      ),
    );
  }

  const subject = `CN=${escapeDn(opts.commonName)}`;
  const serialNumber = Buffer.from(webcrypto.getRandomValues(new Uint8Array(12))).toString('hex');
  let cert: x509.X509Certificate;
  if (opts.issuer) {
    const issuerCert = new x509.X509Certificate(opts.issuer.cert);
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuerCert));
    cert = await x509.X509CertificateGenerator.create({
      serialNumber: `01${serialNumber}`,
      subject,
      issuer: issuerCert.subject,
      notBefore,
      notAfter,
      signingAlgorithm: ALG,
      publicKey: keys.publicKey,
      signingKey: await importPrivateKey(opts.issuer.key),
      extensions,
    });
  } else {
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: `01${serialNumber}`,
      name: subject,
      notBefore,
      notAfter,
      signingAlgorithm: ALG,
      keys,
      extensions,
    });
  }
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: cert.toString('pem') + '\n', key: toPem('PRIVATE KEY', pkcs8) };
}

/** A CRL signed by `issuer` revoking the given certificates (PEM), valid for `days` (default 30). */
export async function makeCrl(issuer: PemKeyPair, revoked: readonly string[], days = 30): Promise<string> {
  const issuerCert = new x509.X509Certificate(issuer.cert);
  const now = Date.now();
  const crl = await x509.X509CrlGenerator.create({
    issuer: issuerCert.subject,
    thisUpdate: new Date(now - DAY_MS),
    nextUpdate: new Date(now + days * DAY_MS),
    signingAlgorithm: ALG,
    signingKey: await importPrivateKey(issuer.key),
    entries: revoked.map((pem) => ({
      serialNumber: new x509.X509Certificate(pem).serialNumber,
      revocationDate: new Date(now - DAY_MS),
    })),
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(issuerCert)],
  });
  // OpenSSL (and so Node's `crl` option) reads the "X509 CRL" PEM label only.
  return toPem('X509 CRL', crl.rawData);
}
