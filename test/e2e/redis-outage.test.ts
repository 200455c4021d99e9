/**
 * Redis dies under two live replicas: the relayed stream loses nothing (no packet waits on Redis), new callers are
 * answered within 1 s, readiness stays up with the outage shown as degraded; Redis comes back empty: the live
 * stream's assignment is re-created from its sessions and a new player reaches that stream's origin.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { hostPort, httpGet } from '../support/net.js';
import { sleep, waitFor } from '../support/process.js';
import type { ProxyProcess } from '../support/proxy.js';
import { RedisServer } from '../support/redis-server.js';
import { requirePeers } from './support/peers.js';
import type { RawCaller } from './support/raw-caller.js';
import type { ScriptedOrigin } from '../support/scripted-origin.js';
import { e2eTest } from './support/scope.js';
import { sid, waitForSession } from './support/expect.js';

let redis: RedisServer;

before(async () => {
  requirePeers();
  redis = await RedisServer.start();
});

after(async () => {
  if (redis.running) await redis.stop();
});

function received(origin: ScriptedOrigin, marker: string): number {
  return origin.sessionPackets().filter((d) => d.packet.includes(marker)).length;
}

async function stream(caller: RawCaller, marker: string, packets: number, perMs: number): Promise<void> {
  // About 20 packets every 10 ms: 2,000 packets/s, steady, not a burst the socket buffers would have to absorb.
  for (let sent = 0; sent < packets && !caller.closed; sent += perMs) {
    caller.sendData(Math.min(perMs, packets - sent), marker);
    await sleep(10);
  }
  await caller.flush();
}

e2eTest(
  'Redis killed mid-stream: no loss, new callers answered within 1 s; restarted empty: routing recovers',
  async (scope) => {
    const origin4MiB = (): Promise<ScriptedOrigin> => scope.rawOrigin('127.0.0.1', undefined, 4 * 1024 * 1024);
    const rawOrigins = [await origin4MiB(), await origin4MiB(), await origin4MiB()];
    const origins = rawOrigins.map((o) => hostPort('127.0.0.1', o.port));
    const env = { BALANCER_PROVIDER: 'redis', REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'outage', SESSION_IDLE_TIMEOUT_MS: '120000' };
    const [p1, p2]: ProxyProcess[] = [
      await scope.proxy({ origins, strategy: 'random', env }),
      await scope.proxy({ origins, strategy: 'random', env }),
    ];

    const publisher = await scope.rawCaller();
    const hello = await publisher.connect({ host: '127.0.0.1', port: p1.srtPort, streamId: sid('live', 'publish') });
    assert.equal(hello.outcome, 'accepted');
    const session = await waitForSession(p1, 'live', 5000, (s) => s.state === 'connected');
    const origin = rawOrigins.find((o) => hostPort('127.0.0.1', o.port) === session.origin)!;
    const key = `outage:stream:${session.streamKey}`;
    assert.equal(await redis.command('GET', key), session.origin);

    const flowing = stream(publisher, 'MEDIA', 6000, 20); // 3 s of media, across the kill
    await sleep(500);
    await redis.kill();
    const killedAt = performance.now();

    // New callers while Redis is dead: a new stream on the other replica, and a player of the live stream.
    const fresh = await (await scope.rawCaller()).connect({ host: '127.0.0.1', port: p2.srtPort, streamId: sid('fresh', 'publish') });
    console.log(`outage: new stream answered ${fresh.outcome} in ${fresh.latencyMs.toFixed(0)} ms with Redis dead`);
    assert.equal(fresh.outcome, 'accepted', 'fallback placement');
    assert.ok(fresh.latencyMs < 1000, `${fresh.latencyMs.toFixed(0)} ms`);
    const sameReplica = await (await scope.rawCaller()).connect({ host: '127.0.0.1', port: p1.srtPort, streamId: sid('live', 'request') });
    assert.equal(sameReplica.outcome, 'accepted');
    assert.ok(sameReplica.latencyMs < 1000, `${sameReplica.latencyMs.toFixed(0)} ms`);
    const players = (await p1.sessions()).filter((s) => s.streamKey === session.streamKey);
    assert.ok(players.every((s) => s.origin === session.origin), 'the live stream stays on its origin');

    for (const p of [p1, p2]) {
      const ready = await httpGet<{ status: string; details: Record<string, Record<string, unknown>> }>(p.url('/readyz'));
      assert.equal(ready.status, 200, `readiness stays up: ${ready.text}`);
      assert.equal(ready.body.details.provider?.degraded, true, ready.text);
      const stats = await p.getJson<{ degraded: string[] }>('/api/v1/stats');
      assert.ok(stats.degraded.includes('provider redis unreachable'), JSON.stringify(stats.degraded));
      const metrics = await httpGet(p.url('/metrics'));
      assert.match(metrics.text, /^srt_proxy_provider_up 0$/m);
    }
    assert.match((await httpGet(p2.url('/metrics'))).text, /^srt_proxy_balancer_fallbacks_total 1$/m);

    await flowing;
    const got = await waitFor('every media packet at the origin', () => (received(origin, 'MEDIA') >= 6000 ? true : undefined), 5000).catch(
      () => false,
    );
    console.log(`outage: origin received ${received(origin, 'MEDIA')} of 6000 packets sent across the Redis kill`);
    assert.equal(got, true, `lost ${6000 - received(origin, 'MEDIA')} packets`);

    await redis.restart();
    const recovered = await waitFor('the live assignment re-created in the empty Redis', async () =>
      (await redis.command('GET', key)) === session.origin ? performance.now() : undefined, 15_000, 100);
    console.log(`outage: Redis restarted empty; live assignment back ${((recovered - killedAt) / 1000).toFixed(1)} s after the kill`);
    await waitFor('replica 2 to see Redis again', async () => {
      const s = await p2.getJson<{ degraded: string[] }>('/api/v1/stats');
      return s.degraded.length === 0 ? true : undefined;
    }, 10_000, 200);
    const player = await (await scope.rawCaller()).connect({ host: '127.0.0.1', port: p2.srtPort, streamId: sid('live', 'request') });
    assert.equal(player.outcome, 'accepted');
    const onP2 = (await p2.sessions()).filter((s) => s.streamKey === session.streamKey);
    assert.deepEqual(onP2.map((s) => s.origin), [session.origin], 'a new player on the other replica reaches the stream’s origin');
  },
  { timeout: 90_000 },
);
