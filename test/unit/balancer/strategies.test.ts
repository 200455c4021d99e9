import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsistentHashStrategy } from '../../../src/balancer/strategies/consistent-hash.strategy.js';
import { LeastStreamsStrategy } from '../../../src/balancer/strategies/least-streams.strategy.js';
import { RandomStrategy } from '../../../src/balancer/strategies/random.strategy.js';
import { RoundRobinStrategy } from '../../../src/balancer/strategies/round-robin.strategy.js';
import { createStrategy } from '../../../src/balancer/strategies/strategy-registry.js';
import { BALANCER_STRATEGIES } from '../../../src/config/app-config.js';
import { origin } from './support.js';

const ORIGINS = [origin(1), origin(2), origin(3)];
const KEYS = Array.from({ length: 1000 }, (_, i) => `__defaultVhost__/live/s${i}`);

function spread(ids: string[]): number[] {
  return ORIGINS.map((o) => ids.filter((id) => id === o.id).length);
}

/** A seeded PRNG (mulberry32), so the random strategy's test is reproducible and never flaky. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('strategies over 1,000 keys and 3 origins', () => {
  it('random spreads within 15% of an even share (seeded)', () => {
    const s = new RandomStrategy(seeded(42));
    const counts = spread(KEYS.map((k) => s.choose(k, ORIGINS).id));
    for (const n of counts) assert.ok(Math.abs(n - 1000 / 3) < 50, `uneven: ${counts.join(', ')}`);
  });

  it('round-robin gives every origin its exact turn (333 or 334)', () => {
    const s = new RoundRobinStrategy();
    const counts = spread(KEYS.map((k) => s.choose(k, ORIGINS).id));
    for (const n of counts) assert.ok(n === 333 || n === 334, `uneven: ${counts.join(', ')}`);
  });

  it('consistent-hash spreads within 20% and moves about 1/N of the keys when an origin joins', () => {
    const s = new ConsistentHashStrategy();
    const before = KEYS.map((k) => s.choose(k, ORIGINS).id);
    for (const n of spread(before)) assert.ok(Math.abs(n - 1000 / 3) < 67, `uneven: ${spread(before).join(', ')}`);
    const joined = origin(4);
    const after = KEYS.map((k) => s.choose(k, [...ORIGINS, joined]).id);
    const moved = after.filter((id, i) => id !== before[i]);
    assert.ok(moved.every((id) => id === joined.id), 'a key moves only to the new origin');
    console.log(`consistent-hash: ${moved.length} of 1,000 keys moved when a 4th origin joined (ideal 250)`);
    assert.ok(moved.length > 200 && moved.length < 300, `${moved.length} moved`);
  });

  it('least-streams picks the least loaded, ties to the first', () => {
    const s = new LeastStreamsStrategy();
    const load = new Map<string, number>();
    for (const k of KEYS) {
      const o = s.choose(k, ORIGINS, load);
      load.set(o.id, (load.get(o.id) ?? 0) + 1);
    }
    assert.deepEqual(spread([...load].flatMap(([id, n]) => Array<string>(n).fill(id))), [334, 333, 333]);
    assert.equal(s.choose('k', ORIGINS, new Map([[ORIGINS[0]!.id, 5], [ORIGINS[1]!.id, 2], [ORIGINS[2]!.id, 9]])), ORIGINS[1]);
  });

  it('every configured name builds its strategy', () => {
    for (const name of BALANCER_STRATEGIES) assert.equal(createStrategy(name).name, name);
  });
});
