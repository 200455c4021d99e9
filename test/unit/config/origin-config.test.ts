import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import { problemsOf } from '../../support/config-problems.js';

describe('loadConfig: origin probe, failure streak and registration', () => {
  it('defaults: probe every 2 s, 1 s timeout, 2 misses; 3 failures; no register token', () => {
    const config = loadConfig({});
    const { probeIntervalMs, probeTimeoutMs, probeMisses, failuresToDown } = config.originHealth;
    assert.deepEqual({ probeIntervalMs, probeTimeoutMs, probeMisses, failuresToDown }, { probeIntervalMs: 2000, probeTimeoutMs: 1000, probeMisses: 2, failuresToDown: 3 });
    assert.equal(config.registerToken, undefined);
  });

  it('reads the variables', () => {
    const config = loadConfig({
      ORIGIN_PROBE_INTERVAL_MS: '500',
      ORIGIN_PROBE_TIMEOUT_MS: '200',
      ORIGIN_PROBE_MISSES: '4',
      ORIGIN_FAILURES_TO_DOWN: '5',
      REGISTER_TOKEN: 'correct-horse-battery',
    });
    const { probeIntervalMs, probeTimeoutMs, probeMisses, failuresToDown } = config.originHealth;
    assert.deepEqual({ probeIntervalMs, probeTimeoutMs, probeMisses, failuresToDown }, { probeIntervalMs: 500, probeTimeoutMs: 200, probeMisses: 4, failuresToDown: 5 });
    assert.equal(config.registerToken, 'correct-horse-battery');
  });

  it('ORIGIN_PROBE_INTERVAL_MS=0 turns the probe off whatever the timeout', () => {
    assert.equal(loadConfig({ ORIGIN_PROBE_INTERVAL_MS: '0', ORIGIN_PROBE_TIMEOUT_MS: '5000' }).originHealth.probeIntervalMs, 0);
  });

  it('a timeout not below the interval stops start-up naming the timeout', () => {
    const problems = problemsOf({ ORIGIN_PROBE_INTERVAL_MS: '1000', ORIGIN_PROBE_TIMEOUT_MS: '1000' });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^invalid configuration: ORIGIN_PROBE_TIMEOUT_MS=1000: must be less than ORIGIN_PROBE_INTERVAL_MS \(1000\)/);
  });

  it('an interval between 1 and 99 ms is refused', () => {
    assert.match(problemsOf({ ORIGIN_PROBE_INTERVAL_MS: '10', ORIGIN_PROBE_TIMEOUT_MS: '50' })[0]!, /ORIGIN_PROBE_INTERVAL_MS=10: must be 0 \(probe off\) or at least 100/);
  });

  it('bad numbers, one line each', () => {
    const problems = problemsOf({ ORIGIN_PROBE_MISSES: '0', ORIGIN_FAILURES_TO_DOWN: 'three', ORIGIN_PROBE_TIMEOUT_MS: '-5' });
    assert.equal(problems.length, 3);
    assert.ok(problems.some((p) => /ORIGIN_PROBE_MISSES="0": must be at least 1/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /ORIGIN_FAILURES_TO_DOWN="three": expected a whole number/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /ORIGIN_PROBE_TIMEOUT_MS="-5"/.test(p)), problems.join('\n'));
  });

  it('a bad REGISTER_TOKEN is refused without echoing it', () => {
    for (const token of ['short', 'has a space in it']) {
      const [line] = problemsOf({ REGISTER_TOKEN: token });
      assert.match(line!, /^invalid configuration: REGISTER_TOKEN=<redacted>: /);
      assert.ok(!line!.includes(token), line);
    }
  });
});
