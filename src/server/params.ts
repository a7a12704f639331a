/**
 * Parameters of the server modules, named after their OpenSIPS counterparts where one exists
 * (registrar, usrloc, auth, tm, rr); what is ours is marked `ours`.
 */
import type { ModuleSpec } from '../params.js';

export const REGISTRAR: ModuleSpec = {
  name: 'registrar',
  doc: 'REGISTER handling (RFC 3261 §10, RFC 5626 outbound, RFC 3327 Path).',
  params: [
    {
      name: 'default_expires',
      type: 'int',
      default: 3600,
      min: 1,
      unit: 's',
      doc: 'Expiry of a contact with neither an expires parameter nor an Expires header.',
    },
    {
      name: 'min_expires',
      type: 'int',
      default: 60,
      min: 0,
      unit: 's',
      doc: 'Shorter non-zero expiries are refused with 423 Interval Too Brief and Min-Expires.',
    },
    {
      name: 'max_expires',
      type: 'int',
      default: 3600,
      opensipsDefault: 0,
      differs:
        'OpenSIPS sets no cap; browsers ask for 600 s, and a cap bounds how long a binding of a vanished client lingers.',
      min: 0,
      unit: 's',
      doc: 'Longer expiries are shortened to this; 0 = no cap.',
    },
    {
      name: 'max_contacts',
      type: 'int',
      default: 16,
      opensipsDefault: 0,
      differs:
        'Every request to the address-of-record is forked to each binding: with no limit one account could turn one request into thousands of relayed copies.',
      min: 0,
      doc: 'Most bindings one address-of-record may hold (503 past it); 0 = no limit.',
    },
  ],
};

export const USRLOC: ModuleSpec = {
  name: 'usrloc',
  doc: 'The location store behind the registrar.',
  params: [
    {
      name: 'db_mode',
      type: 'int',
      default: 0,
      min: 0,
      max: 0,
      doc: 'Only 0 (memory) is implemented; the store interface allows shared backends later.',
    },
    {
      name: 'node_id',
      type: 'string',
      default: undefined,
      ours: true,
      doc: 'Name of this sipwss instance in bindings (default: host name and process id).',
    },
  ],
};

export const AUTH: ModuleSpec = {
  name: 'auth',
  doc: 'Digest authentication (RFC 3261 §22, RFC 8760): 401 for REGISTER, 407 for other requests.',
  params: [
    {
      name: 'users_file',
      type: 'string',
      default: undefined,
      file: 'file',
      ours: true,
      doc: 'File of users, one `username:realm:password` a line. Set: every REGISTER and every new request from our domain must authenticate.',
    },
    {
      name: 'nonce_expire',
      type: 'int',
      default: 30,
      min: 1,
      max: 3600,
      unit: 's',
      doc: 'Lifetime of a nonce; a correct answer with an older one gets a stale=true challenge.',
    },
    {
      name: 'algorithms',
      type: 'string',
      default: 'MD5',
      ours: true,
      doc: 'Digest algorithms offered, in order, comma-separated (MD5, SHA-256). JsSIP and SIP.js speak only MD5.',
    },
    {
      name: 'allow_unauthenticated',
      type: 'flag',
      default: 0,
      ours: true,
      doc: 'Set to 1 to run with no users_file on a listener beyond loopback (anyone may register any name).',
    },
  ],
};

/**
 * Default of tm `max_transactions`: far above what 10,000 browsers keep in progress, and at ~12 KB
 * a MESSAGE transaction (more for an INVITE with SDP) well inside Node's default heap.
 */
export const DEFAULT_MAX_TRANSACTIONS = 50_000;

/**
 * Default of tm `max_transactions_per_ip`: a fifth of the table, so that one address (one client
 * flooding, or one NAT) cannot take it all; still far above what a NAT with a thousand browsers
 * keeps in progress.
 */
export const DEFAULT_MAX_TRANSACTIONS_PER_IP = 10_000;

export const TM: ModuleSpec = {
  name: 'tm',
  doc: 'Transactions (RFC 3261 §17, RFC 6026).',
  params: [
    {
      name: 'fr_timeout',
      type: 'int',
      default: 32,
      opensipsDefault: 5,
      differs:
        'RFC 3261 Timer F/B is 64×T1 = 32 s; over WebSocket nothing is retransmitted, so only this bounds a lost answer.',
      min: 1,
      max: 300,
      unit: 's',
      doc: 'Time for a final response to a non-INVITE request, or a first response to an INVITE, before 408.',
    },
    {
      name: 'fr_inv_timeout',
      type: 'int',
      default: 120,
      min: 1,
      max: 600,
      unit: 's',
      doc: 'Time for a final response to an INVITE once it rings (Timer C), before CANCEL and 408.',
    },
    {
      name: 'max_transactions',
      type: 'int',
      default: DEFAULT_MAX_TRANSACTIONS,
      min: 0,
      ours: true,
      doc: 'Most transactions in progress at once (each request relayed holds one, plus one per binding it is forked to); past it a new request gets 503 Service Unavailable with Retry-After: 5 (never a REGISTER for our registrar, an ACK or a CANCEL; requests inside a dialog, such as BYE, only past an eighth more; an INVITE counts until 32 s after its final response), and a warning is logged. Bounds the memory a flood of unanswered requests can take. 0 = no limit.',
    },
    {
      name: 'max_transactions_per_ip',
      type: 'int',
      default: DEFAULT_MAX_TRANSACTIONS_PER_IP,
      min: 0,
      ours: true,
      doc: 'Most transactions held at once for the requests from one IP address, counted as for max_transactions (each request relayed holds one, plus one per binding it is forked to); past it a new request from that address gets 503 Service Unavailable with Retry-After: 5, with the same exceptions as max_transactions, and a warning is logged. Keeps one client, or one address, from filling the table and so refusing everyone else. 0 = no limit per address.',
    },
  ],
};

export const RR: ModuleSpec = {
  name: 'rr',
  doc: 'Record-Route (RFC 3261 §16.6) with flow tokens (RFC 5626 §5.2), so in-dialog requests come back through sipwss.',
  // Double Record-Route with flow tokens is always on: it is how dialogs between two WebSocket
  // clients find their flows (field-lessons #17). Nothing to configure.
  params: [],
};

/** Global lines of the server (alongside the transport's tcp_* globals). */
export const SERVER_CORE: ModuleSpec = {
  name: 'core',
  doc: 'Global lines of the sipwss server.',
  params: [
    {
      name: 'log_level',
      type: 'int',
      default: 3,
      min: -3,
      max: 4,
      doc: 'OpenSIPS levels: -3..-1 errors only, 1 warnings, 2-3 notices and info, 4 debug.',
    },
    {
      name: 'alias',
      type: 'string',
      default: undefined,
      doc: "Domains served besides the listeners' addresses, comma-separated (OpenSIPS takes one alias= line per domain).",
    },
  ],
};
