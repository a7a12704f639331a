/**
 * Counters of the SIP core: what came in, what went out, and every way a message was refused or
 * lost. Plain numbers (cheap on the hot path); the server exports them to Prometheus.
 */
export class CoreStats {
  messagesIn = 0;
  malformed = 0;
  /** Malformed and not answerable: dropped (style principle 5: counted, never silent). */
  dropped = 0;
  retransmissions = 0;
  requestsOut = 0;
  responsesIn = 0;
  responsesOut = 0;
  strayResponses = 0;
  lateResponses = 0;
  sendFailures = 0;
  timeouts = 0;
  authFailures = 0;
  internalErrors = 0;
  /** Requests refused with 503 because `max_transactions` were in progress. */
  overloaded = 0;
  /** Requests refused with 503 because their address had `max_transactions_per_ip` in progress. */
  overloadedPerIp = 0;

  snapshot(): Record<string, number> {
    return { ...this } as unknown as Record<string, number>;
  }
}
