import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERRORS_DOC, renderErrorsDoc } from '../scripts/gen-errors-docs.js';

test('docs/errors.md lists every error code of every catalogue (regenerate with scripts/gen-errors-docs.ts)', () => {
  assert.equal(
    readFileSync(ERRORS_DOC, 'utf8'),
    renderErrorsDoc(),
    'docs/errors.md is out of date: run `node --import tsx scripts/gen-errors-docs.ts` and commit it',
  );
});
