import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lex } from '../../src/config/lexer.js';

const words = (text: string): string[] => lex(text, 'f.cfg').tokens.map((t) => t.text);

test('newlines are whitespace: a statement may span lines', () => {
  assert.deepEqual(words('modparam(\n  "a",\n  "b", 1)'), ['modparam', '(', 'a', ',', 'b', ',', '1', ')']);
});

test('# comments run to the end of the line, also right after a value', () => {
  assert.deepEqual(words('listen=wss:10.0.0.1# change\nlog_level=1 # x = 2'), [
    'listen',
    '=',
    'wss:10.0.0.1',
    'log_level',
    '=',
    '1',
  ]);
});

test('// comments start only where a token could start, so paths and URLs keep their slashes', () => {
  assert.deepEqual(words('a=1 // comment\n// whole line\nmpath=/usr//lib b=http://x'), [
    'a',
    '=',
    '1',
    'mpath',
    '=',
    '/usr//lib',
    'b',
    '=',
    'http://x',
  ]);
});

test('block comments, nested as in OpenSIPS, may span lines and sit inside a statement', () => {
  assert.deepEqual(words('a /* x /* y */ still comment */ = /* multi\nline */ 2'), ['a', '=', '2']);
  assert.deepEqual(words('a=1/*c*/b=2'), ['a', '=', '1', 'b', '=', '2']);
});

test('comment markers inside strings are text', () => {
  assert.deepEqual(words('"# not // a /* comment */" \'# nor this\''), [
    '# not // a /* comment */',
    '# nor this',
  ]);
});

test('double-quoted strings decode the escapes of cfg.lex; others keep their backslash', () => {
  const [t] = lex(String.raw`"a\"b\\c\td\ne\x41\101\q\1"`, 'f').tokens;
  assert.equal(t?.text, 'a"b\\c\td\neAA\\q\\1');
});

test('a backslash-newline inside a string is removed; a plain newline is kept', () => {
  assert.equal(lex('"ab\\\ncd"', 'f').tokens[0]?.text, 'abcd');
  assert.equal(lex('"ab\ncd"', 'f').tokens[0]?.text, 'ab\ncd');
});

test('single-quoted strings are raw', () => {
  assert.equal(lex(String.raw`'a\nb\"'`, 'f').tokens[0]?.text, String.raw`a\nb\"`);
});

test('tokens carry 1-based line and column, a tab counting as one column', () => {
  const toks = lex('\n\t  listen = wss:1.2.3.4\r\nx=1', 'f').tokens;
  assert.deepEqual(
    toks.map((t) => [t.text, t.line, t.column]),
    [
      ['listen', 2, 4],
      ['=', 2, 11],
      ['wss:1.2.3.4', 2, 13],
      ['x', 3, 1],
      ['=', 3, 2],
      ['1', 3, 3],
    ],
  );
});

test('a line holding only "..." is skipped and recorded; "..." elsewhere is a word', () => {
  const r = lex('...\n  ...  \nx=...\n....\n', 'f');
  assert.deepEqual(r.elisions, [1, 2]);
  assert.deepEqual(
    r.tokens.map((t) => t.text),
    ['x', '=', '...', '....'],
  );
});

test('unterminated strings and comments are syntax errors at their opening', () => {
  const a = lex('x=1\ny="abc', 'f.cfg');
  assert.deepEqual(
    a.errors.map((e) => [e.code, e.source.line, e.source.column]),
    [['CONFIG_SYNTAX', 2, 3]],
  );
  const b = lex('x=1 /* /* */', 'f.cfg');
  assert.equal(b.errors[0]?.message, 'f.cfg:1:5: unterminated /* comment */');
});

test('a leading BOM is ignored and #! directives become notices', () => {
  const r = lex('\uFEFF#!define WITH_TLS\nx=1', 'f');
  assert.deepEqual(
    r.tokens.map((t) => t.text),
    ['x', '=', '1'],
  );
  assert.equal(r.notices[0]?.code, 'CONFIG_DIRECTIVE_IGNORED');
  assert.match(r.notices[0]?.message ?? '', /#!define WITH_TLS/);
});
