#!/usr/bin/env node
// Runs every test file under test/ with node's own test runner (through tsx for TypeScript).
// Node 20's `--test` takes no globs, so the files are listed here. Extra args are passed through
// (e.g. `npm run test:only -- test/sip`): a directory or file narrows the set.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const targets = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (name === 'node_modules' || name === 'fixtures') continue;
      collect(join(path, name), out);
    }
  } else if (/\.test\.ts$/.test(path)) {
    out.push(path);
  }
  return out;
}

const files = [];
for (const t of targets.length ? targets : ['test']) collect(resolve(root, t), files);
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
const concurrency = process.env.SIPWSS_TEST_CONCURRENCY ?? '2';
const res = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    ...flags,
    ...files,
  ],
  { stdio: 'inherit', cwd: root },
);
process.exit(res.status ?? 1);
