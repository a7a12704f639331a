/**
 * Reads and checks one domain's TLS material and builds its Node SecureContext. Every check
 * names the tls_mgm parameter and the file, so that a bad file is a start-up (or reload) error
 * and never a handshake failure later: files exist and are readable, PEM blocks parse, the
 * private key belongs to the certificate, ciphers / curve / DH parameters are accepted.
 *
 * Context settings copied from tls_mgm (tls_openssl/openssl_config.c): server cipher preference
 * (`honorCipherOrder`), the configured version range. ca_dir and crl_dir are read as whole
 * directories (Node takes CA and CRL PEMs, not OpenSSL hashed lookup directories).
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import tls, { type SecureContext, type SecureContextOptions } from 'node:tls';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { checkDhParams } from './dh-params.js';
import type { DomainConfig, MaterialRef } from './domain-params.js';
import { TlsError } from './errors.js';

export interface CertSummary {
  readonly subject: string;
  readonly validTo: string;
  readonly fingerprint256: string;
}

export interface DomainMaterial {
  /** What `tls.createSecureContext` / `server.setSecureContext` take for this domain. */
  readonly options: Readonly<SecureContextOptions>;
  readonly context: SecureContext;
  readonly cert: CertSummary | undefined;
  readonly warnings: readonly string[];
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

function pemBlocks(text: string, label: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) if (m[1] === label) out.push(`${m[0]}\n`);
  return out;
}

function where(ref: MaterialRef, domain: string, file?: string) {
  const f = file ?? ref.path;
  return {
    param: ref.param,
    domain,
    ...(f !== undefined ? { file: f } : {}),
    ...(ref.source ? { source: ref.source } : {}),
  };
}

function fsError(e: unknown, ref: MaterialRef, domain: string, file?: string): TlsError {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = e instanceof Error ? e.message : String(e);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new TlsError('TLS_FILE_MISSING', msg, { ...where(ref, domain, file), cause: e });
  }
  return new TlsError('TLS_FILE_UNREADABLE', msg, { ...where(ref, domain, file), cause: e });
}

async function readText(ref: MaterialRef, domain: string): Promise<string> {
  if (ref.pem !== undefined) return ref.pem;
  const path = ref.path as string;
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw fsError(e, ref, domain);
  }
}

/** Every regular file of a directory (symlinks followed, as in a c_rehash directory). */
async function readDirFiles(ref: MaterialRef, domain: string): Promise<{ file: string; text: string }[]> {
  const dir = ref.path as string;
  let names: string[];
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) {
      throw new TlsError('TLS_FILE_UNREADABLE', 'not a directory', where(ref, domain));
    }
    names = (await readdir(dir)).sort();
  } catch (e) {
    if (e instanceof TlsError) throw e;
    throw fsError(e, ref, domain);
  }
  const out: { file: string; text: string }[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      const st = await stat(file);
      if (!st.isFile()) continue;
      out.push({ file, text: await readFile(file, 'utf8') });
    } catch (e) {
      throw fsError(e, ref, domain, file);
    }
  }
  return out;
}

function parseCerts(
  blocks: readonly string[],
  ref: MaterialRef,
  domain: string,
  file?: string,
): X509Certificate[] {
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw new TlsError('TLS_BAD_PEM', `certificate #${i + 1} does not parse: ${(e as Error).message}`, {
        ...where(ref, domain, file),
        cause: e,
      });
    }
  });
}

/** Whether `opts` alone make a context; the error message when not. */
function probe(opts: SecureContextOptions): string | undefined {
  try {
    tls.createSecureContext(opts);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function at(d: DomainConfig, param: string) {
  const s = d.sources[param];
  return s ? { source: s } : {};
}

export async function loadMaterial(d: DomainConfig): Promise<DomainMaterial> {
  const domain = d.name;
  const warnings: string[] = [];
  const options: SecureContextOptions = {
    minVersion: d.method.min,
    maxVersion: d.method.max,
    honorCipherOrder: true,
  };
  let cert: CertSummary | undefined;

  if (d.certificate && d.privateKey) {
    const certText = await readText(d.certificate, domain);
    const blocks = pemBlocks(certText, 'CERTIFICATE');
    if (blocks.length === 0) {
      throw new TlsError('TLS_BAD_PEM', 'no "BEGIN CERTIFICATE" block', where(d.certificate, domain));
    }
    const chain = parseCerts(blocks, d.certificate, domain);
    const leaf = chain[0] as X509Certificate;
    const keyText = await readText(d.privateKey, domain);
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: keyText, format: 'pem' });
    } catch (e) {
      const m = (e as Error).message;
      const detail = /passphrase|encrypted/i.test(m + keyText)
        ? `the key is encrypted or unreadable (tls_mgm takes an unencrypted PEM key): ${m}`
        : `no valid PEM private key: ${m}`;
      throw new TlsError('TLS_BAD_PEM', detail, { ...where(d.privateKey, domain), cause: e });
    }
    if (!leaf.checkPrivateKey(key)) {
      throw new TlsError(
        'TLS_KEY_MISMATCH',
        `the key does not belong to the certificate in ${d.certificate.path ?? 'the given PEM'} (${leaf.subject.replace(/\n/g, ', ')})`,
        where(d.privateKey, domain),
      );
    }
    options.cert = blocks.join('');
    options.key = keyText;
    cert = Object.freeze({
      subject: leaf.subject.replace(/\n/g, ', '),
      validTo: leaf.validTo,
      fingerprint256: leaf.fingerprint256,
    });
    if (new Date(leaf.validTo).getTime() < Date.now()) {
      warnings.push(`${d.side} domain "${domain}": certificate expired on ${leaf.validTo}`);
    }
  }

  const ca: string[] = [];
  if (d.caList) {
    const blocks = pemBlocks(await readText(d.caList, domain), 'CERTIFICATE');
    if (blocks.length === 0)
      throw new TlsError('TLS_BAD_PEM', 'no "BEGIN CERTIFICATE" block', where(d.caList, domain));
    parseCerts(blocks, d.caList, domain);
    ca.push(...blocks);
  }
  if (d.caDir) {
    const before = ca.length;
    for (const { file, text } of await readDirFiles(d.caDir, domain)) {
      const blocks = pemBlocks(text, 'CERTIFICATE');
      parseCerts(blocks, d.caDir, domain, file);
      for (const b of blocks) if (!ca.includes(b)) ca.push(b);
    }
    if (ca.length === before) {
      throw new TlsError(
        'TLS_BAD_PEM',
        'no CA certificate in any file of the directory',
        where(d.caDir, domain),
      );
    }
  }
  if (ca.length > 0) options.ca = ca;

  if (d.crlDir) {
    const crl: string[] = [];
    for (const { file, text } of await readDirFiles(d.crlDir, domain)) {
      for (const b of pemBlocks(text, 'X509 CRL')) {
        try {
          new x509.X509Crl(b);
        } catch (e) {
          throw new TlsError('TLS_BAD_PEM', `CRL does not parse: ${(e as Error).message}`, {
            ...where(d.crlDir, domain, file),
            cause: e,
          });
        }
        if (!crl.includes(b)) crl.push(b);
      }
    }
    if (crl.length === 0) {
      throw new TlsError(
        'TLS_BAD_PEM',
        'no "BEGIN X509 CRL" block in any file of the directory',
        where(d.crlDir, domain),
      );
    }
    options.crl = crl;
  }

  if (d.dhParams) {
    const text = await readText(d.dhParams, domain);
    const block = pemBlocks(text, 'DH PARAMETERS')[0];
    if (block === undefined) {
      throw new TlsError('TLS_BAD_PEM', 'no "BEGIN DH PARAMETERS" block', where(d.dhParams, domain));
    }
    const check = checkDhParams(block);
    if (!check.ok) throw new TlsError('TLS_BAD_PEM', check.reason, where(d.dhParams, domain));
    if (check.warning !== undefined) warnings.push(`${d.side} domain "${domain}": ${check.warning}`);
    options.dhparam = block;
  }

  if (d.ecCurve !== undefined) {
    const err = probe({ ecdhCurve: d.ecCurve });
    if (err !== undefined) {
      throw new TlsError('TLS_BAD_VALUE', `curve "${d.ecCurve}" not accepted: ${err}`, {
        param: 'ec_curve',
        domain,
        ...at(d, 'ec_curve'),
      });
    }
    options.ecdhCurve = d.ecCurve;
  }

  let ciphers = d.ciphersList;
  if (ciphers !== undefined) {
    const err = probe({ ciphers });
    if (err !== undefined) {
      throw new TlsError('TLS_BAD_VALUE', `"${ciphers}" not accepted: ${err}`, {
        param: 'ciphers_list',
        domain,
        ...at(d, 'ciphers_list'),
      });
    }
  }
  if (d.method.legacy && !(ciphers ?? '').includes('@SECLEVEL=')) {
    // OpenSSL 3 at security level >= 1 refuses the SHA-1/MD5 signatures a TLS 1.0/1.1 handshake
    // needs ("no suitable signature algorithm"); the admin asked for TLS 1.0 by naming it.
    ciphers = `${ciphers ?? tls.DEFAULT_CIPHERS}:@SECLEVEL=0`;
    warnings.push(
      `${d.side} domain "${domain}": tls_method "${d.methodText}" enables TLS 1.0 (deprecated, RFC 8996); OpenSSL security level lowered to 0 for this domain`,
    );
  }
  if (ciphers !== undefined) options.ciphers = ciphers;

  let context: SecureContext;
  try {
    context = tls.createSecureContext(options);
  } catch (e) {
    throw new TlsError('TLS_BAD_VALUE', `the domain's TLS context cannot be built: ${(e as Error).message}`, {
      domain,
      cause: e,
    });
  }
  return Object.freeze({ options: Object.freeze(options), context, cert, warnings: Object.freeze(warnings) });
}
