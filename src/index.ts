// The public surface of the sipwss library: nothing else is imported from outside.
export { type Outcome, type Result, SipwssError } from './errors.js';
