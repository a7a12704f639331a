/**
 * The client acceptance suite (test/helpers/client-suite.ts: real JsSIP / SIP.js in Node and in
 * Chromium) against the reference WSS registrar/proxy: Kamailio 5.6 (startKamailio routing
 * 'registrar'). This proves the harnesses; sipwss runs the same suite with its own factory
 * (startReferenceServer() is the model: { url, domain, ca, users, log(), stop() }).
 *
 * Budget: Node tests 0.2–4.5 s each (JsSIP's ua.stop() waits 2 s for its un-REGISTER transaction and it
 * reconnects 2 s after a loss), browser calls 4–9 s each; ~45 s for the file.
 */
import { testPki } from '../helpers/certs.js';
import { clientAcceptanceSuite, type ServerUnderTest } from '../helpers/client-suite.js';
import { KAMAILIO_TEST_USERS, startKamailio } from '../helpers/kamailio.js';
import { missingPeer } from '../helpers/peers.js';

const skip = missingPeer('kamailio');

async function startReferenceServer(opts: { auth: boolean }): Promise<ServerUnderTest> {
  const pki = await testPki();
  const kam = await startKamailio({
    certFile: pki.files.serverCert,
    keyFile: pki.files.serverKey,
    routing: 'registrar',
    auth: opts.auth,
  });
  return {
    url: kam.url,
    domain: '127.0.0.1',
    ca: pki.ca.cert,
    users: opts.auth ? KAMAILIO_TEST_USERS : undefined,
    log: () => kam.log(),
    stop: () => kam.stop(),
  };
}

clientAcceptanceSuite({
  name: 'Kamailio (reference)',
  start: startReferenceServer,
  skip,
  skipBrowser: skip || missingPeer('chromium'),
});
