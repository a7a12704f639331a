/**
 * Address caches Node's net.Socket keeps that a connection does not need. The first read of
 * `remoteAddress` / `remotePort` calls getpeername() and caches the answer on the socket as
 * `_peername` ({ address, family, port }), and `localAddress` / `localPort` likewise as `_sockname`
 * (lib/net.js `_getpeername`, `_getsockname`), for the socket's whole life. A connection reads them
 * once, when it is created, and keeps what it needs itself: the cached objects would be one or two
 * more objects per idle connection. Dropping them only means that a later read asks the kernel again.
 */
import type { Socket } from 'node:net';

type AddressCaches = { _peername?: unknown; _sockname?: unknown };

/** Call once the connection has copied the addresses it keeps. */
export function dropAddressCaches(s: Socket): void {
  const c = s as AddressCaches;
  // Only when Node keeps them there: never a new property, should the caches move or go.
  if (c._peername) c._peername = undefined;
  if (c._sockname) c._sockname = null;
}
