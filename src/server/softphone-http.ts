/**
 * `GET /` on a WSS listener serves the softphone page (src/server/softphone, bundled into
 * dist/softphone by `npm run build`, which `npm ci` runs). Anything else gets the transport's
 * default answer (426 Upgrade Required for plain requests).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpHandler, PlainHttpResponse } from '../transport/index.js';

const SECURITY_HEADERS = {
  'Cache-Control': 'no-cache',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
} as const;

export function softphoneHandler(dir: string): HttpHandler {
  let files: { html: Buffer; js: Buffer } | undefined;
  let missing = false;
  const load = () => {
    if (files === undefined && !missing) {
      try {
        files = { html: readFileSync(join(dir, 'index.html')), js: readFileSync(join(dir, 'softphone.js')) };
      } catch {
        missing = true;
      }
    }
    return files;
  };
  return (req): PlainHttpResponse | undefined => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    const path = req.target.split('?')[0];
    if (path !== '/' && path !== '/index.html' && path !== '/softphone.js') return undefined;
    const f = load();
    if (f === undefined) {
      return {
        status: 503,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS },
        body: 'The softphone page is not built: run `npm run build`.\n',
      };
    }
    const js = path === '/softphone.js';
    return {
      status: 200,
      headers: {
        'Content-Type': js ? 'text/javascript; charset=utf-8' : 'text/html; charset=utf-8',
        ...SECURITY_HEADERS,
      },
      body: js ? f.js : f.html,
    };
  };
}
