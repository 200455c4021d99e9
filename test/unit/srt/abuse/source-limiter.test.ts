import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SourceLimiter } from '../../../../src/srt/abuse/source-limiter.js';

describe('SourceLimiter', () => {
  it('lets a quiet source make its burst at once, then refills at the rate', () => {
    const limiter = new SourceLimiter({ ratePerSecond: 10, burst: 5, capacity: 16 });
    for (let i = 0; i < 5; i++) assert.equal(limiter.tryTake('a', 1000), true, `take ${i}`);
    assert.equal(limiter.tryTake('a', 1000), false);
    assert.equal(limiter.tryTake('a', 1099), false, '0.99 token after 99 ms');
    assert.equal(limiter.tryTake('a', 1100), true, 'one token after 100 ms');
    assert.equal(limiter.tryTake('a', 1100), false);
    // A long pause refills to the burst, never beyond.
    for (let i = 0; i < 5; i++) assert.equal(limiter.tryTake('a', 60_000), true);
    assert.equal(limiter.tryTake('a', 60_000), false);
  });

  it('keeps sources apart', () => {
    const limiter = new SourceLimiter({ ratePerSecond: 1, burst: 1, capacity: 16 });
    assert.equal(limiter.tryTake('a', 0), true);
    assert.equal(limiter.tryTake('a', 0), false);
    assert.equal(limiter.tryTake('b', 0), true);
  });

  it('never tracks more sources than its capacity, however many it sees', () => {
    const limiter = new SourceLimiter({ ratePerSecond: 1, burst: 1, capacity: 1000 });
    for (let i = 0; i < 100_000; i++) limiter.tryTake(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, i);
    assert.equal(limiter.size, 1000);
  });

  it('spares a source that keeps hammering while one-off sources churn through the table', () => {
    const limiter = new SourceLimiter({ ratePerSecond: 0.001, burst: 2, capacity: 64 });
    assert.equal(limiter.tryTake('hammer', 0), true);
    assert.equal(limiter.tryTake('hammer', 0), true);
    // Every 16 one-off sources the hammering source tries again and is refused throughout: eviction would have
    // handed it a fresh burst.
    for (let block = 0; block < 625; block++) {
      for (let j = 0; j < 16; j++) limiter.tryTake(`one-off-${block * 16 + j}`, 1);
      assert.equal(limiter.tryTake('hammer', 1), false, `hammer admitted after ${(block + 1) * 16} one-offs`);
    }
  });

  it('refuses a configuration that could never admit anything', () => {
    assert.throws(() => new SourceLimiter({ ratePerSecond: 0, burst: 1, capacity: 1 }), RangeError);
    assert.throws(() => new SourceLimiter({ ratePerSecond: 1, burst: 0, capacity: 1 }), RangeError);
    assert.throws(() => new SourceLimiter({ ratePerSecond: 1, burst: 1, capacity: 0 }), RangeError);
  });
});
