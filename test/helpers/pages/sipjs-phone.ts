/**
 * A SIP.js phone page for browser tests: `window.phone` (PhoneApi). Audio only, no UI.
 * SIP.js's own browser WebSocket transport and SessionDescriptionHandler, unchanged.
 * Bundled with esbuild by test/helpers/browser-phones.ts.
 */
import {
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  type Session,
  type SessionDescriptionHandlerFactory,
  SessionState,
  UserAgent,
  Web,
} from 'sip.js';
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

const state = newState();
let ua: UserAgent | undefined;
let registerer: Registerer | undefined;
let session: Session | undefined;
let domain = '';

/**
 * SIP.js's default SessionDescriptionHandler, whose finished descriptions (offer/answer bodies, after
 * ICE gathering) keep only 127.0.0.1 candidates. SIP.js's `modifiers` cannot do this: they run on
 * the description before gathering, and the body sent is the gathered `localDescription`.
 */
const baseFactory = Web.defaultSessionDescriptionHandlerFactory();
const loopbackFactory: SessionDescriptionHandlerFactory = (session, options) => {
  const sdh = baseFactory(session, options);
  const getDescription = sdh.getDescription.bind(sdh);
  sdh.getDescription = async (...args) => {
    const d = await getDescription(...args);
    return { ...d, body: onlyLoopbackCandidates(d.body) };
  };
  return sdh;
};
const audioOnly = { constraints: { audio: true, video: false } };

function log(line: string): void {
  state.events.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
}

function setCall(s: CallState): void {
  state.call = s;
  log(`call: ${s}`);
}

function attach(s: Session): void {
  session = s;
  state.endedBy = '';
  state.endCause = '';
  s.delegate = {
    onBye: () => {
      state.endedBy = 'remote';
      state.endCause = 'BYE';
    },
  };
  s.stateChange.addListener((st) => {
    log(`session: ${st}`);
    if (st === SessionState.Established) setCall('in-call');
    if (st === SessionState.Terminated) {
      if (!state.endedBy) state.endedBy = 'local';
      setCall('ended');
    }
  });
}

const api: PhoneApi = {
  library: 'sipjs',
  state,
  async register(args) {
    domain = args.domain;
    const uri = UserAgent.makeURI(`sip:${args.user}@${args.domain}`);
    if (!uri) throw new Error('bad user/domain');
    const agent = new UserAgent({
      uri,
      transportOptions: { server: args.url },
      ...(args.password !== undefined
        ? { authorizationUsername: args.user, authorizationPassword: args.password }
        : {}),
      logLevel: 'warn',
      sessionDescriptionHandlerFactory: loopbackFactory,
      sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] } },
      delegate: {
        onConnect: () => log('connected'),
        onDisconnect: (e) => log(`disconnected ${e?.message ?? ''}`),
        onInvite: (invitation: Invitation) => {
          if (session && state.call !== 'ended') {
            void invitation.reject({ statusCode: 486 });
            return;
          }
          attach(invitation);
          setCall('ringing');
        },
      },
    });
    ua = agent;
    await agent.start();
    const reg = new Registerer(agent);
    registerer = reg;
    reg.stateChange.addListener((s) => {
      log(`registerer: ${s}`);
      state.registered = s === RegistererState.Registered;
    });
    await new Promise<void>((resolve, reject) => {
      reg.stateChange.addListener((s) => {
        if (s === RegistererState.Registered) resolve();
      });
      reg
        .register({
          requestDelegate: {
            onReject: (r) =>
              reject(new Error(`registration failed: ${r.message.statusCode} ${r.message.reasonPhrase}`)),
          },
        })
        .catch((e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
    });
  },
  async call(target) {
    const agent = ua;
    const to = UserAgent.makeURI(`sip:${target}@${domain}`);
    if (!agent || !to) throw new Error('not registered, or bad target');
    const inviter = new Inviter(agent, to, {
      sessionDescriptionHandlerOptions: audioOnly,
    });
    attach(inviter);
    setCall('calling');
    await inviter.invite({
      requestDelegate: {
        onReject: (r) => {
          state.endCause = `${r.message.statusCode} ${r.message.reasonPhrase}`;
        },
      },
    });
    await until('call established', () => state.call !== 'calling', 30_000);
    if (state.call !== 'in-call') throw new Error(`call failed: ${state.endCause}`);
  },
  async answer(timeoutMs) {
    await until('incoming call', () => state.call === 'ringing', timeoutMs);
    const inv = session;
    if (!(inv instanceof Invitation)) throw new Error('no invitation');
    await inv.accept({
      sessionDescriptionHandlerOptions: audioOnly,
    });
    await until('answered call established', () => state.call !== 'ringing', 30_000);
    if (state.call !== 'in-call') throw new Error(`answer failed: ${state.endCause}`);
  },
  async hangup() {
    const s = session;
    if (!s || state.call === 'ended' || state.call === 'idle') throw new Error(`no call (${state.call})`);
    if (s.state === SessionState.Established) await s.bye();
    else if (s instanceof Inviter) await s.cancel();
    else if (s instanceof Invitation) await s.reject();
    await until('call ended', () => state.call === 'ended', 10_000);
  },
  waitForCall(want, timeoutMs) {
    return until(`call state ${want}`, () => state.call === want, timeoutMs);
  },
  stats() {
    const sdh = session?.sessionDescriptionHandler as unknown as { peerConnection?: StatsSource } | undefined;
    return readStats(sdh?.peerConnection);
  },
  async stop() {
    const agent = ua;
    ua = undefined;
    if (!agent) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      (async () => {
        if (registerer?.state === RegistererState.Registered)
          await registerer.unregister().catch(() => undefined);
        await agent.stop();
      })(),
      new Promise<void>((r) => (timer = setTimeout(r, 3000))),
    ]);
    clearTimeout(timer);
  },
};

install(api);
