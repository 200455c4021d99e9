import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { negativeCacheKey, NegativeCache } from '../../../../src/srt/abuse/negative-cache.js';

describe('NegativeCache', () => {
  it('replays a refusal until its time is up', () => {
    const cache = new NegativeCache({ ttlMs: 2000, capacity: 10 });
    const key = negativeCacheKey('192.0.2.1', 'cxyz');
    assert.equal(cache.lookup(key, 0), undefined);
    cache.remember(key, 2400, 'bad-stream-id', 1000);
    assert.equal(cache.lookup(key, 1000), 2400);
    assert.equal(cache.lookup(key, 2999), 2400);
    assert.equal(cache.lookup(key, 3000), undefined, 'expired');
    assert.equal(cache.size, 0, 'an expired entry is dropped when met');
  });

  it('takes any wire code with its reason (2403 from an admission hook, 2503 no origin) but never overload', () => {
    const cache = new NegativeCache({ ttlMs: 1000, capacity: 10 });
    cache.remember('a', 2403, 'forbidden', 0);
    cache.remember('b', 2503, 'no-origin', 0);
    cache.remember('c', 2402, 'max-sessions', 0);
    assert.equal(cache.lookup('a', 1), 2403);
    assert.equal(cache.lookup('b', 1), 2503);
    assert.equal(cache.lookup('c', 1), undefined);
  });

  it('keys on the caller address and the stream id apart', () => {
    assert.notEqual(negativeCacheKey('10.0.0.1', 'cx'), negativeCacheKey('10.0.0.2', 'cx'));
    assert.notEqual(negativeCacheKey('10.0.0.1', 'cx'), negativeCacheKey('10.0.0.1', 'cy'));
  });

  it('holds at most its capacity, dropping the oldest first', () => {
    const cache = new NegativeCache({ ttlMs: 60_000, capacity: 100 });
    for (let i = 0; i < 10_000; i++) cache.remember(`k${i}`, 2400, 'bad-stream-id', 0);
    assert.equal(cache.size, 100);
    assert.equal(cache.lookup('k0', 1), undefined);
    assert.equal(cache.lookup('k9999', 1), 2400);
  });

  it('0 ms turns it off', () => {
    const cache = new NegativeCache({ ttlMs: 0, capacity: 10 });
    cache.remember('a', 2400, 'bad-stream-id', 0);
    assert.equal(cache.enabled, false);
    assert.equal(cache.lookup('a', 0), undefined);
  });
});
