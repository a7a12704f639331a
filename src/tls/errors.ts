/**
 * The TLS layer's catalogue of errors. Start-up errors (bad tls_mgm parameters or TLS material)
 * name the parameter, the domain, the file, and the cfg line they came from, so that an
 * operator can fix the right line. Handshake-time refusals (no domain for the SNI name, a
 * missing or unverified client certificate) carry no protocol outcome: the TLS connection is
 * closed before any WebSocket or SIP exists on it.
 */
import { SipwssError } from '../errors.js';

export const TLS_ERROR_CODES = {
  /** A parameter name tls_mgm does not have. */
  TLS_UNKNOWN_PARAM: 'unknown tls_mgm parameter',
  /** A value of the wrong shape: not 0/1 for a flag, a bad address, pattern or domain name. */
  TLS_BAD_VALUE: 'bad parameter value',
  /** A `tls_method` that is not a known method name or range. */
  TLS_BAD_METHOD: 'bad TLS method',
  /** `[name]value` naming a domain that no server_domain / client_domain declares. */
  TLS_UNKNOWN_DOMAIN: 'unknown TLS domain',
  /** A domain declared twice, or a parameter given twice for one domain. */
  TLS_DUPLICATE: 'given twice',
  /** A file or directory that does not exist. */
  TLS_FILE_MISSING: 'file not found',
  /** A file or directory that exists but cannot be read (permissions, wrong kind). */
  TLS_FILE_UNREADABLE: 'file not readable',
  /** A file that holds no valid PEM object of the expected kind. */
  TLS_BAD_PEM: 'bad PEM',
  /** A private key that does not belong to the certificate. */
  TLS_KEY_MISMATCH: 'private key does not match certificate',
  /** A server domain without a certificate and private key. */
  TLS_NO_CERTIFICATE: 'no certificate',
  /** Something tls_mgm can express that Node's TLS cannot. */
  TLS_UNSUPPORTED: 'not supported by Node.js TLS',
  /** A listener address for which no server domain exists. */
  TLS_NO_SERVER_DOMAIN: 'no TLS server domain',
  /** An outbound destination for which no client domain matches. */
  TLS_NO_CLIENT_DOMAIN: 'no TLS client domain',
  /** A handshake whose SNI host name (RFC 6066 §3) matches no server domain of the listener. */
  TLS_NO_SNI_DOMAIN: 'no TLS server domain for the SNI name',
  /** The selected server domain has `require_cert` and the client sent no certificate. */
  TLS_PEER_CERT_REQUIRED: 'client certificate required',
  /** The selected domain has `verify_cert` and the peer's certificate did not verify. */
  TLS_PEER_CERT_INVALID: 'peer certificate not verified',
} as const;

export type TlsErrorCode = keyof typeof TLS_ERROR_CODES;

export interface CfgSource {
  readonly file: string;
  readonly line: number;
}

export interface TlsErrorDetails {
  /** tls_mgm parameter name. */
  readonly param?: string;
  /** TLS domain name (`default` for the implicit domains). */
  readonly domain?: string;
  /** File or directory involved. */
  readonly file?: string;
  /** Where in the cfg the parameter was given. */
  readonly source?: CfgSource;
  readonly cause?: unknown;
}

export class TlsError extends SipwssError<TlsErrorCode> {
  readonly param: string | undefined;
  readonly domain: string | undefined;
  readonly file: string | undefined;
  readonly source: CfgSource | undefined;

  constructor(code: TlsErrorCode, detail: string, details: TlsErrorDetails = {}) {
    super(code, formatMessage(code, detail, details), {}, { cause: details.cause });
    this.name = 'TlsError';
    this.param = details.param;
    this.domain = details.domain;
    this.file = details.file;
    this.source = details.source;
  }
}

/** `tls_mgm "certificate" (domain "dom1", file /x.pem, at /etc/sipwss.cfg:12): file not found: ...` */
function formatMessage(code: TlsErrorCode, detail: string, d: TlsErrorDetails): string {
  const where: string[] = [];
  if (d.domain !== undefined) where.push(`domain "${d.domain}"`);
  if (d.file !== undefined) where.push(`file ${d.file}`);
  if (d.source !== undefined) where.push(`at ${d.source.file}:${d.source.line}`);
  const head = d.param !== undefined ? `tls_mgm "${d.param}"` : 'tls_mgm';
  const ctx = where.length > 0 ? ` (${where.join(', ')})` : '';
  return `${head}${ctx}: ${TLS_ERROR_CODES[code]}: ${detail}`;
}
