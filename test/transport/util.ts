import type { Transport, TransportEvents } from '../../src/transport/index.js';

/** The next emission of a transport event (typed), rejecting after `ms`. */
export function next<K extends keyof TransportEvents>(
  t: Transport,
  event: K,
  ms = 3000,
): Promise<TransportEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      t.off(event, fn);
      reject(new Error(`no ${event} event within ${ms} ms`));
    }, ms);
    const fn = (...args: TransportEvents[K]) => {
      clearTimeout(timer);
      t.off(event, fn);
      resolve(args);
    };
    t.on(event, fn);
  });
}
