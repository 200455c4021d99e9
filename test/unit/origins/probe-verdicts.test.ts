import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProbeVerdicts } from '../../../src/origins/probe-verdicts.js';

describe('ProbeVerdicts', () => {
  it('no verdict before the first answer or the first full run of misses', () => {
    const v = new ProbeVerdicts(2);
    assert.equal(v.verdictOf('a'), undefined);
    assert.equal(v.missed('a'), undefined);
    assert.equal(v.verdictOf('a'), undefined);
  });

  it('the first answer is the first verdict: up, reported once', () => {
    const v = new ProbeVerdicts(2);
    assert.equal(v.answered('a'), 'up');
    assert.equal(v.answered('a'), undefined);
    assert.equal(v.verdictOf('a'), 'up');
  });

  it('missesToDown misses in a row: down, reported once; more misses change nothing', () => {
    const v = new ProbeVerdicts(3);
    v.answered('a');
    assert.equal(v.missed('a'), undefined);
    assert.equal(v.missed('a'), undefined);
    assert.equal(v.verdictOf('a'), 'up', 'still up after 2 of 3 misses');
    assert.equal(v.missed('a'), 'down');
    assert.equal(v.missed('a'), undefined);
    assert.equal(v.missesOf('a'), 3);
    assert.equal(v.verdictOf('a'), 'down');
  });

  it('an origin never heard from goes down after missesToDown misses (first verdict)', () => {
    const v = new ProbeVerdicts(2);
    v.missed('a');
    assert.equal(v.missed('a'), 'down');
  });

  it('an answer between misses restarts the count', () => {
    const v = new ProbeVerdicts(2);
    v.answered('a');
    v.missed('a');
    assert.equal(v.answered('a'), undefined);
    assert.equal(v.missesOf('a'), 0);
    assert.equal(v.missed('a'), undefined);
    assert.equal(v.verdictOf('a'), 'up');
  });

  it('one answer brings a down origin up', () => {
    const v = new ProbeVerdicts(1);
    assert.equal(v.missed('a'), 'down');
    assert.equal(v.answered('a'), 'up');
    assert.equal(v.missed('a'), 'down');
  });

  it('origins are independent; forget drops one', () => {
    const v = new ProbeVerdicts(1);
    v.missed('a');
    v.answered('b');
    assert.equal(v.verdictOf('a'), 'down');
    assert.equal(v.verdictOf('b'), 'up');
    v.forget('a');
    assert.equal(v.verdictOf('a'), undefined);
    assert.equal(v.missed('a'), 'down', 'a forgotten origin starts over');
  });

  it('refuses missesToDown below 1', () => {
    assert.throws(() => new ProbeVerdicts(0), RangeError);
    assert.throws(() => new ProbeVerdicts(1.5), RangeError);
  });
});
