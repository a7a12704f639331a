import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SipwssError } from '../../src/errors.js';
import { Transport } from '../../src/transport/index.js';
import { testPki } from '../helpers/certs.js';
import { RawWsClient } from '../helpers/raw-ws-client.js';
import { staticServerTls } from '../helpers/static-tls.js';
import { next } from './util.js';

describe('wss listener and the TLS provider', () => {
  test('reload (provider.onReload or reloadTls) keeps serving new and existing connections', async () => {
    const ca = (await testPki()).ca.cert;
    const provider = await staticServerTls();
    const t = await Transport.start({ listen: ['wss:127.0.0.1:0'], tls: provider });
    try {
      const port = t.listeners[0]!.port;
      const before = await RawWsClient.open({ port, tls: { ca } });
      provider.reload();
      t.reloadTls();
      const after = await RawWsClient.open({ port, tls: { ca } });
      before.sendText('\r\n\r\n');
      after.sendText('\r\n\r\n');
      assert.equal((await before.next())?.payload.toString(), '\r\n');
      assert.equal((await after.next())?.payload.toString(), '\r\n');
      const infos = t.connections();
      assert.equal(infos.length, 2);
      for (const i of infos) {
        assert.equal(i.transport, 'WSS');
        assert.equal(i.tls?.verified, false);
        assert.equal(i.tls?.servername, 'localhost');
      }
      before.destroy();
      after.destroy();
    } finally {
      await t.stop();
    }
  });

  test('checkPeer refusing the peer closes the connection before the upgrade', async () => {
    const ca = (await testPki()).ca.cert;
    const base = await staticServerTls();
    const t = await Transport.start({
      listen: ['wss:127.0.0.1:0'],
      tls: {
        serverOptions: base.serverOptions,
        checkPeer: () => new SipwssError('TLS_NO_CERT', 'no certificate'),
      },
    });
    try {
      const c = await RawWsClient.connect({ port: t.listeners[0]!.port, tls: { ca } });
      assert.ok(await c.waitClosed());
      assert.equal(t.connections().length, 0);
    } finally {
      await t.stop();
    }
  });

  test('open and close events carry the connection and the reason', async () => {
    const t = await Transport.start({ listen: ['ws:127.0.0.1:0'] });
    try {
      const opened = next(t, 'connection');
      const c = await RawWsClient.open({ port: t.listeners[0]!.port, path: '/ws' });
      const [info] = await opened;
      assert.equal(info.resource, '/ws');
      assert.equal(info.state, 'open');
      const closed = next(t, 'close');
      c.destroy();
      const [ci, reason] = await closed;
      assert.equal(ci.id, info.id);
      assert.equal(ci.state, 'closed');
      assert.equal(reason.kind, 'peer-gone');
      assert.equal(t.close(info.id), false);
    } finally {
      await t.stop();
    }
  });
});
