/**
 * Registrar limits (OpenSIPS registrar module parameter names), validated once.
 */
export interface RegistrarPolicy {
  /** Expiry (s) for a contact with neither an `expires` param nor an Expires header. */
  readonly default_expires: number;
  /** Shorter non-zero expiries get 423 Interval Too Brief with Min-Expires (RFC 3261 §10.3 step 7). */
  readonly min_expires: number;
  /** Longer expiries are shortened to this (RFC 3261 §10.3: the registrar MAY shorten); 0 = no cap. */
  readonly max_expires: number;
  /** Bindings one AoR may hold; 0 = no limit. Past it: 503 (as Kamailio's registrar). */
  readonly max_contacts: number;
}

export const DEFAULT_REGISTRAR_POLICY: RegistrarPolicy = Object.freeze({
  default_expires: 3600,
  min_expires: 60,
  max_expires: 3600,
  // A request to the AoR is forked to every binding: an unbounded list lets one account turn one
  // MESSAGE into thousands of relayed copies. 16 devices or browser tabs at once is plenty.
  max_contacts: 16,
});
