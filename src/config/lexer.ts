/**
 * Tokenizer for the OpenSIPS cfg subset. Follows OpenSIPS's cfg.lex where it matters to users:
 * double-quoted strings with C-like escapes, single-quoted strings taken raw, `#` line comments,
 * nested block comments, a backslash-newline outside strings is whitespace, and newlines are plain
 * whitespace (statements are not line-bound).
 *
 * Deliberate differences, each because the seed documentation must load verbatim or because a
 * clear error beats a silent surprise:
 * - A line that is exactly `...` (the docs' elision) is skipped; the caller turns these into one notice.
 * - Unquoted values (`mpath=/path/to/modules`, `listen=wss:[::1]:443`) lex as one `word` token: any
 *   run of characters other than whitespace, quotes, `#` and `= ( ) , ; { }`.
 * - `//` starts a comment only where a token could start, so `http://x` and `/a//b` in an unquoted
 *   value stay intact; `/*` starts a comment anywhere outside strings, as in OpenSIPS.
 * - `#!` lines (Kamailio preprocessor directives) are comments, reported as notices.
 *
 * Linear in the input; never throws: problems come back in `errors`.
 */
import { ConfigError, type ConfigNotice, type Source } from './errors.js';

export type TokenKind = 'word' | 'string' | 'punct';

export interface Token {
  readonly kind: TokenKind;
  /** Word text, decoded string value, or the punctuation character. */
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

export interface LexResult {
  readonly tokens: readonly Token[];
  readonly errors: readonly ConfigError[];
  readonly notices: readonly ConfigNotice[];
  /** Lines that held only `...`. */
  readonly elisions: readonly number[];
}

const PUNCT = new Set(['=', '(', ')', ',', ';', '{', '}']);
const WORD_STOP = new Set([' ', '\t', '\r', '\n', '\b', '\f', '\v', '"', "'", '#', ...PUNCT]);

export function lex(input: string, file: string): LexResult {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const tokens: Token[] = [];
  const errors: ConfigError[] = [];
  const notices: ConfigNotice[] = [];
  const elisions: number[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  let atLineStart = true;
  const n = text.length;

  const src = (l: number, c: number): Source => ({ file, line: l, column: c });
  const advance = (): void => {
    if (text[i] === '\n') {
      line++;
      col = 1;
      atLineStart = true;
    } else {
      col++;
    }
    i++;
  };
  const restOfLineEnd = (from: number): number => {
    const nl = text.indexOf('\n', from);
    return nl === -1 ? n : nl;
  };

  while (i < n) {
    const c = text[i]!;
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r' || c === '\b' || c === '\f' || c === '\v') {
      advance();
      continue;
    }
    if (atLineStart && c === '.') {
      const end = restOfLineEnd(i);
      if (text.slice(i, end).trim() === '...') {
        elisions.push(line);
        while (i < end) advance();
        continue;
      }
    }
    atLineStart = false;
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      advance(); // escaped newline: eaten, as OpenSIPS does
      continue;
    }
    if (c === '#') {
      if (text[i + 1] === '!') {
        const end = restOfLineEnd(i);
        notices.push({
          code: 'CONFIG_DIRECTIVE_IGNORED',
          source: src(line, col),
          message: `"${text.slice(i, end).trim()}" is a comment here: sipwss has no preprocessor`,
        });
      }
      const end = restOfLineEnd(i);
      while (i < end) advance();
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const end = restOfLineEnd(i);
      while (i < end) advance();
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      skipBlockComment();
      continue;
    }
    if (c === '"' || c === "'") {
      readString(c);
      continue;
    }
    if (PUNCT.has(c)) {
      tokens.push({ kind: 'punct', text: c, line, column: col });
      advance();
      continue;
    }
    readWord();
  }
  return { tokens, errors, notices, elisions };

  function skipBlockComment(): void {
    // OpenSIPS nests block comments: `/* a /* b */ c */` is one comment.
    const startLine = line;
    const startCol = col;
    let depth = 0;
    while (i < n) {
      if (text[i] === '/' && text[i + 1] === '*') {
        depth++;
        advance();
        advance();
      } else if (text[i] === '*' && text[i + 1] === '/') {
        depth--;
        advance();
        advance();
        if (depth === 0) {
          atLineStart = false; // a `...` after a multi-line comment is not at a line start
          return;
        }
      } else {
        advance();
      }
    }
    errors.push(new ConfigError('CONFIG_SYNTAX', src(startLine, startCol), 'unterminated /* comment */'));
  }

  function readString(quote: '"' | "'"): void {
    const startLine = line;
    const startCol = col;
    advance();
    let out = '';
    while (i < n) {
      const ch = text[i]!;
      if (ch === quote) {
        advance();
        atLineStart = false;
        tokens.push({ kind: 'string', text: out, line: startLine, column: startCol });
        return;
      }
      if (quote === '"' && ch === '\\' && i + 1 < n) {
        const esc = escapeAt(i);
        if (esc) {
          out += esc.value;
          for (let k = 0; k < esc.length; k++) advance();
          continue;
        }
      }
      out += ch;
      advance();
    }
    errors.push(
      new ConfigError(
        'CONFIG_SYNTAX',
        src(startLine, startCol),
        `unterminated string (opened with ${quote})`,
      ),
    );
  }

  /** The escapes of cfg.lex's STRING1 state; anything else keeps its backslash. */
  function escapeAt(at: number): { value: string; length: number } | undefined {
    const e = text[at + 1]!;
    switch (e) {
      case 'n':
        return { value: '\n', length: 2 };
      case 'r':
        return { value: '\r', length: 2 };
      case 'a':
        return { value: '\x07', length: 2 };
      case 't':
        return { value: '\t', length: 2 };
      case '"':
        return { value: '"', length: 2 };
      case '\\':
        return { value: '\\', length: 2 };
      case '\n':
        return { value: '', length: 2 };
      case 'x': {
        const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(at + 2, at + 4));
        return m
          ? { value: String.fromCharCode(Number.parseInt(m[0], 16)), length: 2 + m[0].length }
          : undefined;
      }
      default: {
        // Two or three octal digits only: a single one would eat regex back-references (\1).
        const m = /^[0-7]{2,3}/.exec(text.slice(at + 1, at + 4));
        return m
          ? { value: String.fromCharCode(Number.parseInt(m[0], 8) & 0xff), length: 1 + m[0].length }
          : undefined;
      }
    }
  }

  function readWord(): void {
    const startLine = line;
    const startCol = col;
    const start = i;
    while (i < n && !WORD_STOP.has(text[i]!) && !(text[i] === '/' && text[i + 1] === '*')) advance();
    tokens.push({ kind: 'word', text: text.slice(start, i), line: startLine, column: startCol });
  }
}
