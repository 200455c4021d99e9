import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import { problemsOf } from '../../support/config-problems.js';

describe('cluster configuration', () => {
  it('ORIGINS unset keeps the embedded default; ORIGINS= empty means registered origins only', () => {
    assert.deepEqual(loadConfig({}).origins, [{ host: '127.0.0.1', port: 10080 }]);
    assert.deepEqual(loadConfig({ ORIGINS: '' }).origins, []);
  });

  it('chooses the provider: memory, static as its alias, redis, and the reference variable', () => {
    assert.equal(loadConfig({ BALANCER_PROVIDER: 'static' }).balancer.provider, 'memory');
    assert.equal(loadConfig({ BALANCER_PROVIDER: 'redis' }).balancer.provider, 'redis');
    assert.equal(loadConfig({ PROXY_LOAD_BALANCER_TYPE: 'redis' }).balancer.provider, 'redis');
  });

  it('reads REDIS_URL without keeping its password in the URL', () => {
    const redis = loadConfig({ REDIS_URL: 'rediss://:s3cret@cache.example:6380/2' }).redis;
    assert.equal(redis.mode, 'standalone');
    assert.equal(redis.tls, true);
    assert.equal(redis.password, 's3cret');
    assert.equal(redis.db, 2);
    assert.ok(!redis.url.includes('s3cret'), redis.url);
    assert.equal(redis.commandTimeoutMs, 300);
    assert.equal(redis.keyPrefix, 'srt-proxy');
  });

  it('takes the reference PROXY_REDIS_* variables and PROXY_REDIS_KEY_PREFIX as aliases', () => {
    const redis = loadConfig({
      PROXY_REDIS_HOST: '10.1.2.3',
      PROXY_REDIS_PORT: '6390',
      PROXY_REDIS_PASSWORD: 'pw',
      PROXY_REDIS_DB: '4',
      PROXY_REDIS_KEY_PREFIX: 'edge',
    }).redis;
    assert.equal(new URL(redis.url).host, '10.1.2.3:6390');
    assert.equal(redis.password, 'pw');
    assert.equal(redis.db, 4);
    assert.equal(redis.keyPrefix, 'edge');
  });

  it('selects Sentinel and Cluster modes from their variables', () => {
    const sentinel = loadConfig({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_MASTER: 'main' }).redis;
    assert.equal(sentinel.mode, 'sentinel');
    assert.deepEqual(sentinel.sentinels, [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }]);
    assert.equal(sentinel.sentinelMaster, 'main');
    const cluster = loadConfig({ REDIS_CLUSTER_NODES: 'n1:7000,n2:7001' }).redis;
    assert.equal(cluster.mode, 'cluster');
    assert.equal(cluster.clusterNodes.length, 2);
  });

  it('never prints a Redis password or a URL that may hold one', () => {
    const problems = problemsOf({ REDIS_URL: 'http://:hunter2@x', REDIS_PASSWORD: 'hunter2', REDIS_COMMAND_TIMEOUT_MS: 'x' });
    assert.ok(problems.some((p) => p.startsWith('invalid configuration: REDIS_URL=<redacted>:')), problems.join('\n'));
    assert.ok(problems.every((p) => !p.includes('hunter2')), problems.join('\n'));
  });

  it('ORIGIN_TTL_MS defaults to three heartbeat intervals; PROXY_ORIGIN_SERVER_TTL takes a Go duration', () => {
    assert.equal(loadConfig({}).originHealth.ttlMs, 30_000);
    assert.equal(loadConfig({ PROXY_ORIGIN_SERVER_TTL: '1m30s' }).originHealth.ttlMs, 90_000);
    assert.equal(loadConfig({ PROXY_ORIGIN_SERVER_TTL: '300s', ORIGIN_TTL_MS: '5000' }).originHealth.ttlMs, 5000);
    assert.match(problemsOf({ PROXY_ORIGIN_SERVER_TTL: 'soon' })[0]!, /^invalid configuration: PROXY_ORIGIN_SERVER_TTL="soon": expected a Go duration/);
    assert.match(problemsOf({ PROXY_ORIGIN_SERVER_TTL: '0s' })[0]!, /PROXY_ORIGIN_SERVER_TTL="0s": must be positive/);
  });

});
