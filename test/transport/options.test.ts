import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CORE_TCP,
  PARAM_SPECS,
  PROTO_WS,
  PROTO_WSS,
  parseListen,
  resolveParams,
  Transport,
} from '../../src/transport/index.js';

describe('parameters and options', () => {
  test('defaults match the spec; OpenSIPS differences explained', () => {
    const p = resolveParams();
    assert.equal(p.ws_port, 80);
    assert.equal(p.wss_port, 443);
    assert.equal(p.wss_max_msg_chunks, 4);
    assert.equal(p.wss_resource, '/');
    assert.equal(p.wss_handshake_timeout, 100);
    assert.equal(p.wss_tls_handshake_timeout, 100);
    assert.equal(p.require_origin, 0);
    assert.equal(p.wss_max_msg_size, 65536);
    assert.equal(p.tcp_max_connections, 2048);
    assert.ok(p.tcp_connection_lifetime > 600);
    assert.ok(p.wss_tls_accept_timeout > 100);
    assert.ok(Object.isFrozen(p));
    for (const m of [PROTO_WS, PROTO_WSS, CORE_TCP]) {
      for (const s of m.params) {
        if (s.opensipsDefault !== undefined) assert.ok(s.differs, `${s.name} explains why it differs`);
        assert.ok(s.doc.length > 10);
      }
    }
    assert.equal(CORE_TCP.name, 'core');
  });

  test('unknown names, wrong types and out-of-range values are typed errors with exact messages', () => {
    assert.throws(() => resolveParams({ wss_max_msg_chunk: 3 }), {
      code: 'OPTION_UNKNOWN',
      message: 'unknown option: "wss_max_msg_chunk"',
    });
    assert.throws(() => resolveParams({ wss_max_msg_chunks: '8' }), {
      code: 'OPTION_TYPE',
      message: 'option has the wrong type: "wss_max_msg_chunks" must be an integer, got "8"',
    });
    assert.throws(() => resolveParams({ wss_max_msg_chunks: 0 }), {
      code: 'OPTION_RANGE',
      message: 'option out of range: "wss_max_msg_chunks" must be between 1 and 1024, got 0',
    });
    assert.throws(() => resolveParams({ require_origin: 2 }), { code: 'OPTION_RANGE' });
    assert.throws(() => resolveParams({ ws_resources: 5 }), { code: 'OPTION_TYPE' });
    assert.equal(resolveParams({ wss_max_msg_chunks: 8 }).wss_max_msg_chunks, 8);
    assert.ok(PARAM_SPECS.has('tcp_max_connections_per_ip'));
  });

  test('Transport.start refuses unknown option keys and wss without a provider', async () => {
    await assert.rejects(Transport.start({ listn: [] } as never), { code: 'OPTION_UNKNOWN' });
    await assert.rejects(Transport.start({ listen: ['wss:127.0.0.1:0'] }), { code: 'TLS_PROVIDER_MISSING' });
    await assert.rejects(Transport.start({ listen: ['tcp:127.0.0.1:0'] }), { code: 'LISTEN_INVALID' });
  });

  test('listen syntax', () => {
    assert.deepEqual(parseListen('wss:127.0.0.1:5061'), { proto: 'wss', host: '127.0.0.1', port: 5061 });
    assert.deepEqual(parseListen('ws:[::1]:0'), { proto: 'ws', host: '::1', port: 0 });
    assert.deepEqual(parseListen('wss:[::1]'), { proto: 'wss', host: '::1', port: undefined });
    assert.deepEqual(parseListen('ws:localhost'), { proto: 'ws', host: 'localhost', port: undefined });
    assert.deepEqual(parseListen({ proto: 'wss', host: '[::1]', port: 0 }), {
      proto: 'wss',
      host: '::1',
      port: 0,
    });
    for (const bad of ['udp:1.2.3.4', 'wss:', 'wss:1.2.3.4:70000', 'ws:[zz]:1', 'ws:::1:5']) {
      assert.throws(() => parseListen(bad), { code: 'LISTEN_INVALID' }, bad);
    }
  });

  test('a hostname listener is resolved at start', async () => {
    const t2 = await Transport.start({ listen: ['ws:localhost:0'] });
    assert.ok(['127.0.0.1', '::1'].includes(t2.listeners[0]!.address));
    assert.equal(t2.listeners[0]!.host, 'localhost');
    await t2.stop();
  });
});
