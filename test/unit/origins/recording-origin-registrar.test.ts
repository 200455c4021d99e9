import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordingOriginRegistrar } from '../../../src/origins/recording-origin-registrar.js';

const heartbeat = (serverId: string, port = 10080) => ({ serverId, serviceId: 's', pid: '1', ip: '10.0.0.1', srt: { host: '10.0.0.1', port } });

describe('RecordingOriginRegistrar (stand-in)', () => {
  it('keeps the latest heartbeat per server, most recently seen last', async () => {
    const registrar = new RecordingOriginRegistrar();
    await registrar.register(heartbeat('a', 1));
    await registrar.register(heartbeat('b', 2));
    await registrar.register(heartbeat('a', 3));
    assert.deepEqual(registrar.heartbeats().map((h) => [h.serverId, h.srt?.port]), [['b', 2], ['a', 3]]);
  });

  it('a flood of distinct servers is bounded at 1024, dropping the oldest', async () => {
    const registrar = new RecordingOriginRegistrar();
    for (let i = 0; i < 5000; i++) await registrar.register(heartbeat(`server-${i}`));
    const kept = registrar.heartbeats();
    assert.equal(kept.length, 1024);
    assert.equal(kept[0]!.serverId, 'server-3976');
    assert.equal(kept.at(-1)!.serverId, 'server-4999');
  });
});
