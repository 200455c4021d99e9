import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import { describeRedis } from '../../../src/redis/redis-client.js';

describe('describeRedis', () => {
  it('names where the client connects and never the password', () => {
    const text = describeRedis(loadConfig({ REDIS_URL: 'redis://user:topsecret@10.0.0.7:6390/3' }).redis);
    assert.equal(text, 'redis://10.0.0.7:6390 db 3');
    assert.equal(describeRedis(loadConfig({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_PASSWORD: 'topsecret' }).redis), 'sentinel s1:26379 master mymaster');
    assert.equal(describeRedis(loadConfig({ REDIS_CLUSTER_NODES: 'n1:7000,n2:7000', REDIS_PASSWORD: 'topsecret' }).redis), 'cluster n1:7000,n2:7000');
  });
});
