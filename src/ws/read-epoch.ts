/**
 * What a "read" is for `*_max_msg_chunks`. OpenSIPS counts one read callback per readiness event. In
 * Node, one readiness event may surface as several 'data' events: libuv reads a socket repeatedly in
 * one poll phase, and a TLS socket emits one 'data' per TLS record (16 KiB), so a 64 KiB message that
 * arrived at once would count as 5 reads. Here every 'data' event of one event-loop turn belongs to
 * the same read: the epoch changes once per turn that saw data (one setImmediate per turn, shared by
 * all connections).
 */

let epoch = 1;
let scheduled = false;

function advance(): void {
  epoch++;
  scheduled = false;
}

/** The current read epoch; 'data' events with the same epoch are one read. */
export function readEpoch(): number {
  if (!scheduled) {
    scheduled = true;
    setImmediate(advance);
  }
  return epoch;
}
