import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryProvider } from '../../../src/balancer/providers/memory.provider.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { OriginRegistry } from '../../../src/origins/origin-registry.js';

const TIMINGS = { assignmentTtlMs: 10_000, originForgetMs: 600_000, probeDownTtlMs: 3000 };
const HEARTBEAT = { serverId: 'vid-1', serviceId: 's1', pid: '7', ip: '10.0.0.5', srt: { host: '10.0.0.5', port: 10080 } };

function registry(env: Record<string, string>, clock: () => number): OriginRegistry {
  return new OriginRegistry(loadConfig(env), new MemoryProvider(TIMINGS, clock), clock);
}

describe('OriginRegistry', () => {
  it('merges static and registered origins; a registered origin expires ORIGIN_TTL_MS after its last heartbeat', async () => {
    let now = 1_000_000;
    const r = registry({ ORIGINS: '127.0.0.1:10080', ORIGIN_TTL_MS: '30000' }, () => now);
    await r.register(HEARTBEAT);
    assert.deepEqual(r.available().map((o) => o.id), ['127.0.0.1:10080', '10.0.0.5:10080']);
    assert.deepEqual(r.views().map((v) => v.source), ['static', 'registered']);
    now += 30_001;
    assert.deepEqual(r.available().map((o) => o.id), ['127.0.0.1:10080']);
    assert.deepEqual(r.views()[1]?.reasons, ['heartbeat-expired']);
    assert.equal(r.all().length, 2, 'still listed, as down');
    await r.register(HEARTBEAT);
    assert.equal(r.isAlive('10.0.0.5:10080'), true);
  });

  it('ignores a heartbeat without an SRT endpoint (RTMP-only origin)', async () => {
    const r = registry({ ORIGINS: '' }, Date.now);
    await r.register({ serverId: 'x', serviceId: 'y', pid: '1', ip: '10.0.0.9' });
    assert.deepEqual(r.all(), []);
  });

  it('a probe verdict takes an origin out until the first answer', () => {
    const r = registry({ ORIGINS: '127.0.0.1:10080' }, Date.now);
    r.onProbeVerdict('127.0.0.1:10080', 'down');
    assert.deepEqual(r.available(), []);
    assert.deepEqual(r.views()[0]?.reasons, ['probe']);
    r.onProbeVerdict('127.0.0.1:10080', 'up');
    assert.equal(r.available().length, 1);
  });

  it('passive failures take an origin out for the cooldown only after the streak, then it is tried again', () => {
    let now = 0;
    const r = registry({ ORIGINS: '127.0.0.1:10080', ORIGIN_FAILURES_TO_DOWN: '2', ORIGIN_FAILURE_COOLDOWN_MS: '5000' }, () => now);
    const [origin] = r.all();
    r.reportFailure(origin!);
    assert.equal(r.isAlive(origin!.id), true);
    r.reportFailure(origin!);
    assert.equal(r.isAlive(origin!.id), false);
    now = 5000;
    assert.equal(r.isAlive(origin!.id), true, 'the cooldown is over');
    assert.equal(r.views()[0]?.consecutiveFailures, 0);
  });

  it('resolves an origin id it never heard of (another replica registered it) from its ip:port', () => {
    const r = registry({ ORIGINS: '' }, Date.now);
    assert.deepEqual(r.originOf('10.1.2.3:10080'), { id: '10.1.2.3:10080', host: '10.1.2.3', port: 10080, source: 'registered' });
    assert.equal(r.originOf('[::1]:9000')?.host, '::1');
    assert.equal(r.originOf('not-an-ip:1'), undefined);
    assert.equal(r.isAlive('10.1.2.3:10080'), true, 'no evidence against it');
  });

  it('a heartbeat taken while a sync reads an older snapshot is not dropped by that sync', async () => {
    let now = 1_000_000;
    const clock = (): number => now;
    const provider = new MemoryProvider(TIMINGS, clock);
    const snapshotBeforeHeartbeat = await provider.snapshot(); // empty: what Redis held when the sync asked
    let answer: (() => void) | undefined;
    provider.snapshot = () => new Promise((done) => (answer = () => done(snapshotBeforeHeartbeat)));
    const r = new OriginRegistry(loadConfig({ ORIGINS: '' }), provider, clock);
    const changes: number[] = [];
    r.onChange(() => changes.push(r.all().length));
    const syncing = r.sync();
    now += 5;
    await r.register(HEARTBEAT);
    answer!();
    await syncing;
    assert.deepEqual(r.available().map((o) => o.id), ['10.0.0.5:10080'], 'kept: registered after the snapshot was asked for');
    assert.deepEqual(changes, [1], 'one change: the registration');

    // The next sync's snapshot was asked for after the heartbeat: an origin missing from it is gone for good.
    now += 5;
    const next = r.sync();
    answer!();
    await next;
    assert.deepEqual(r.all(), []);
    assert.deepEqual(changes, [1, 0]);
  });
});
