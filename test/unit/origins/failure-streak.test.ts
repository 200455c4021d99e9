import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureStreak } from '../../../src/origins/failure-streak.js';

describe('FailureStreak', () => {
  it('reports down exactly on the failure that reaches the threshold', () => {
    const streak = new FailureStreak(3);
    assert.equal(streak.failure('a'), false);
    assert.equal(streak.isDown('a'), false);
    assert.equal(streak.failure('a'), false);
    assert.equal(streak.isDown('a'), false);
    assert.equal(streak.failuresOf('a'), 2);
    assert.equal(streak.failure('a'), true);
    assert.equal(streak.isDown('a'), true);
    assert.equal(streak.failure('a'), false, 'further failures are not a new transition');
    assert.equal(streak.isDown('a'), true);
    assert.equal(streak.failuresOf('a'), 3, 'the count stops at the threshold');
  });

  it('a success between failures resets the streak', () => {
    const streak = new FailureStreak(3);
    streak.failure('a');
    streak.failure('a');
    streak.success('a');
    assert.equal(streak.failuresOf('a'), 0);
    assert.equal(streak.failure('a'), false);
    assert.equal(streak.failure('a'), false);
    assert.equal(streak.isDown('a'), false);
    assert.equal(streak.failure('a'), true);
  });

  it('a success brings a down origin back', () => {
    const streak = new FailureStreak(2);
    streak.failure('a');
    assert.equal(streak.failure('a'), true);
    streak.success('a');
    assert.equal(streak.isDown('a'), false);
    assert.equal(streak.downSince('a'), undefined);
    assert.equal(streak.failure('a'), false);
    assert.equal(streak.failure('a'), true, 'down again after a fresh streak');
  });

  it('origins are counted separately', () => {
    const streak = new FailureStreak(2);
    streak.failure('a');
    streak.failure('b');
    assert.equal(streak.isDown('a'), false);
    assert.equal(streak.failure('a'), true);
    assert.equal(streak.isDown('b'), false);
    assert.equal(streak.failuresOf('b'), 1);
  });

  it('threshold 1: the first failure is enough', () => {
    const streak = new FailureStreak(1);
    assert.equal(streak.failure('a'), true);
    assert.equal(streak.isDown('a'), true);
  });

  it('records when the origin went down with the injected clock', () => {
    let now = 1000;
    const streak = new FailureStreak(2, () => now);
    streak.failure('a');
    assert.equal(streak.downSince('a'), undefined);
    now = 1500;
    streak.failure('a');
    assert.equal(streak.downSince('a'), 1500);
    now = 9000;
    streak.failure('a');
    assert.equal(streak.downSince('a'), 1500, 'later failures keep the first time');
  });

  it('forget drops the origin', () => {
    const streak = new FailureStreak(1);
    streak.failure('a');
    streak.forget('a');
    assert.equal(streak.isDown('a'), false);
    assert.equal(streak.failuresOf('a'), 0);
    assert.equal(streak.isDown('never-seen'), false);
  });

  it('refuses a threshold below 1 or not whole', () => {
    assert.throws(() => new FailureStreak(0), RangeError);
    assert.throws(() => new FailureStreak(2.5), RangeError);
    assert.throws(() => new FailureStreak(Number.NaN), RangeError);
  });
});
