/**
 * A raw WebSocket client for conformance tests: writes any frame (FIN, RSV, opcode, mask, length
 * encoding chosen freely, even invalid), chops the byte stream, and parses what the server sends.
 * `ws` cannot produce invalid frames, hence this.
 */
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';

export interface FrameSpec {
  fin?: boolean;
  rsv?: number; // 0..7
  opcode: number;
  payload?: Buffer | string;
  mask?: boolean; // default true (client frames must be masked)
  /** Force the length encoding: 7, 16 or 64 bits. */
  lenBits?: 7 | 16 | 64;
}

export function frame(spec: FrameSpec): Buffer {
  const payload =
    typeof spec.payload === 'string' ? Buffer.from(spec.payload) : (spec.payload ?? Buffer.alloc(0));
  const mask = spec.mask ?? true;
  const len = payload.length;
  const bits = spec.lenBits ?? (len < 126 ? 7 : len < 65536 ? 16 : 64);
  const ext = bits === 7 ? 0 : bits === 16 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (mask ? 4 : 0));
  head[0] = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | (spec.opcode & 0x0f);
  const m = mask ? 0x80 : 0;
  if (bits === 7) head[1] = m | len;
  else if (bits === 16) {
    head[1] = m | 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = m | 127;
    head.writeUInt32BE(Math.floor(len / 0x1_0000_0000), 2);
    head.writeUInt32BE(len >>> 0, 6);
  }
  if (!mask) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  key.copy(head, 2 + ext);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = (payload[i] as number) ^ (key[i & 3] as number);
  return Buffer.concat([head, body]);
}

export interface Frame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

export interface HttpAnswer {
  status: number;
  headers: Map<string, string>;
  head: string;
}

export interface ConnectOptions {
  port: number;
  host?: string;
  tls?: { ca: string; servername?: string };
}

export class RawWsClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closedFlag = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.closedFlag = true;
        this.wake();
        resolve();
      }),
    );
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  static async connect(o: ConnectOptions): Promise<RawWsClient> {
    const host = o.host ?? '127.0.0.1';
    const sock: Socket = await new Promise((resolve, reject) => {
      if (o.tls) {
        const s = tlsConnect(
          { host, port: o.port, ca: o.tls.ca, servername: o.tls.servername ?? 'localhost' },
          () => resolve(s),
        );
        s.once('error', reject);
      } else {
        const s = netConnect({ host, port: o.port }, () => resolve(s));
        s.once('error', reject);
      }
    });
    sock.setNoDelay(true);
    return new RawWsClient(sock);
  }

  /** A connected client that completed a valid upgrade (asserts 101). */
  static async open(o: ConnectOptions & { path?: string; extra?: string[] }): Promise<RawWsClient> {
    const c = await RawWsClient.connect(o);
    const a = await c.upgrade({ path: o.path, extra: o.extra });
    if (a.status !== 101) throw new Error(`upgrade answered ${a.status}: ${a.head}`);
    return c;
  }

  static request(opts: {
    path?: string;
    protocol?: string | null;
    extra?: string[];
    key?: string;
    version?: string;
    host?: string | null;
    method?: string;
  }): string {
    const lines = [`${opts.method ?? 'GET'} ${opts.path ?? '/'} HTTP/1.1`];
    if (opts.host !== null) lines.push(`Host: ${opts.host ?? '127.0.0.1'}`);
    lines.push('Upgrade: websocket', 'Connection: Upgrade');
    lines.push(`Sec-WebSocket-Key: ${opts.key ?? randomBytes(16).toString('base64')}`);
    lines.push(`Sec-WebSocket-Version: ${opts.version ?? '13'}`);
    if (opts.protocol !== null) lines.push(`Sec-WebSocket-Protocol: ${opts.protocol ?? 'sip'}`);
    lines.push(...(opts.extra ?? []), '', '');
    return lines.join('\r\n');
  }

  /** Sends an upgrade request and reads the HTTP answer head. */
  async upgrade(opts: Parameters<typeof RawWsClient.request>[0] = {}): Promise<HttpAnswer> {
    this.write(RawWsClient.request(opts));
    return this.readHttp();
  }

  async readHttp(timeoutMs = 2000): Promise<HttpAnswer> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end !== -1) {
        const head = this.buf.subarray(0, end).toString('latin1');
        let rest = this.buf.subarray(end + 4);
        const lines = head.split('\r\n');
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
        const headers = new Map<string, string>();
        for (const l of lines.slice(1)) {
          const i = l.indexOf(':');
          headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
        }
        const cl = Number(headers.get('content-length') ?? 0);
        if (rest.length < cl && !this.closedFlag && Date.now() < until) {
          await this.wait(until - Date.now());
          continue;
        }
        rest = rest.subarray(cl);
        this.buf = rest;
        return { status, headers, head };
      }
      if (this.closedFlag) return { status: 0, headers: new Map(), head: '' };
      if (Date.now() >= until) throw new Error('timeout waiting for the HTTP answer');
      await this.wait(until - Date.now());
    }
  }

  write(data: Buffer | string): void {
    this.socket.write(data);
  }

  /** Writes `data` in pieces of `size` bytes, `delayMs` apart (each a separate read on the server). */
  async writeChopped(data: Buffer | string, size: number, delayMs: number): Promise<void> {
    const b = typeof data === 'string' ? Buffer.from(data) : data;
    for (let i = 0; i < b.length; i += size) {
      if (this.closedFlag) return;
      this.socket.write(b.subarray(i, i + size));
      if (i + size < b.length) await sleep(delayMs);
    }
  }

  /** Writes `data` in `n` roughly equal pieces, `delayMs` apart. */
  async writeInPieces(data: Buffer | string, n: number, delayMs: number): Promise<void> {
    const b = typeof data === 'string' ? Buffer.from(data) : data;
    await this.writeChopped(b, Math.ceil(b.length / n), delayMs);
  }

  send(spec: FrameSpec): void {
    this.write(frame(spec));
  }

  sendText(text: string): void {
    this.send({ opcode: 1, payload: text });
  }

  /** The next frame from the server, or undefined if the connection closed first. */
  async next(timeoutMs = 2000): Promise<Frame | undefined> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const f = this.parse();
      if (f) return f;
      if (this.closedFlag) return undefined;
      if (Date.now() >= until) throw new Error('timeout waiting for a frame');
      await this.wait(until - Date.now());
    }
  }

  /** Expects a Close frame (returns its code, or 1005 for none) and then TCP close. */
  async expectClose(timeoutMs = 2000): Promise<number | undefined> {
    for (;;) {
      const f = await this.next(timeoutMs);
      if (!f) return undefined;
      if (f.opcode === 8) return f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
    }
  }

  /** True when the TCP connection closes within the time. */
  async waitClosed(timeoutMs = 2000): Promise<boolean> {
    if (this.closedFlag) return true;
    await Promise.race([this.closed, sleep(timeoutMs)]);
    return this.closedFlag;
  }

  private parse(): Frame | undefined {
    const b = this.buf;
    if (b.length < 2) return undefined;
    const b0 = b[0] as number;
    const b1 = b[1] as number;
    let len = b1 & 0x7f;
    let off = 2;
    if (len === 126) {
      if (b.length < 4) return undefined;
      len = b.readUInt16BE(2);
      off = 4;
    } else if (len === 127) {
      if (b.length < 10) return undefined;
      len = b.readUInt32BE(2) * 0x1_0000_0000 + b.readUInt32BE(6);
      off = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    if (masked) off += 4;
    if (b.length < off + len) return undefined;
    let payload = Buffer.from(b.subarray(off, off + len));
    if (masked) {
      const key = b.subarray(off - 4, off);
      payload = Buffer.from(payload.map((x, i) => x ^ (key[i & 3] as number)));
    }
    this.buf = b.subarray(off + len);
    return { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, payload };
  }

  destroy(): void {
    this.socket.destroy();
  }
}
