/**
 * Renders docs/configuration.md from the parameter tables (ModuleSpec), the known-module list and
 * the config error catalogue, so the reference cannot drift from the code; test/config/docs.test.ts
 * fails when the committed page differs from what this renders.
 *
 *   node --import tsx scripts/gen-config-docs.ts           write docs/configuration.md
 *   node --import tsx scripts/gen-config-docs.ts --check   exit 1 if it is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CONFIG_CORE,
  CONFIG_ERROR_CODES,
  CONFIG_NOTICE_CODES,
  type ConfigRegistry,
  KNOWN_MODULES,
  resolveRegistry,
} from '../src/config/index.js';
import type { ModuleSpec, ParamSpec } from '../src/params.js';
import { SIPWSS_REGISTRY } from '../src/server/registry.js';

export const DOCS_PATH = resolve(import.meta.dirname, '..', 'docs', 'configuration.md');

/*
 * The registry the page is generated from and checked against (test/config/docs.test.ts). Until the
 * module tables are merged it is the test mirror of them. To switch: replace the two lines below by
 *
 *   import { CORE_TCP, PROTO_WS, PROTO_WSS } from '../src/transport/params.js';
 *   import { TLS_MGM } from '../src/tls/params.js';
 *   export const DOCS_REGISTRY: ConfigRegistry = { core: [CORE_TCP], modules: [PROTO_WS, PROTO_WSS, TLS_MGM] };
 *   export const PROVISIONAL = false;
 *
 * drop the TEST_REGISTRY import, and run this script.
 */
export const DOCS_REGISTRY: ConfigRegistry = SIPWSS_REGISTRY;
/** True while DOCS_REGISTRY is the test mirror: the page says so. */
export const PROVISIONAL = false;

const INTRO = `# Configuration

\`sipwss --config FILE\` reads an OpenSIPS-style cfg file: the part of OpenSIPS's syntax that
describes sockets and module parameters. The socket, loadmodule and modparam lines of an OpenSIPS
setup for proto_wss, proto_ws and tls_mgm load unchanged; what sipwss does not do (routing blocks,
other modules, other protocols) is refused with a message saying so. Every problem of a file is
reported at once, each with \`file:line:column\`, the parameter, and a stable error code; nothing is
silently ignored, clamped or defaulted (what is ignored on purpose produces a notice).

## Syntax

\`\`\`
# comment                         // comment                 /* block comment, may nest */
mpath = "/usr/lib/opensips/modules"                         # accepted and ignored (notice)
log_level = 3                                               # a global: name = value
listen = wss:10.0.0.1:443 as sip.example.com:443            # sockets: listen or socket
socket = ws:[2001:db8::1]:80
loadmodule "tls_mgm.so"                                     # a name, name.so or a path
loadmodule "/usr/lib/opensips/modules/proto_wss.so"
modparam("proto_wss", "wss_port", 443)                      # integer value
modparam("tls_mgm", "certificate", "[dom]/etc/tls/cert.pem") # string value
\`\`\`

- **Statements** are global lines \`name = value\`, \`loadmodule "NAME"\` and
  \`modparam("module", "parameter", value)\`. As in OpenSIPS, newlines are plain whitespace: a statement
  may span lines and several may share one. There is no \`;\` terminator.
- **Values** are integers or strings. Integers are read as OpenSIPS reads them: decimal (optionally
  signed), \`0x\` hexadecimal, a leading \`0\` means octal (\`010\` is 8), and the words
  \`yes\`/\`true\`/\`on\`/\`enable\` (1) and \`no\`/\`false\`/\`off\`/\`disable\` (0). Strings are
  double-quoted with the escapes \`\\n \\r \\t \\a \\" \\\\ \\xHH \\NNN\` (two or three octal digits; any
  other backslash is kept) and a backslash-newline removed; or single-quoted, taken raw. A type mismatch
  is an error: \`"443"\` is not an integer. A **flag** is 0 or 1, given as an integer or as \`"0"\`/\`"1"\`.
- **Comments**: \`#\` to the end of the line, \`/* ... */\` (nesting, as in OpenSIPS), and, as
  Kamailio allows, \`//\` to the end of the line where a token could start (so \`http://x\` or
  \`/a//b\` in an unquoted value stay whole). None of them count inside strings. \`#!\` lines
  (Kamailio preprocessor directives) are comments too, each with a notice: sipwss has no preprocessor.
- **\`...\` lines**: a line holding only \`...\` is skipped, with one notice listing them. The
  OpenSIPS documentation uses such lines as elisions around its examples, and those examples must load
  verbatim.
- **Sockets**: \`listen\` or \`socket\` (its OpenSIPS ≥ 3.1 name) with
  \`proto:host[:port] [as host[:port]]\`. \`proto\` is \`ws\` or \`wss\` (case-insensitive) and needs
  \`proto_ws\` / \`proto_wss\` loaded; \`host\` is an IPv4 address, an IPv6 address in brackets, a host or
  interface name, or \`*\`; without a port the module's \`ws_port\` / \`wss_port\` applies; \`as\` gives
  the address to advertise. Ports are 1-65535; OpenSIPS's \`any\` and 0 are refused: leave the
  port out to get the module's default.
- **Modules**: \`loadmodule\` takes the module's base name (\`proto_wss\`, \`proto_wss.so\` or a path
  ending in either). Unknown modules are errors.

## Rules, and where they differ from OpenSIPS

- **A parameter given twice is an error** naming both places. OpenSIPS keeps the last modparam
  silently; refusing makes the value in force obvious. Repeatable parameters (\`server_domain\`,
  \`client_domain\`, \`listen\`) keep every value in order; per-domain parameters may be given once per
  \`[domain]\` (and once without a prefix). Loading a module twice is an error too.
- **modparam needs its module's loadmodule line before it**, as in OpenSIPS; the message says where
  the loadmodule line is if it comes later. Module dependencies (proto_wss needs tls_mgm) may be in
  any order.
- **Relative paths** in file parameters are resolved against the directory of the cfg file, not the
  working directory, so a cfg file means the same wherever sipwss starts. Per-domain values have their
  \`[domain]\` prefix stripped before the check. Files must exist and be readable at start-up; the
  loaded value is the absolute path (with its prefix).
- **Refused** with a clear error, because sipwss does not do them: routing blocks (\`route\`,
  \`route[name]\`, \`onreply_route\`, \`failure_route\`, \`branch_route\`, \`error_route\`,
  \`local_route\`, \`startup_route\`, \`timer_route\`, \`event_route\`: routing is built in);
  \`include_file\`/\`import_file\`; regular expressions as modparam module names; socket protocols other
  than ws/wss; the socket extras \`use_workers\`, \`use_children\`, \`tag\`, \`anycast\`, \`frag\`,
  \`reuse_port\`, \`use_auto_scaling_profile\`, \`accept_subdomain\`; unknown global names.
- **Integers without bounds in the table** must fit a C \`int\` (-2147483648..2147483647), as in OpenSIPS.
- **Module names are exact** (lower case): OpenSIPS matches modparam module names as case-insensitive
  regular expressions.
- A cfg file is at most 1 MiB and must be a regular file.

## From code

\`\`\`ts
import { loadConfigFile } from 'sipwss';
const r = loadConfigFile('/etc/sipwss/sipwss.cfg', registry); // or parseConfig(text, fileName, registry)
if (!r.ok) {
  console.error(r.error.message); // "FILE: N errors" then one "file:line:column: ..." line each
  process.exit(1);
}
const cfg = r.value; // frozen: listen[], globals, modules (Map of module → Map of param → values), notices
\`\`\`

Nothing is thrown for bad input: the result is \`{ ok: false, error: ConfigInvalidError }\` with every
error (\`error.errors\`, each a \`ConfigError\` with \`code\`, \`source\`, \`param\`) and the notices.
Values are converted by the parameter's type (int → number, flag → 0/1, string → string); per-domain
values stay strings with their \`[domain]\` prefix; file paths come back absolute. Defaults are not
filled in: a parameter absent from the file is absent from the result.
`;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function shown(v: number | string | undefined, unit?: string): string {
  if (v === undefined) return 'unset';
  return typeof v === 'string' ? `\`"${v}"\`` : `${v}${unit ? ` ${unit}` : ''}`;
}

function typeOf(p: ParamSpec): string {
  const parts: string[] = [p.type];
  if (p.type === 'int' && (p.min !== undefined || p.max !== undefined)) {
    parts[0] = `int ${p.min ?? '…'}..${p.max ?? '…'}${p.unit ? ` ${p.unit}` : ''}`;
  } else if (p.unit) {
    parts[0] = `${p.type} (${p.unit})`;
  }
  if (p.file) parts.push(p.file === 'dir' ? 'directory' : 'file');
  if (p.perDomain) parts.push('per domain');
  if (p.repeatable) parts.push('repeatable');
  return parts.join(', ');
}

/** A markdown table with padded columns, the layout Biome's markdown formatter keeps as is. */
function grid(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function table(params: readonly ParamSpec[]): string {
  const rows = params.map((p) => {
    const opensips = p.ours
      ? '— (sipwss only)'
      : p.opensipsDefault !== undefined
        ? shown(p.opensipsDefault, p.unit)
        : 'same';
    return [
      `\`${p.name}\``,
      cell(typeOf(p)),
      cell(shown(p.default, p.unit)),
      cell(opensips),
      cell(p.doc),
      cell(p.differs ?? ''),
    ];
  });
  return grid(['Parameter', 'Type', 'Default', 'OpenSIPS default', 'Meaning', 'Why ours differs'], rows);
}

export function renderConfigDocs(registry: ConfigRegistry, provisional: boolean): string {
  resolveRegistry(registry); // inconsistent tables throw here rather than render
  const out: string[] = [
    '<!-- Generated by scripts/gen-config-docs.ts from the parameter tables: edit those, not this file. -->',
    '',
    INTRO,
  ];
  if (provisional) {
    out.push(
      '> **Provisional:** the tables below come from the test mirror of the module tables',
      '> (test/config/specs.ts) until the real tables are merged.',
      '',
    );
  }
  const core: ModuleSpec[] = [CONFIG_CORE, ...registry.core];
  out.push('## Global parameters', '', 'Written `name = value`, outside any module.', '');
  out.push(table(core.flatMap((m) => m.params)), '');
  for (const m of registry.modules) {
    out.push(
      `## Module \`${m.name}\``,
      '',
      cell(m.doc),
      '',
      `Set with \`modparam("${m.name}", "name", value)\`.`,
      '',
    );
    out.push(table(m.params), '');
  }
  const withTables = new Set(registry.modules.map((m) => m.name));
  const others = KNOWN_MODULES.filter((k) => !withTables.has(k.name));
  if (others.length > 0) {
    out.push(
      '## Other modules',
      '',
      'Accepted by `loadmodule` (with a notice) but without parameters in sipwss:',
      '',
      grid(
        ['Module', 'Why'],
        others.map((k) => [`\`${k.name}\``, cell(k.note)]),
      ),
      '',
    );
  }
  out.push(
    '## Error codes',
    '',
    'Each error is a `ConfigError` (a `SipwssError`) with one of these codes; a file with errors yields',
    'one `ConfigInvalidError` (`CONFIG_INVALID`) holding them all, up to 50 by default.',
    '',
    grid(
      ['Code', 'Meaning'],
      Object.entries(CONFIG_ERROR_CODES).map(([code, meaning]) => [`\`${code}\``, cell(meaning)]),
    ),
    '',
    '## Notices',
    '',
    'Loading succeeds, and `LoadedConfig.notices` (or `ConfigInvalidError.notices`) carries these for the log:',
    '',
    grid(
      ['Code', 'Meaning'],
      Object.entries(CONFIG_NOTICE_CODES).map(([code, meaning]) => [`\`${code}\``, cell(meaning)]),
    ),
    '',
  );
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = renderConfigDocs(DOCS_REGISTRY, PROVISIONAL);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(DOCS_PATH, 'utf8');
    } catch {}
    if (current !== text) {
      console.error(`${DOCS_PATH} is out of date: run node --import tsx scripts/gen-config-docs.ts`);
      process.exit(1);
    }
  } else {
    writeFileSync(DOCS_PATH, text);
    console.log(`wrote ${DOCS_PATH}`);
  }
}
