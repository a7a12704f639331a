/**
 * A JsSIP phone page for browser tests: `window.phone` (PhoneApi). Audio only, no UI.
 * Bundled with esbuild by test/helpers/browser-phones.ts.
 */
import JsSIP from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import {
  type CallState,
  install,
  newState,
  onlyLoopbackCandidates,
  type PhoneApi,
  readStats,
  type StatsSource,
  until,
} from './phone-common.js';

interface ResponseView {
  readonly status_code?: number;
  readonly reason_phrase?: string;
}
/** registrationFailed carries `response`; an RTCSession's failed/ended carry `message` (a response or a request). */
interface FailView {
  readonly originator?: string;
  readonly cause?: string;
  readonly response?: ResponseView | null;
  readonly message?: ResponseView | null;
}
type Emitter = { on(event: string, listener: (e: unknown) => void): unknown };

const state = newState();
let ua: JsSIP.UA | undefined;
let session: RTCSession | undefined;
let domain = '';
const media = { mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } };

function log(line: string): void {
  state.events.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
}

function setCall(s: CallState): void {
  state.call = s;
  log(`call: ${s}`);
}

function describe(e: FailView): string {
  const r = e.response ?? e.message;
  const status = typeof r?.status_code === 'number' ? `${r.status_code} ${r.reason_phrase ?? ''} ` : '';
  return `${status}(${e.cause ?? 'unknown'})`;
}

function attach(s: RTCSession): void {
  session = s;
  state.endedBy = '';
  state.endCause = '';
  const em = s as unknown as Emitter;
  em.on('sdp', (e) => {
    const ev = e as { originator: string; type: string; sdp: string };
    if (ev.originator === 'local') ev.sdp = onlyLoopbackCandidates(ev.sdp);
  });
  em.on('confirmed', () => setCall('in-call'));
  // an incoming in-dialog UPDATE (JsSIP's session-timer refresh: the callee sends one 45 s into a call)
  em.on('update', () => log('update received'));
  const end = (what: string) => (e: unknown) => {
    const f = e as FailView;
    state.endedBy = f.originator ?? '';
    state.endCause = describe(f);
    log(`${what}: ${f.originator ?? ''} ${describe(f)}`);
    setCall('ended');
  };
  em.on('ended', end('ended'));
  em.on('failed', end('failed'));
}

const api: PhoneApi = {
  library: 'jssip',
  state,
  register(args) {
    return new Promise((resolve, reject) => {
      domain = args.domain;
      const socket = new JsSIP.WebSocketInterface(args.url);
      const agent = new JsSIP.UA({
        sockets: [socket],
        uri: `sip:${args.user}@${args.domain}`,
        ...(args.password !== undefined ? { password: args.password } : {}),
        register: true,
        session_timers: true,
      });
      ua = agent;
      const em = agent as unknown as Emitter;
      em.on('connected', () => log('connected'));
      em.on('disconnected', () => log('disconnected'));
      em.on('registered', () => {
        state.registered = true;
        log('registered');
        resolve();
      });
      em.on('unregistered', () => {
        state.registered = false;
        log('unregistered');
      });
      em.on('registrationFailed', (e) => {
        state.registered = false;
        const f = e as FailView;
        log(`registrationFailed ${describe(f)}`);
        reject(new Error(`registration failed: ${describe(f)}`));
      });
      em.on('newRTCSession', (e) => {
        const ev = e as { originator: string; session: RTCSession };
        if (ev.originator !== 'remote') return;
        if (session && state.call !== 'ended') {
          ev.session.terminate({ status_code: 486 });
          return;
        }
        attach(ev.session);
        setCall('ringing');
      });
      agent.start();
    });
  },
  call(target) {
    const agent = ua;
    if (!agent) return Promise.reject(new Error('not registered'));
    setCall('calling');
    attach(agent.call(`sip:${target}@${domain}`, media));
    return until('call established', () => state.call !== 'calling', 30_000).then(() => {
      if (state.call !== 'in-call') throw new Error(`call failed: ${state.endCause}`);
    });
  },
  async answer(timeoutMs) {
    await until('incoming call', () => state.call === 'ringing', timeoutMs);
    session?.answer(media);
    await until('answered call established', () => state.call !== 'ringing', 30_000);
    if (state.call !== 'in-call') throw new Error(`answer failed: ${state.endCause}`);
  },
  async hangup() {
    if (!session || state.call === 'ended' || state.call === 'idle')
      throw new Error(`no call (${state.call})`);
    session.terminate();
    await until('call ended', () => state.call === 'ended', 10_000);
  },
  waitForCall(want, timeoutMs) {
    return until(`call state ${want}`, () => state.call === want, timeoutMs);
  },
  stats() {
    return readStats(session?.connection as unknown as StatsSource | undefined);
  },
  async stop() {
    const agent = ua;
    ua = undefined;
    if (!agent) return;
    let closed = false;
    (agent as unknown as Emitter).on('disconnected', () => {
      closed = true;
    });
    agent.stop();
    await until('disconnected', () => closed, 3000).catch(() => undefined);
  },
};

install(api);
