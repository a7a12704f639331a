// The public surface of the sipwss library: nothing else is imported from outside.
export { SipwssError, type Outcome, type Result } from './errors.js';
