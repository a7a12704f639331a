/**
 * Statements from tokens: `name = value`, `loadmodule "x.so"`, `modparam("m", "p", value)`.
 * Routing blocks are recognised only to be refused (and skipped as a whole, braces balanced) so one
 * block yields one error, not one per token inside it.
 *
 * After an error the parser skips to the next token that starts a statement on a later line, so
 * every independent mistake of a file is reported without cascades. Every loop advances: the parser
 * is linear in the number of tokens and never throws.
 */
import { ConfigError, type Source } from './errors.js';
import type { Token } from './lexer.js';
import { LISTEN_EXTRAS, type ListenExtraToken } from './listen.js';

export type Statement =
  | {
      readonly kind: 'assign';
      readonly name: Token;
      readonly value: Token;
      readonly extras: ListenExtraToken[];
    }
  | { readonly kind: 'loadmodule'; readonly keyword: Token; readonly arg: Token }
  | {
      readonly kind: 'modparam';
      readonly keyword: Token;
      readonly module: Token;
      readonly param: Token;
      readonly value: Token;
    };

/** Every block kind OpenSIPS's grammar has (cfg.y `statement`). */
export const ROUTE_KEYWORDS: ReadonlySet<string> = new Set([
  'route',
  'onreply_route',
  'failure_route',
  'branch_route',
  'error_route',
  'local_route',
  'startup_route',
  'timer_route',
  'event_route',
]);

const LISTEN_KEYWORDS: ReadonlySet<string> = new Set(['listen', 'socket']);

export function parseStatements(
  tokens: readonly Token[],
  file: string,
): { statements: Statement[]; errors: ConfigError[] } {
  const statements: Statement[] = [];
  const errors: ConfigError[] = [];
  let p = 0;
  const at = (t: Token): Source => ({ file, line: t.line, column: t.column });
  const isPunct = (t: Token | undefined, c: string): boolean => t?.kind === 'punct' && t.text === c;
  const describe = (t: Token | undefined): string =>
    t === undefined ? 'end of file' : t.kind === 'string' ? `string "${t.text}"` : `"${t.text}"`;
  const lastToken = tokens[tokens.length - 1];
  const eofSource = (): Source =>
    lastToken ? { file, line: lastToken.line, column: lastToken.column } : { file, line: 1, column: 1 };

  function isStatementStart(q: number): boolean {
    const t = tokens[q];
    if (t?.kind !== 'word') return false;
    if (isPunct(tokens[q + 1], '=')) return true;
    if (t.text === 'loadmodule' || t.text === 'modparam') return true;
    return ROUTE_KEYWORDS.has(baseName(t.text));
  }

  /** Skip to the first statement start on a line after the one holding token `e`. */
  function recover(e: number): void {
    const line = tokens[e]?.line ?? Number.POSITIVE_INFINITY;
    let q = Math.max(e, p + 1);
    while (q < tokens.length && !(tokens[q]!.line > line && isStatementStart(q))) q++;
    p = q;
  }

  function fail(
    e: number,
    code: 'CONFIG_SYNTAX' | 'CONFIG_UNSUPPORTED',
    detail: string,
    param?: string,
  ): void {
    const t = tokens[e];
    errors.push(new ConfigError(code, t ? at(t) : eofSource(), detail, param));
    recover(e);
  }

  while (p < tokens.length) {
    const t = tokens[p]!;
    if (t.kind !== 'word') {
      fail(p, 'CONFIG_SYNTAX', `unexpected ${describe(t)}: expected name = value, loadmodule or modparam`);
      continue;
    }
    if (isPunct(tokens[p + 1], '=')) {
      parseAssign(t);
    } else if (t.text === 'loadmodule') {
      parseLoadmodule(t);
    } else if (t.text === 'modparam') {
      parseModparam(t);
    } else if (ROUTE_KEYWORDS.has(baseName(t.text))) {
      skipRouteBlock(t);
    } else if (t.text === 'include_file' || t.text === 'import_file') {
      fail(p, 'CONFIG_UNSUPPORTED', `${t.text} is not supported: put everything in one file`);
    } else {
      fail(p, 'CONFIG_SYNTAX', `unexpected ${describe(t)}: expected name = value, loadmodule or modparam`);
    }
  }
  return { statements, errors };

  function parseAssign(name: Token): void {
    const v = tokens[p + 2];
    const valueIsNextStatement = v?.kind === 'word' && v.line > name.line && isPunct(tokens[p + 3], '=');
    if (v === undefined || v.kind === 'punct' || valueIsNextStatement) {
      fail(p + 1, 'CONFIG_SYNTAX', `${name.text}: missing value after "="`, name.text);
      return;
    }
    p += 3;
    const extras: ListenExtraToken[] = [];
    if (LISTEN_KEYWORDS.has(name.text)) {
      for (;;) {
        const k = tokens[p];
        const def =
          k?.kind === 'word' && !isPunct(tokens[p + 1], '=')
            ? LISTEN_EXTRAS[k.text.toLowerCase()]
            : undefined;
        if (!k || !def) break;
        const arg = def.takesArg ? tokens[p + 1] : undefined;
        const argOk = arg !== undefined && arg.kind !== 'punct';
        extras.push({ keyword: k, arg: argOk ? arg : undefined });
        p += argOk ? 2 : 1;
      }
    }
    statements.push({ kind: 'assign', name, value: v, extras });
  }

  function parseLoadmodule(kw: Token): void {
    const arg = tokens[p + 1];
    if (arg?.kind !== 'string') {
      fail(p + 1, 'CONFIG_SYNTAX', `loadmodule needs a quoted module name, e.g. loadmodule "proto_wss.so"`);
      return;
    }
    statements.push({ kind: 'loadmodule', keyword: kw, arg });
    p += 2;
  }

  function parseModparam(kw: Token): void {
    const usage = 'modparam("module", "parameter", value)';
    const expect = (offset: number, c: string): boolean => {
      if (isPunct(tokens[p + offset], c)) return true;
      fail(p + offset, 'CONFIG_SYNTAX', `${usage}: expected "${c}", found ${describe(tokens[p + offset])}`);
      return false;
    };
    const expectString = (offset: number, what: string): Token | undefined => {
      const s = tokens[p + offset];
      if (s?.kind === 'string') return s;
      fail(
        p + offset,
        'CONFIG_SYNTAX',
        `${usage}: the ${what} must be a quoted string, found ${describe(s)}`,
      );
      return undefined;
    };
    if (!expect(1, '(')) return;
    const module = expectString(2, 'module name');
    if (!module || !expect(3, ',')) return;
    const param = expectString(4, 'parameter name');
    if (!param || !expect(5, ',')) return;
    const value = tokens[p + 6];
    if (value === undefined || value.kind === 'punct') {
      fail(
        p + 6,
        'CONFIG_SYNTAX',
        `${usage}: missing value, found ${describe(value)}`,
        `${module.text}.${param.text}`,
      );
      return;
    }
    if (!expect(7, ')')) return;
    statements.push({ kind: 'modparam', keyword: kw, module, param, value });
    p += 8;
  }

  function skipRouteBlock(kw: Token): void {
    const detail =
      `"${baseName(kw.text)}" blocks are not supported: sipwss routing is built in ` +
      '(registrar and proxy); remove the block';
    // The header is `route`, `route[name]`, `timer_route[name, 10]`...: the `{` comes within a few tokens.
    let q = p + 1;
    while (q < tokens.length && q <= p + 6 && !isPunct(tokens[q], '{')) q++;
    if (!isPunct(tokens[q], '{')) {
      fail(p, 'CONFIG_SYNTAX', `${detail} (and no "{" follows)`);
      return;
    }
    errors.push(new ConfigError('CONFIG_ROUTE_BLOCK', at(kw), detail));
    let depth = 0;
    for (; q < tokens.length; q++) {
      if (isPunct(tokens[q], '{')) depth++;
      else if (isPunct(tokens[q], '}') && --depth === 0) break;
    }
    if (q >= tokens.length) {
      errors.push(new ConfigError('CONFIG_SYNTAX', at(kw), `unclosed "{" of the ${baseName(kw.text)} block`));
    }
    p = q + 1;
  }
}

/** `route[name]` → `route`. */
function baseName(word: string): string {
  const b = word.indexOf('[');
  return b === -1 ? word : word.slice(0, b);
}
