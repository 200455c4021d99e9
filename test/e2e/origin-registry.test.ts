/**
 * The origin registry on a real redis-server, two replicas' registries side by side: the real SRS heartbeat bodies
 * (srs-proxy-notes.md section 10) registered through one replica are routable on the other; heartbeat expiry and
 * probe verdicts are shared; an outage freezes expiry instead of emptying the origin list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisProvider } from '../../src/balancer/providers/redis.provider.js';
import { StickyBalancer } from '../../src/balancer/sticky-balancer.js';
import { RoundRobinStrategy } from '../../src/balancer/strategies/round-robin.strategy.js';
import { loadConfig } from '../../src/config/load-config.js';
import { parseHeartbeat } from '../../src/origins/heartbeat.js';
import { OriginRegistry } from '../../src/origins/origin-registry.js';
import { createRedisClient, whenReady, type RedisClient } from '../../src/redis/redis-client.js';
import { sleep } from '../support/process.js';
import { RedisServer } from '../support/redis-server.js';

const SRS_A = {
  device_id: 'srs-a', ip: '192.0.2.2', server: 'vid-64z89y9', service: '027kqm67', pid: '19929',
  rtmp: ['127.0.0.1:19350'], api: ['127.0.0.1:19850'], srt: ['udp://0.0.0.0:10090'],
};
const SRS_B = {
  device_id: 'srs-b', ip: '127.0.0.1', server: 'vid-o9t7407', service: '75040969', pid: '20869',
  rtmp: ['127.0.0.1:19351'], api: ['127.0.0.1:19851'], srt: ['udp://0.0.0.0:10091'],
};

describe('origin registry across replicas (real redis-server)', () => {
  let redis: RedisServer;
  const clients: RedisClient[] = [];
  let prefixes = 0;

  async function replica(prefix: string, env: Record<string, string> = {}): Promise<OriginRegistry> {
    const config = loadConfig({ ORIGINS: '', BALANCER_PROVIDER: 'redis', REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, ...env });
    const client = createRedisClient(config.redis);
    client.on('error', () => undefined);
    clients.push(client);
    assert.equal(await whenReady(client, 5000), true);
    const provider = new RedisProvider(client, prefix, { assignmentTtlMs: 10_000, originForgetMs: 60_000, probeDownTtlMs: 3000 });
    return new OriginRegistry(config, provider);
  }

  function register(registry: OriginRegistry, body: unknown): Promise<void> {
    const parsed = parseHeartbeat(body);
    assert.ok(parsed.ok, `heartbeat rejected: ${JSON.stringify(parsed)}`);
    return registry.register(parsed.value);
  }

  before(async () => {
    redis = await RedisServer.start();
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    if (redis.running) await redis.stop();
  });

  it('both real SRS heartbeat bodies registered on one replica are routable on the other', async () => {
    const prefix = `reg${++prefixes}`;
    const [r1, r2] = [await replica(prefix), await replica(prefix)];
    assert.deepEqual(r2.available(), [], 'ORIGINS= empty: registered origins only');
    await register(r1, SRS_A);
    await register(r1, SRS_B);
    await r2.sync();
    const ids = r2.available().map((o) => o.id).sort();
    assert.deepEqual(ids, ['127.0.0.1:10091', '192.0.2.2:10090'], 'the ip field and the srt port');
    const views = r2.views();
    assert.ok(views.every((v) => v.source === 'registered' && v.health === 'up' && v.lastHeartbeat !== null));
    assert.equal(views.find((v) => v.id === '192.0.2.2:10090')?.registration?.serverId, 'vid-64z89y9');
    const provider = new RedisProvider(clients.at(-1)!, prefix, { assignmentTtlMs: 10_000, originForgetMs: 60_000, probeDownTtlMs: 3000 });
    const balancer = new StickyBalancer(provider, new RoundRobinStrategy(), r2, { graceMs: 1000, keepAliveMs: 500 });
    const placed = await balancer.acquire('__defaultVhost__/live/registered');
    assert.ok(placed !== undefined && ids.includes(placed.id), `routed to ${placed?.id}`);
    assert.equal(placed.host, placed.id.startsWith('192') ? '192.0.2.2' : '127.0.0.1');
  });

  it('a registered origin whose heartbeats stop is down after ORIGIN_TTL_MS on every replica', async () => {
    const prefix = `reg${++prefixes}`;
    const [r1, r2] = [await replica(prefix, { ORIGIN_TTL_MS: '3000' }), await replica(prefix, { ORIGIN_TTL_MS: '3000' })];
    await register(r1, SRS_B);
    await r2.sync();
    assert.equal(r2.isAlive('127.0.0.1:10091'), true);
    await sleep(3500);
    await r2.sync();
    assert.equal(r2.isAlive('127.0.0.1:10091'), false);
    assert.deepEqual(r2.views()[0]?.reasons, ['heartbeat-expired']);
    await register(r1, SRS_B);
    await r2.sync();
    assert.equal(r2.isAlive('127.0.0.1:10091'), true, 'back with its next heartbeat');
  });

  it("one replica's probe verdict takes an origin out on all, and its first answer brings it back", async () => {
    const prefix = `reg${++prefixes}`;
    const [r1, r2] = [await replica(prefix), await replica(prefix)];
    await register(r1, SRS_A);
    await r2.sync();
    r1.onProbeVerdict('192.0.2.2:10090', 'down');
    await sleep(100);
    await r2.sync();
    assert.equal(r2.isAlive('192.0.2.2:10090'), false);
    assert.deepEqual(r2.views()[0]?.reasons, ['probe']);
    r1.onProbeVerdict('192.0.2.2:10090', 'up');
    await sleep(100);
    await r2.sync();
    assert.equal(r2.isAlive('192.0.2.2:10090'), true);
  });

  it('while Redis is down registered origins do not expire, and a heartbeat is refused (503 upstream)', async () => {
    const prefix = `reg${++prefixes}`;
    const r1 = await replica(prefix, { ORIGIN_TTL_MS: '1000' });
    await register(r1, SRS_B);
    await r1.sync();
    await redis.kill();
    try {
      await sleep(1300);
      await r1.sync();
      assert.equal(r1.isAlive('127.0.0.1:10091'), true, 'the last known set stays usable');
      await assert.rejects(register(r1, SRS_B));
    } finally {
      await redis.restart();
    }
  });
});
