import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBalancer } from '../../../src/balancer/providers/memory-balancer.js';
import { ConsistentHashStrategy } from '../../../src/balancer/strategies/consistent-hash.strategy.js';
import { LeastStreamsStrategy } from '../../../src/balancer/strategies/least-streams.strategy.js';
import { RoundRobinStrategy } from '../../../src/balancer/strategies/round-robin.strategy.js';
import type { Origin } from '../../../src/origins/origin.js';

const A: Origin = { id: 'a:1', host: 'a', port: 1, source: 'a:1' };
const B: Origin = { id: 'b:1', host: 'b', port: 1, source: 'b:1' };

describe('MemoryBalancer', () => {
  it('keeps a stream on its origin while it has sessions, for publish and play alike', async () => {
    let now = 0;
    const balancer = new MemoryBalancer(new RoundRobinStrategy(), () => [A, B], 1000, () => now);
    assert.equal(await balancer.acquire('v/live/x'), A);
    assert.equal(await balancer.acquire('v/live/y'), B);
    assert.equal(await balancer.acquire('v/live/x'), A);
    assert.equal(await balancer.acquire('v/live/x'), A);
    // Two of x's three sessions end; long after the grace period x still has one, so it keeps its origin.
    balancer.release('v/live/x', A);
    balancer.release('v/live/x', A);
    balancer.release('v/live/y', B);
    now = 10_000;
    assert.equal(balancer.size, 1, 'y expired, x is held by its last session');
    assert.equal(await balancer.acquire('v/live/x'), A);
  });

  it('forgets an assignment a grace period after its last session', async () => {
    let now = 0;
    const balancer = new MemoryBalancer(new RoundRobinStrategy(), () => [A, B], 1000, () => now);
    await balancer.acquire('k1');
    now = 5000;
    assert.equal(balancer.size, 1, 'never expires while a session holds it');
    balancer.release('k1', A);
    now = 5999;
    assert.equal(balancer.size, 1);
    now = 6000;
    assert.equal(balancer.size, 0);
    assert.equal(await balancer.acquire('k1'), B, 'a fresh pick after expiry');
  });

  it('re-picks when the assigned origin is gone', async () => {
    let origins = [A, B];
    const balancer = new MemoryBalancer(new RoundRobinStrategy(), () => origins, 1000);
    assert.equal(await balancer.acquire('k'), A);
    origins = [B];
    assert.equal(await balancer.acquire('k'), B);
  });

  it('answers undefined when there is no origin', async () => {
    const balancer = new MemoryBalancer(new RoundRobinStrategy(), () => [], 1000);
    assert.equal(await balancer.acquire('k'), undefined);
    assert.equal(balancer.size, 0);
  });

  it('ignores releases it does not know: another key, another origin, or more than were acquired', async () => {
    let now = 0;
    const balancer = new MemoryBalancer(new RoundRobinStrategy(), () => [A, B], 1000, () => now);
    assert.equal(await balancer.acquire('k'), A);
    balancer.release('nope', A);
    balancer.release('k', B);
    now = 10_000;
    assert.equal(balancer.size, 1, 'the one real session still holds k');
    balancer.release('k', A);
    now = 10_500;
    balancer.release('k', A);
    now = 10_999;
    assert.equal(balancer.size, 1);
    now = 11_000;
    assert.equal(balancer.size, 0, 'a surplus release does not restart the grace period');
  });
});

describe('strategies', () => {
  it('least-streams picks the origin with fewest streams', () => {
    const s = new LeastStreamsStrategy();
    assert.equal(s.choose('k', [A, B], new Map([['a:1', 2], ['b:1', 1]])), B);
    assert.equal(s.choose('k', [A, B], new Map()), A);
  });

  it('consistent-hash is stable and moves only the keys of a removed origin', () => {
    const s = new ConsistentHashStrategy();
    const C: Origin = { id: 'c:1', host: 'c', port: 1, source: 'c:1' };
    const keys = Array.from({ length: 300 }, (_, i) => `v/live/s${i}`);
    const before = keys.map((k) => s.choose(k, [A, B, C]).id);
    assert.deepEqual(keys.map((k) => s.choose(k, [A, B, C]).id), before);
    const after = keys.map((k) => s.choose(k, [A, B]).id);
    keys.forEach((_, i) => {
      if (before[i] !== 'c:1') assert.equal(after[i], before[i]);
    });
    const share = before.filter((id) => id === 'a:1').length / keys.length;
    assert.ok(share > 0.2 && share < 0.47, `uneven spread: ${share}`);
  });
});
