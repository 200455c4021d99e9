import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import { problemsOf } from '../../support/config-problems.js';

describe('WORKERS', () => {
  it('unset means automatic (the pod\'s CPUs, resolved at start-up); the public socket never reuses its port', () => {
    const config = loadConfig({});
    assert.equal(config.workers, undefined);
    assert.equal(config.srt.reusePort, false);
  });

  it('takes a whole number from 1 to 256', () => {
    assert.equal(loadConfig({ WORKERS: '1' }).workers, 1);
    assert.equal(loadConfig({ WORKERS: '4' }).workers, 4);
    assert.equal(loadConfig({ WORKERS: '256' }).workers, 256);
    assert.equal(loadConfig({ WORKERS: ' ' }).workers, undefined, 'blank is unset');
  });

  for (const bad of ['0', '257', '-1', '2.5', 'auto', 'two']) {
    it(`refuses WORKERS=${bad} with one line naming it`, () => {
      const problems = problemsOf({ WORKERS: bad });
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0]!, /^invalid configuration: WORKERS=/);
    });
  }
});
