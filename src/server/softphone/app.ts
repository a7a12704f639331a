/**
 * The softphone page sipwss serves on `GET /` of a WSS listener: JsSIP in the browser, talking to
 * the same host and port the page came from. Bundled with esbuild (scripts/build-softphone.mjs);
 * never committed as generated code. State is exposed on `window.softphone` for browser tests.
 */
import * as JsSIP from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession.js';

type CallState = 'idle' | 'ringing-in' | 'calling' | 'in-call' | 'ended';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const domain = location.hostname;
const wsUrl = `wss://${location.host}/`;

const state = {
  registered: false,
  call: 'idle' as CallState,
  lastError: '',
  events: [] as string[],
};
(window as unknown as { softphone: typeof state }).softphone = state;

// Remote audio plays through an element made here: a live call has no caption track to offer.
const remoteAudio = new Audio();
remoteAudio.autoplay = true;

let ua: JsSIP.UA | undefined;
let session: RTCSession | undefined;

function log(line: string): void {
  state.events.push(line);
  const el = $('log');
  el.textContent = `${new Date().toISOString().slice(11, 19)} ${line}\n${el.textContent ?? ''}`;
}

function show(text: string): void {
  $('status').textContent = text;
}

function buttons(): void {
  $<HTMLButtonElement>('register').disabled = state.registered;
  $<HTMLButtonElement>('unregister').disabled = !state.registered;
  $<HTMLButtonElement>('call').disabled =
    !state.registered || state.call === 'calling' || state.call === 'in-call';
  $<HTMLButtonElement>('answer').disabled = state.call !== 'ringing-in';
  $<HTMLButtonElement>('hangup').disabled = !(
    state.call === 'calling' ||
    state.call === 'in-call' ||
    state.call === 'ringing-in'
  );
}

function setCall(s: CallState): void {
  state.call = s;
  log(`call: ${s}`);
  buttons();
}

function attachSession(s: RTCSession): void {
  session = s;
  s.on('progress', () => show('Ringing…'));
  s.on('confirmed', () => {
    setCall('in-call');
    show('In call');
  });
  s.on('ended', () => {
    setCall('ended');
    show('Call ended');
    session = undefined;
  });
  s.on('failed', (e: { cause?: string }) => {
    state.lastError = String(e.cause ?? 'failed');
    setCall('ended');
    show(`Call failed: ${state.lastError}`);
    session = undefined;
  });
  s.on('peerconnection', (e: { peerconnection: RTCPeerConnection }) => {
    e.peerconnection.addEventListener('track', (ev) => {
      remoteAudio.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
    });
  });
  // The caller's peerconnection exists as soon as call() returns.
  const pc = (s as unknown as { connection?: RTCPeerConnection }).connection;
  pc?.addEventListener('track', (ev) => {
    remoteAudio.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
  });
}

$('register').addEventListener('click', () => {
  const user = $<HTMLInputElement>('user').value.trim();
  const password = $<HTMLInputElement>('password').value;
  ua?.stop();
  const socket = new JsSIP.WebSocketInterface(wsUrl);
  ua = new JsSIP.UA({
    sockets: [socket],
    uri: `sip:${user}@${domain}`,
    ...(password ? { password } : {}),
    register: true,
    session_timers: true,
  });
  ua.on('registered', () => {
    state.registered = true;
    show(`Registered as ${user}@${domain}`);
    log('registered');
    buttons();
  });
  ua.on('unregistered', () => {
    state.registered = false;
    show('Not registered');
    log('unregistered');
    buttons();
  });
  ua.on('registrationFailed', (e: { cause?: string }) => {
    state.registered = false;
    state.lastError = String(e.cause ?? 'registration failed');
    show(`Registration failed: ${state.lastError}`);
    log(`registrationFailed: ${state.lastError}`);
    buttons();
  });
  ua.on('newRTCSession', (e: { originator: string; session: RTCSession }) => {
    if (e.originator !== 'remote') return;
    if (session) {
      e.session.terminate({ status_code: 486 });
      return;
    }
    attachSession(e.session);
    setCall('ringing-in');
    show('Incoming call');
  });
  ua.start();
});

$('unregister').addEventListener('click', () => {
  ua?.unregister();
});

$('call').addEventListener('click', () => {
  if (!ua) return;
  const target = $<HTMLInputElement>('target').value.trim();
  setCall('calling');
  show(`Calling ${target}…`);
  const s = ua.call(`sip:${target}@${domain}`, { mediaConstraints: { audio: true, video: false } });
  attachSession(s);
});

$('answer').addEventListener('click', () => {
  session?.answer({ mediaConstraints: { audio: true, video: false } });
});

$('hangup').addEventListener('click', () => {
  session?.terminate();
});

buttons();
