/**
 * Shared by the browser phone pages (jssip-phone.ts, sipjs-phone.ts, bundled for Chromium by
 * test/helpers/browser-phones.ts) and by that helper in Node: the page API on `window.phone` and the
 * state it reports. Uses no DOM types (the project's tsconfig has no DOM lib): the few browser objects
 * touched here are typed narrowly.
 */

export type CallState = 'idle' | 'ringing' | 'calling' | 'in-call' | 'ended';

export interface PhoneState {
  registered: boolean;
  call: CallState;
  /** Who ended the last call: 'local' (this page hung up), 'remote' (BYE received), or 'system'. */
  endedBy: string;
  /** Why the last call ended or failed: JsSIP `<status> <reason> (<cause>)`, SIP.js `<status> <reason>` or `BYE`. */
  endCause: string;
  /** Events in order, for failure messages. */
  events: string[];
}

export interface RegisterArgs {
  readonly url: string;
  readonly domain: string;
  readonly user: string;
  readonly password?: string;
}

/** Audio RTP counters of the current call's RTCPeerConnection (getStats()). */
export interface MediaStats {
  /** inbound-rtp (audio) packetsReceived, summed; 0 when none yet. */
  readonly packetsReceived: number;
  /** outbound-rtp (audio) packetsSent, summed. */
  readonly packetsSent: number;
  readonly iceConnectionState: string;
  readonly connectionState: string;
  /** The selected candidate pair's local and remote candidates (undefined before ICE selects one). */
  readonly local: CandidateInfo | undefined;
  readonly remote: CandidateInfo | undefined;
}

export interface CandidateInfo {
  /** host, srflx, prflx or relay. */
  readonly type: string;
  /** '' when Chromium hides it (a peer-reflexive remote candidate). */
  readonly address: string;
  readonly port: number;
}

/** What `window.phone` offers. Every method resolves or rejects with an Error whose message says why. */
export interface PhoneApi {
  readonly library: 'jssip' | 'sipjs';
  readonly state: PhoneState;
  register(args: RegisterArgs): Promise<void>;
  /** INVITE `target` (a user of the domain) with audio; resolves when the call is established. */
  call(target: string): Promise<void>;
  /** Wait (up to `timeoutMs`) for an incoming call, answer it with audio; resolves when established. */
  answer(timeoutMs: number): Promise<void>;
  /** End the current call (BYE, or CANCEL before answer); resolves when it has ended. */
  hangup(): Promise<void>;
  /** Resolves when the call state is `state` (up to `timeoutMs`). */
  waitForCall(state: CallState, timeoutMs: number): Promise<void>;
  stats(): Promise<MediaStats>;
  /** Un-register and close (best effort, bounded). */
  stop(): Promise<void>;
}

/** The slice of RTCPeerConnection that stats() reads. */
export interface StatsSource {
  readonly iceConnectionState: string;
  readonly connectionState: string;
  getStats(): Promise<{ forEach(cb: (report: StatsReport) => void): void }>;
}

interface StatsReport {
  readonly type: string;
  readonly id: string;
  readonly kind?: string;
  readonly packetsReceived?: number;
  readonly packetsSent?: number;
  readonly selectedCandidatePairId?: string;
  readonly localCandidateId?: string;
  readonly remoteCandidateId?: string;
  readonly address?: string;
  readonly ip?: string;
  readonly port?: number;
  readonly candidateType?: string;
}

export async function readStats(pc: StatsSource | undefined): Promise<MediaStats> {
  if (!pc) {
    return {
      packetsReceived: 0,
      packetsSent: 0,
      iceConnectionState: 'none',
      connectionState: 'none',
      local: undefined,
      remote: undefined,
    };
  }
  const reports = new Map<string, StatsReport>();
  (await pc.getStats()).forEach((r) => {
    reports.set(r.id, r);
  });
  let packetsReceived = 0;
  let packetsSent = 0;
  let pairId = '';
  for (const r of reports.values()) {
    if (r.type === 'inbound-rtp' && r.kind === 'audio') packetsReceived += r.packetsReceived ?? 0;
    if (r.type === 'outbound-rtp' && r.kind === 'audio') packetsSent += r.packetsSent ?? 0;
    if (r.type === 'transport' && r.selectedCandidatePairId) pairId = r.selectedCandidatePairId;
  }
  const pair = reports.get(pairId);
  const candidate = (id: string | undefined): CandidateInfo | undefined => {
    const c = id === undefined ? undefined : reports.get(id);
    return c
      ? { type: c.candidateType ?? '', address: c.address ?? c.ip ?? '', port: c.port ?? 0 }
      : undefined;
  };
  return {
    packetsReceived,
    packetsSent,
    iceConnectionState: pc.iceConnectionState,
    connectionState: pc.connectionState,
    local: candidate(pair?.localCandidateId),
    remote: candidate(pair?.remoteCandidateId),
  };
}

/**
 * Keep media on loopback: drop every ICE candidate line whose address is not 127.0.0.1 (and TCP
 * candidates). Throws when no candidate is left, so a test fails with a clear cause.
 */
export function onlyLoopbackCandidates(sdp: string): string {
  const lines = sdp.split('\r\n');
  const kept = lines.filter((line) => {
    if (!line.startsWith('a=candidate:')) return true;
    // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
    const f = line.split(' ');
    return f[2]?.toLowerCase() === 'udp' && f[4] === '127.0.0.1';
  });
  const had = lines.some((l) => l.startsWith('a=candidate:'));
  if (had && !kept.some((l) => l.startsWith('a=candidate:'))) {
    throw new Error(`no 127.0.0.1 UDP candidate in the SDP:\n${sdp}`);
  }
  return kept.join('\r\n');
}

/** Poll `check` every 50 ms until true, up to `timeoutMs`. */
export function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (check()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`${what}: not within ${timeoutMs} ms`));
      else setTimeout(tick, 50);
    };
    tick();
  });
}

export function newState(): PhoneState {
  return { registered: false, call: 'idle', endedBy: '', endCause: '', events: [] };
}

/** Install the API as `window.phone` (globalThis in the page). */
export function install(api: PhoneApi): void {
  (globalThis as unknown as { phone: PhoneApi }).phone = api;
}
