/**
 * `sipwss` as a user runs it: --check on good and bad files, the embedded default with its
 * self-signed certificate, the softphone page over HTTPS, a clean stop on SIGTERM.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { testPki } from './helpers/certs.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'src', 'cli.ts');
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

function cfgFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sipwss-cli-'));
  const f = join(dir, 'sipwss.cfg');
  writeFileSync(f, text);
  return f;
}

test('--help and --version', () => {
  const h = run(['--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /Usage: sipwss \[--config FILE\]/);
  const v = run(['--version']);
  assert.equal(v.status, 0);
  assert.equal(v.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  const bad = run(['--nope']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /Unknown option '--nope'/);
});

test('--check: the seed tls_mgm example, verbatim but for real files, is valid', async () => {
  const pki = await testPki();
  const f = cfgFile(`listen = wss:127.0.0.1:44344
modparam("tls_mgm", "certificate", "${pki.files.serverCert}")
modparam("tls_mgm", "private_key", "${pki.files.serverKey}")
modparam("tls_mgm", "ca_list", "${pki.files.ca}")
modparam("tls_mgm", "tls_method", "tlsv1")
modparam("tls_mgm", "verify_cert", "1")
modparam("tls_mgm", "require_cert", "1")
`);
  const r = run(['--check', '--config', f]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /configuration OK/);
});

test('--check: errors name file:line and the parameter; the exit status is 1', () => {
  const f = cfgFile(`listen=wss:127.0.0.1:8443
modparam("proto_wss", "wss_max_msg_chunks", "eight")
modparam("proto_wss", "no_such_param", 1)
route {
  t_relay();
}
`);
  const r = run(['--check', '--config', f]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`${f.replace(/[.]/g, '\\.')}:2:\\d+: .*wss_max_msg_chunks`));
  assert.match(r.stderr, /:3:\d+: .*no_such_param/);
  assert.match(r.stderr, /:4:\d+: .*route/);
});

test('an open registrar beyond loopback is refused unless allow_unauthenticated says so', async () => {
  const pki = await testPki();
  const base = `listen=wss:0.0.0.0:8443
modparam("tls_mgm", "certificate", "${pki.files.serverCert}")
modparam("tls_mgm", "private_key", "${pki.files.serverKey}")
`;
  const refused = run(['--check', '--config', cfgFile(base)]);
  assert.equal(refused.status, 1);
  assert.match(
    refused.stderr,
    /sipwss\.cfg:1:\d+: listen=wss:0\.0\.0\.0 is beyond loopback and no modparam\("auth", "users_file"/,
  );
  const allowed = run([
    '--check',
    '--config',
    cfgFile(`${base}modparam("auth", "allow_unauthenticated", 1)\n`),
  ]);
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.match(allowed.stdout, /WARNING: registrar open to anyone on 0\.0\.0\.0/);
});

function fetchText(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((res, rej) => {
    get(url, { rejectUnauthorized: false }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (d) => (body += d));
      r.on('end', () => res({ status: r.statusCode ?? 0, type: String(r.headers['content-type']), body }));
    }).on('error', rej);
  });
}

test('no config: the embedded default makes its certificate, serves WSS and the softphone page, stops on SIGTERM', async () => {
  if (!existsSync(join(ROOT, 'dist', 'softphone', 'softphone.js'))) {
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-softphone.mjs')], {
      encoding: 'utf8',
    });
    assert.equal(b.status, 0, b.stderr);
  }
  const data = mkdtempSync(join(tmpdir(), 'sipwss-data-'));
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--listen', 'wss:127.0.0.1:0'], {
    cwd: ROOT,
    env: { ...process.env, SIPWSS_DATA_DIR: data },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.setEncoding('utf8');
  const urls = await new Promise<string[]>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no ready line: ${out}`)), 15_000);
    child.stdout?.on('data', (d: string) => {
      out += d;
      for (const line of out.split('\n')) {
        if (line.startsWith('{"sipwss":"ready"')) {
          clearTimeout(timer);
          res((JSON.parse(line) as { urls: string[] }).urls);
        }
      }
    });
  });
  assert.ok(existsSync(join(data, 'cert.pem')) && existsSync(join(data, 'key.pem')));
  // Logs are written asynchronously (no synchronous logging on a server): give them a moment.
  for (let i = 0; i < 100 && !/made a self-signed certificate/.test(out); i++)
    await new Promise((r) => setTimeout(r, 20));
  assert.match(out, /made a self-signed certificate/);
  const page = urls[0]?.replace(/^wss:/, 'https:') as string;
  const html = await fetchText(page);
  assert.equal(html.status, 200);
  assert.match(html.type, /^text\/html/);
  assert.match(html.body, /<title>sipwss softphone<\/title>/);
  const js = await fetchText(`${page}softphone.js`);
  assert.equal(js.status, 200);
  assert.match(js.type, /^text\/javascript/);
  assert.ok(js.body.length > 10_000, 'the bundle includes JsSIP');
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});
