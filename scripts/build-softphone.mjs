#!/usr/bin/env node
// Bundles the softphone page (src/server/softphone) with JsSIP from its npm package into
// dist/softphone/. Runs as part of `npm run build` (and so of `npm ci`, through `prepare`);
// the bundle is generated code and is never committed.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src/server/softphone');
const out = join(root, 'dist/softphone');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(src, 'app.ts')],
  outfile: join(out, 'softphone.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
  legalComments: 'none',
});
copyFileSync(join(src, 'index.html'), join(out, 'index.html'));
console.log(`softphone bundled into ${out}`);
