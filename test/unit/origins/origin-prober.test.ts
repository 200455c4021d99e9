import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OriginProber } from '../../../src/origins/origin-prober.js';

// Argument checks only (no sockets): the probing itself is tested against real listeners in test/e2e.
describe('OriginProber arguments', () => {
  const noop = (): void => undefined;

  it('refuses a timeout not below the interval, a negative interval, and missesToDown < 1', () => {
    assert.throws(() => new OriginProber({ intervalMs: 1000, timeoutMs: 1000, missesToDown: 2 }, noop), RangeError);
    assert.throws(() => new OriginProber({ intervalMs: 1000, timeoutMs: 0, missesToDown: 2 }, noop), RangeError);
    assert.throws(() => new OriginProber({ intervalMs: -1, timeoutMs: 10, missesToDown: 2 }, noop), RangeError);
    assert.throws(() => new OriginProber({ intervalMs: 1000, timeoutMs: 500, missesToDown: 0 }, noop), RangeError);
  });

  it('interval 0 (off) accepts any timeout', () => {
    assert.doesNotThrow(() => new OriginProber({ intervalMs: 0, timeoutMs: 5000, missesToDown: 2 }, noop));
  });

  it('targets must be IP literals with a valid port', () => {
    const prober = new OriginProber({ intervalMs: 1000, timeoutMs: 500, missesToDown: 2 }, noop);
    assert.throws(() => prober.setTargets([{ id: 'a', host: 'srs-0.srs', port: 10080 }]), /not an IP literal/);
    assert.throws(() => prober.setTargets([{ id: 'a', host: '10.0.0.1', port: 0 }]), /out of range/);
    assert.throws(() => prober.setTargets([{ id: 'a', host: '10.0.0.1', port: 65536 }]), /out of range/);
    assert.doesNotThrow(() =>
      prober.setTargets([
        { id: 'a', host: '10.0.0.1', port: 10080 },
        { id: 'b', host: 'fd00::1', port: 10080 },
        { id: 'c', host: '::ffff:10.0.0.2', port: 10080 },
      ]),
    );
    assert.equal(prober.verdictOf('a'), undefined, 'no verdict before any round');
  });
});
