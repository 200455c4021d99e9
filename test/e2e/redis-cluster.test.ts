/**
 * The redis provider on a real three-master Redis Cluster: every script is legal there (assignment scripts touch
 * one key; origin scripts only keys under the `{prefix}` hash tag), renewals of keys spread over every node go in
 * one batch, and claims from two clients agree. And through a real Sentinel.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisProvider } from '../../src/balancer/providers/redis.provider.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createRedisClient, whenReady, type RedisClient } from '../../src/redis/redis-client.js';
import { RedisCluster, RedisSentinel } from '../support/redis-cluster.js';
import { RedisServer } from '../support/redis-server.js';

const TIMINGS = { assignmentTtlMs: 5000, originForgetMs: 60_000, probeDownTtlMs: 2000 };

describe('redis provider on a real Redis Cluster', () => {
  let cluster: RedisCluster;
  const clients: RedisClient[] = [];

  async function provider(): Promise<RedisProvider> {
    const config = loadConfig({ BALANCER_PROVIDER: 'redis', REDIS_CLUSTER_NODES: cluster.nodes, REDIS_KEY_PREFIX: 'c' });
    assert.equal(config.redis.mode, 'cluster');
    const client = createRedisClient(config.redis);
    client.on('error', () => undefined);
    clients.push(client);
    assert.equal(await whenReady(client, 10_000), true, 'cluster client ready');
    return new RedisProvider(client, config.redis.keyPrefix, TIMINGS);
  }

  before(async () => {
    cluster = await RedisCluster.start();
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    await cluster.stop();
  });

  it('concurrent first claims agree; renewals over keys on every node; drop', async () => {
    const [p1, p2] = [await provider(), await provider()];
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? p1 : p2).claim('v/live/cluster', `10.0.0.${i}:1`)));
    assert.equal(new Set(claims.map((c) => c.owner)).size, 1);
    const keys = new Map(Array.from({ length: 200 }, (_, i) => [`v/live/k${i}`, 'a:1'] as const));
    assert.equal(await p1.keepAlive(keys), 0, '200 keys over three masters re-created in one batch');
    for (const key of ['v/live/k0', 'v/live/k77', 'v/live/k199']) assert.equal((await p2.claim(key, 'b:1')).owner, 'a:1');
    await p1.drop('v/live/k0', 'a:1');
    assert.equal((await p2.claim('v/live/k0', 'b:1')).owner, 'b:1');
  });

  it('registers origins and probe marks in one slot and reads them back in one script', async () => {
    const p = await provider();
    await p.register({ id: '10.0.0.9:10080', host: '10.0.0.9', port: 10080, serverId: 's', serviceId: 'v', pid: '1' });
    await p.reportProbe('10.0.0.8:10080', true);
    const snap = await p.snapshot();
    assert.deepEqual(snap.origins.map((o) => o.record.id), ['10.0.0.9:10080']);
    assert.deepEqual(snap.probeDown, ['10.0.0.8:10080']);
  });
});

describe('redis provider through a real Sentinel', () => {
  it('finds the master through the sentinel and claims there', async () => {
    const master = await RedisServer.start();
    const sentinel = await RedisSentinel.start(master, 'proxymaster');
    const config = loadConfig({
      BALANCER_PROVIDER: 'redis',
      REDIS_SENTINELS: `127.0.0.1:${sentinel.sentinelPort}`,
      REDIS_SENTINEL_MASTER: 'proxymaster',
      REDIS_KEY_PREFIX: 's',
    });
    assert.equal(config.redis.mode, 'sentinel');
    const client = createRedisClient(config.redis);
    client.on('error', () => undefined);
    try {
      assert.equal(await whenReady(client, 10_000), true, 'sentinel client ready');
      const p = new RedisProvider(client, config.redis.keyPrefix, TIMINGS);
      assert.equal((await p.claim('v/live/sentinel', 'a:1')).owner, 'a:1');
      assert.equal(await master.command('GET', 's:stream:v/live/sentinel'), 'a:1', 'written on the master');
    } finally {
      client.disconnect();
      await sentinel.stop();
      await master.stop();
    }
  });
});
