/**
 * Real peers from Debian (chromium, kamailio) for interop tests. A test whose peer is missing
 * skips with a message naming the package, unless SIPWSS_REQUIRE_PEERS=1 (CI), where it fails.
 *
 *   test('browser talks to us', { skip: missingPeer('chromium') }, async () => { ... });
 */
import { accessSync, constants } from 'node:fs';

export const PEERS = {
  chromium: { binary: '/usr/bin/chromium', packages: 'chromium' },
  kamailio: {
    binary: '/usr/sbin/kamailio',
    packages: 'kamailio kamailio-websocket-modules kamailio-tls-modules',
    modules: [
      '/usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so',
      '/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so',
    ],
  },
} as const;

export type PeerName = keyof typeof PEERS;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** false when the peer is installed; otherwise the skip reason. Throws when peers are required. */
export function missingPeer(name: PeerName): false | string {
  const peer = PEERS[name];
  const present =
    executable(peer.binary) && ('modules' in peer ? peer.modules.every((m: string) => readable(m)) : true);
  if (present) return false;
  const reason = `needs Debian package(s): ${peer.packages} (apt-get install -y ${peer.packages})`;
  if (process.env.SIPWSS_REQUIRE_PEERS === '1') {
    throw new Error(`SIPWSS_REQUIRE_PEERS=1 but ${name} is missing: ${reason}`);
  }
  return reason;
}
