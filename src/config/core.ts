/**
 * The global lines the cfg reader itself implements. Other globals (log_level, tcp_*) come from the
 * tables of the layers that use them, passed in the registry.
 */
import type { ModuleSpec } from '../params.js';

export const CONFIG_CORE: ModuleSpec = {
  name: 'core',
  doc: 'Global lines read by the cfg reader itself.',
  params: [
    {
      name: 'listen',
      type: 'string',
      default: undefined,
      repeatable: true,
      doc: 'A socket to serve: proto:host[:port] [as host[:port]], proto ws or wss. Repeat for several.',
    },
    {
      name: 'socket',
      type: 'string',
      default: undefined,
      repeatable: true,
      doc: 'Same as listen (its name since OpenSIPS 3.1).',
    },
    {
      name: 'mpath',
      type: 'string',
      default: undefined,
      doc: 'Where OpenSIPS finds its modules. Accepted and ignored, with a notice: sipwss has no module files.',
    },
  ],
};

/** Globals the reader handles itself rather than storing in `globals`. */
export const LISTEN_GLOBALS: ReadonlySet<string> = new Set(['listen', 'socket']);
export const IGNORED_GLOBALS: ReadonlySet<string> = new Set(['mpath']);

for (const p of CONFIG_CORE.params) Object.freeze(p);
Object.freeze(CONFIG_CORE.params);
Object.freeze(CONFIG_CORE);
