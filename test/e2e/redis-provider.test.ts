/**
 * The redis provider against a real redis-server: atomic claims, compare-and-set moves, batched renewals that
 * re-create lost keys, the key schema, and failing fast (never hanging) while Redis is dead or frozen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisProvider } from '../../src/balancer/providers/redis.provider.js';
import { StickyBalancer } from '../../src/balancer/sticky-balancer.js';
import { ConsistentHashStrategy } from '../../src/balancer/strategies/consistent-hash.strategy.js';
import { RandomStrategy } from '../../src/balancer/strategies/random.strategy.js';
import { loadConfig } from '../../src/config/load-config.js';
import { OriginRegistry } from '../../src/origins/origin-registry.js';
import { createRedisClient, whenReady, type RedisClient } from '../../src/redis/redis-client.js';
import { waitFor } from '../support/process.js';
import { RedisServer } from '../support/redis-server.js';

const TIMINGS = { assignmentTtlMs: 5000, originForgetMs: 60_000, probeDownTtlMs: 2000 };

describe('redis provider (real redis-server)', () => {
  let redis: RedisServer;
  const clients: RedisClient[] = [];

  async function provider(prefix = 'test'): Promise<RedisProvider> {
    const client = createRedisClient(loadConfig({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix }).redis);
    client.on('error', () => undefined);
    clients.push(client);
    assert.equal(await whenReady(client, 5000), true, 'client connects');
    return new RedisProvider(client, prefix, TIMINGS);
  }

  before(async () => {
    redis = await RedisServer.start();
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    await redis.stop();
  });

  it('50 concurrent first claims of one key from two clients agree, and exactly one created it', async () => {
    const [p1, p2] = [await provider(), await provider()];
    const claims = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? p1 : p2).claim('v/live/race', `10.0.0.${i}:10080`)),
    );
    assert.equal(new Set(claims.map((c) => c.owner)).size, 1, JSON.stringify(claims.slice(0, 4)));
    assert.equal(claims.filter((c) => c.created).length, 1);
  });

  it('moves an assignment only from the owner it expects (compare-and-set)', async () => {
    const p = await provider();
    await p.claim('v/live/move', 'a:1');
    assert.equal(await p.reassign('v/live/move', 'a:1', 'b:1'), 'b:1');
    assert.equal(await p.reassign('v/live/move', 'a:1', 'c:1'), 'b:1', 'someone already moved it');
  });

  it('renews in one batch, re-creates what Redis lost, never overrides another owner', async () => {
    const p = await provider();
    await p.claim('v/live/k1', 'a:1');
    await p.claim('v/live/k2', 'a:1');
    await redis.command('FLUSHALL');
    await p.claim('v/live/k2', 'b:1'); // someone else claimed k2 after the loss
    const conflicts = await p.keepAlive(new Map([['v/live/k1', 'a:1'], ['v/live/k2', 'a:1']]));
    assert.equal(conflicts, 1);
    assert.equal(await redis.command('GET', 'test:stream:v/live/k1'), 'a:1', 're-created');
    assert.equal(await redis.command('GET', 'test:stream:v/live/k2'), 'b:1', 'left alone');
    const ttl = Number(await redis.command('PTTL', 'test:stream:v/live/k1'));
    assert.ok(ttl > 3000 && ttl <= 5000, `ttl ${ttl}`);
  });

  it('drops an assignment only if it is still the given owner', async () => {
    const p = await provider();
    await p.claim('v/live/d', 'a:1');
    await p.drop('v/live/d', 'b:1');
    assert.equal(await redis.command('EXISTS', 'test:stream:v/live/d'), 1);
    await p.drop('v/live/d', 'a:1');
    assert.equal(await redis.command('EXISTS', 'test:stream:v/live/d'), 0);
  });

  it('keeps registered origins and probe marks under the prefix, aged by the Redis clock', async () => {
    const p = await provider('schema');
    await p.register({ id: '127.0.0.1:10090', host: '127.0.0.1', port: 10090, serverId: 'vid-1', serviceId: 's1', pid: '42' });
    await p.reportProbe('127.0.0.1:10091', true);
    await p.claim('v/live/s', '127.0.0.1:10090');
    const keys = ((await redis.command('KEYS', '*schema*')) as string[]).sort();
    assert.deepEqual(keys, ['schema:stream:v/live/s', '{schema}:origin-seen', '{schema}:origins', '{schema}:probe-down']);
    const snap = await p.snapshot();
    assert.equal(snap.origins.length, 1);
    assert.equal(snap.origins[0]!.record.serverId, 'vid-1');
    assert.ok(snap.origins[0]!.ageMs >= 0 && snap.origins[0]!.ageMs < 5000, `age ${snap.origins[0]!.ageMs}`);
    assert.deepEqual(snap.probeDown, ['127.0.0.1:10091']);
    await p.reportProbe('127.0.0.1:10091', false);
    assert.deepEqual((await p.snapshot()).probeDown, []);
  });

  it('fails fast while Redis is dead or frozen, and recovers without a new client', async () => {
    const p = await provider();
    await p.claim('v/live/outage', 'a:1');
    redis.freeze();
    try {
      const t0 = performance.now();
      await assert.rejects(p.claim('v/live/outage', 'b:1'));
      const frozenMs = performance.now() - t0;
      console.log(`frozen Redis: claim rejected after ${frozenMs.toFixed(0)} ms`);
      assert.ok(frozenMs < 1000, `${frozenMs} ms`);
      assert.equal(p.status().reachable, false);
    } finally {
      redis.thaw();
    }
    await redis.kill();
    const t1 = performance.now();
    await assert.rejects(p.claim('v/live/outage', 'b:1'));
    const deadMs = performance.now() - t1;
    console.log(`dead Redis: claim rejected after ${deadMs.toFixed(0)} ms`);
    assert.ok(deadMs < 1000, `${deadMs} ms`);
    await redis.restart();
    const claim = await waitFor('the client to reconnect', async () => p.claim('v/live/outage', 'b:1'), 10_000, 100);
    assert.equal(claim.owner, 'b:1', 'Redis restarted empty');
    assert.equal(p.status().reachable, true);
  });

  it('with Redis dead, the balancer answers within 1 s by rendezvous hashing, then reconciles when it returns', async () => {
    const p = await provider('fallback');
    const config = loadConfig({ ORIGINS: '127.0.0.1:1001,127.0.0.2:1001,127.0.0.3:1001', BALANCER_PROVIDER: 'redis' });
    const registry = new OriginRegistry(config, p);
    const balancer = new StickyBalancer(p, new RandomStrategy(), registry, { graceMs: 30_000, keepAliveMs: 500 });
    await redis.kill();
    const t0 = performance.now();
    const placed = await balancer.acquire('v/live/during-outage');
    const ms = performance.now() - t0;
    console.log(`dead Redis: balancer answered in ${ms.toFixed(0)} ms (fallback ${placed?.id})`);
    assert.ok(ms < 1000, `${ms} ms`);
    const expected = new ConsistentHashStrategy().choose('v/live/during-outage', registry.available());
    assert.equal(placed?.id, expected.id, 'the placement every replica computes alike');
    assert.equal(balancer.stats().fallbacks, 1);
    assert.equal(balancer.assignments()[0]?.fallback, true);
    await redis.restart();
    await waitFor(
      'the fallback placement to be written to Redis',
      async () => {
        await balancer.keepAlive();
        return (await redis.command('GET', 'fallback:stream:v/live/during-outage')) === expected.id ? true : undefined;
      },
      10_000,
      200,
    );
    assert.equal(balancer.assignments()[0]?.fallback, false);
  });
});
