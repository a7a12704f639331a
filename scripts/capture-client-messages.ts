/**
 * Captures what real JsSIP and SIP.js put on the wire for a cancelled call, for the codec's
 * fixtures: each library runs unmodified in Node against an in-process fake socket that plays
 * the server (answers the INVITE with 100 and 180 via our own codec, then 200 to the CANCEL and
 * 487 to the INVITE). Media is stubbed: a fake RTCPeerConnection (JsSIP) or session description
 * handler (SIP.js) hands out a fixed SDP, since only the signalling matters here.
 *
 * Run: node --import tsx scripts/capture-client-messages.ts [outDir]
 * Writes LIB-node-INVITE-cancelled.sip, LIB-node-CANCEL.sip, LIB-node-ACK-487.sip into
 * test/fixtures/wire/ (or outDir), byte for byte as the library sent them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import JsSIP from 'jssip';
import { EmitterImpl, Inviter, type Transport, TransportState, UserAgent } from 'sip.js';
import { createResponse, parseMessage, type SipMessage, serialize } from '../src/sip/index.js';

const OUT = process.argv[2] ?? join(import.meta.dirname, '..', 'test', 'fixtures', 'wire');
const DOMAIN = '127.0.0.1';
const SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=rtpmap:111 opus/48000/2',
  'a=setup:actpass',
  'a=sendrecv',
  '',
].join('\r\n');

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The fake server: sees each request, records it, answers like a proxy ringing a callee. */
class FakeServer {
  readonly captured = new Map<string, string>();
  private invite: SipMessage | undefined;
  onCancelSeen: (() => void) | undefined;

  constructor(private readonly send: (data: string) => void) {}

  receive(data: string): void {
    const r = parseMessage(Buffer.from(data, 'utf8'));
    if (!r.ok) throw new Error(`library sent something we cannot parse: ${r.error.message}\n${data}`);
    const msg = r.value;
    if (!msg.isRequest) return;
    const method = msg.method;
    if (method === 'INVITE') {
      this.captured.set('INVITE-cancelled', data);
      this.invite = msg;
      this.reply(msg, 100);
      setTimeout(() => this.reply(msg, 180, 'ringtag01'), 20);
    } else if (method === 'CANCEL') {
      this.captured.set('CANCEL', data);
      this.reply(msg, 200);
      const inv = this.invite;
      if (inv !== undefined) setTimeout(() => this.reply(inv, 487, 'ringtag01'), 20);
      this.onCancelSeen?.();
    } else if (method === 'ACK') {
      this.captured.set('ACK-487', data);
    }
  }

  private reply(req: SipMessage, status: number, toTag?: string): void {
    // A dialog-creating 1xx carries the callee's Contact (SIP.js drops one without it).
    const headers: Array<[string, string]> =
      status > 100 && status < 200 ? [['Contact', `<sip:bob@${DOMAIN};transport=ws>`]] : [];
    const res = createResponse(
      req,
      status,
      undefined,
      toTag === undefined ? { headers } : { toTag, headers },
    );
    if (!res.ok) throw res.error;
    this.send(serialize(res.value).toString('utf8'));
  }
}

// ---- JsSIP: a custom socket, a fake RTCPeerConnection ----------------------------------------

class FakePeerConnection extends EventTarget {
  iceGatheringState = 'complete';
  iceConnectionState = 'new';
  signalingState = 'stable';
  localDescription: { type: string; sdp: string } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;
  async createOffer(): Promise<{ type: string; sdp: string }> {
    return { type: 'offer', sdp: SDP };
  }
  async createAnswer(): Promise<{ type: string; sdp: string }> {
    return { type: 'answer', sdp: SDP };
  }
  async setLocalDescription(d: { type: string; sdp: string }): Promise<void> {
    this.localDescription = d;
  }
  async setRemoteDescription(d: { type: string; sdp: string }): Promise<void> {
    this.remoteDescription = d;
  }
  addTrack(): void {}
  getSenders(): unknown[] {
    return [];
  }
  getReceivers(): unknown[] {
    return [];
  }
  close(): void {}
}

async function captureJssip(): Promise<Map<string, string>> {
  const g = globalThis as Record<string, unknown>;
  g.RTCPeerConnection = FakePeerConnection;
  g.window = { RTCPeerConnection: FakePeerConnection };

  let connected = false;
  const socket = {
    via_transport: 'WSS',
    url: `wss://${DOMAIN}:8443`,
    sip_uri: `sip:${DOMAIN}:8443;transport=ws`,
    onconnect: () => {},
    ondisconnect: (_error: boolean) => {},
    ondata: (_data: string) => {},
    connect() {
      setTimeout(() => {
        connected = true;
        socket.onconnect();
      }, 0);
    },
    disconnect() {
      connected = false;
    },
    send(data: string) {
      setImmediate(() => server.receive(data));
      return true;
    },
    isConnected: () => connected,
    isConnecting: () => false,
  };
  const server = new FakeServer((data) => setTimeout(() => socket.ondata(data), 0));
  JsSIP.debug.disable();
  const ua = new JsSIP.UA({
    sockets: [socket as unknown as JsSIP.Socket],
    uri: `sip:alice@${DOMAIN}`,
    register: false,
    user_agent: 'JsSIP 3.13.8 (node harness)',
  });
  ua.start();
  await new Promise<void>((resolve) => ua.on('connected', () => resolve()));
  const cancelled = new Promise<void>((resolve) => {
    server.onCancelSeen = resolve;
  });
  const stream = { getTracks: () => [], getAudioTracks: () => [], getVideoTracks: () => [] };
  const session = ua.call(`sip:bob@${DOMAIN}`, { mediaStream: stream } as unknown as Parameters<
    typeof ua.call
  >[1]);
  // RFC 3261 §9.1: CANCEL goes out once a provisional response has arrived.
  await new Promise<void>((resolve) => session.on('progress', () => resolve()));
  session.terminate();
  await cancelled;
  await sleep(200);
  ua.stop();
  await sleep(50);
  return server.captured;
}

// ---- SIP.js: a custom transport, a stub session description handler -------------------------

async function captureSipjs(): Promise<Map<string, string>> {
  let server: FakeServer | undefined;
  class FakeTransport implements Transport {
    readonly protocol = 'WSS';
    state: TransportState = TransportState.Disconnected;
    readonly stateChange = new EmitterImpl<TransportState>();
    onConnect: (() => void) | undefined;
    onDisconnect: ((error?: Error) => void) | undefined;
    onMessage: ((message: string) => void) | undefined;
    constructor() {
      server = new FakeServer((data) => setTimeout(() => this.onMessage?.(data), 0));
    }
    private to(s: TransportState): void {
      this.state = s;
      this.stateChange.emit(s);
    }
    async connect(): Promise<void> {
      this.to(TransportState.Connected);
      this.onConnect?.();
    }
    async disconnect(): Promise<void> {
      this.to(TransportState.Disconnected);
      this.onDisconnect?.();
    }
    async dispose(): Promise<void> {}
    isConnected(): boolean {
      return this.state === TransportState.Connected;
    }
    async send(message: string): Promise<void> {
      setImmediate(() => server?.receive(message));
    }
  }
  const sdh = {
    close: () => {},
    getDescription: async () => ({ body: SDP, contentType: 'application/sdp' }),
    hasDescription: (ct: string) => ct === 'application/sdp',
    setDescription: async () => {},
    sendDtmf: () => false,
  };
  const uri = UserAgent.makeURI(`sip:alice@${DOMAIN}`);
  const target = UserAgent.makeURI(`sip:bob@${DOMAIN}`);
  if (uri === undefined || target === undefined) throw new Error('bad URI');
  const ua = new UserAgent({
    uri,
    transportConstructor: FakeTransport,
    sessionDescriptionHandlerFactory: () => sdh,
    userAgentString: 'SIP.js/0.21.2 (node harness)',
    logBuiltinEnabled: false,
  });
  await ua.start();
  const srv = server as FakeServer | undefined;
  if (srv === undefined) throw new Error('transport not constructed');
  const cancelled = new Promise<void>((resolve) => {
    srv.onCancelSeen = resolve;
  });
  const inviter = new Inviter(ua, target);
  const ringing = new Promise<void>((resolve) => {
    void inviter.invite({ requestDelegate: { onProgress: () => resolve() } });
  });
  await ringing;
  await inviter.cancel();
  await cancelled;
  await sleep(200);
  await ua.stop();
  return srv.captured;
}

function write(lib: string, captured: Map<string, string>): void {
  for (const name of ['INVITE-cancelled', 'CANCEL', 'ACK-487']) {
    const data = captured.get(name);
    if (data === undefined) throw new Error(`${lib}: no ${name} captured`);
    const file = join(OUT, `${lib}-node-${name}.sip`);
    writeFileSync(file, data);
    console.log(`wrote ${file} (${Buffer.byteLength(data)} bytes)`);
  }
}

write('jssip', await captureJssip());
write('sipjs', await captureSipjs());
process.exit(0);
