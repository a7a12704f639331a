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
let time = 0;

function advance(): void {
  epoch++;
  scheduled = false;
}

/** The current read epoch; 'data' events with the same epoch are one read. */
export function readEpoch(): number {
  if (!scheduled) {
    scheduled = true;
    time = Date.now();
    setImmediate(advance);
  }
  return epoch;
}

/**
 * Date.now() as of the current read epoch's first read (call readEpoch() first): one clock read per
 * event-loop turn instead of one per 'data' event. Activity and message-start times need no finer
 * grain than a turn (every limit they feed is checked by a sweep at >= 20 ms intervals).
 */
export function epochTime(): number {
  return time;
}
