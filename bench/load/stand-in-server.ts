/**
 * A stand-in for `src/cli.ts` while the sipwss server does not exist: the least a Node WSS
 * registrar/proxy can do, so the sipwss adapter (bench/servers/sipwss-server.ts) can be exercised
 * end to end and the bench shows what Node + `ws` + TLS cost on this machine with almost no SIP work.
 *
 *   SIPWSS_BENCH_CLI=bench/load/stand-in-server.ts node --import tsx bench/server.bench.ts --server sipwss
 *
 * Reads the `listen = wss:HOST:PORT` line and the tls_mgm `certificate` / `private_key` modparams of
 * the generated cfg. REGISTER: binds the To user to the connection, answers 200 with the Contact and
 * `expires=600`. MESSAGE: looks up the R-URI user, pushes its own Via, sends it on that connection;
 * responses are matched by that Via's branch, the Via popped, and sent back on the caller's connection.
 * No transactions, timers, retransmission handling or validation: NOT a SIP server, a floor.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { type WebSocket, WebSocketServer } from 'ws';
import { okResponse } from './sip.js';

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`stand-in-server: ${name} FILE is required`);
  return v;
}

const cfg = readFileSync(arg('--config'), 'utf8');
const listen = /^\s*listen\s*=\s*wss:([\d.]+):(\d+)/m.exec(cfg);
const cert = /modparam\("tls_mgm",\s*"certificate",\s*"([^"]+)"\)/.exec(cfg);
const key = /modparam\("tls_mgm",\s*"private_key",\s*"([^"]+)"\)/.exec(cfg);
if (!listen || !cert || !key)
  throw new Error('stand-in-server: cfg needs listen = wss:..., certificate, private_key');
const host = listen[1] ?? '127.0.0.1';
const port = Number(listen[2]);

const bindings = new Map<string, WebSocket>();
const pending = new Map<string, WebSocket>();
let nextBranch = 0;
const VIA = `Via: SIP/2.0/WSS ${host}:${port};branch=z9hG4bKsi`;

function userOf(uriStart: number, text: string): string {
  const s = text.indexOf('sip:', uriStart) + 4;
  return text.slice(s, text.indexOf('@', s));
}

function onMessage(ws: WebSocket, text: string): void {
  if (text.startsWith('SIP/2.0 ')) {
    // a response to a request we relayed: our Via is the first one
    const v = text.indexOf('\r\nVia: ');
    const eol = text.indexOf('\r\n', v + 2);
    const b = text.indexOf('branch=z9hG4bKsi', v);
    if (v < 0 || b < 0 || b > eol) return;
    const id = text.slice(b + 16, eol);
    const caller = pending.get(id);
    if (caller === undefined) return;
    if (text.charCodeAt(8) !== 49) pending.delete(id); // final (not 1xx)
    caller.send(text.slice(0, v) + text.slice(eol));
    return;
  }
  const sp = text.indexOf(' ');
  const method = text.slice(0, sp);
  if (method === 'REGISTER') {
    const to = text.indexOf('\r\nTo:');
    bindings.set(userOf(to, text), ws);
    const c = text.indexOf('\r\nContact: ');
    const contact = c < 0 ? '' : text.slice(c + 2, text.indexOf('\r\n', c + 2));
    const ok = okResponse(text, `st${nextBranch++}`);
    ws.send(ok.replace('\r\nSupported: outbound', contact ? `\r\n${contact}` : ''));
  } else if (method === 'MESSAGE') {
    const target = bindings.get(userOf(sp, text));
    if (target === undefined || target.readyState !== 1) {
      ws.send(okResponse(text, 'x').replace('200 OK', '404 Not Found'));
      return;
    }
    const id = String(nextBranch++);
    pending.set(id, ws);
    const eol = text.indexOf('\r\n');
    target.send(`${text.slice(0, eol + 2)}${VIA}${id}\r\n${text.slice(eol + 2)}`);
  } else if (method === 'OPTIONS') {
    ws.send(okResponse(text, 'opt'));
  }
}

const server = createServer({ cert: readFileSync(cert[1] ?? ''), key: readFileSync(key[1] ?? '') });
const wss = new WebSocketServer({
  server,
  perMessageDeflate: false,
  handleProtocols: (offered) => (offered.has('sip') ? 'sip' : false),
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    if (!isBinary) onMessage(ws, String(data));
  });
  ws.on('error', () => undefined);
});
server.listen({ port, host, backlog: 4096 });
process.on('SIGTERM', () => process.exit(0));
