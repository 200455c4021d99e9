import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionCap } from '../../../../src/srt/abuse/session-cap.js';

describe('SessionCap', () => {
  it('admits up to the cap per source and frees a slot on close', () => {
    const cap = new SessionCap(2);
    assert.equal(cap.admits('a'), true);
    cap.opened('a');
    cap.opened('a');
    assert.equal(cap.admits('a'), false);
    assert.equal(cap.admits('b'), true, 'another source is unaffected');
    cap.closed('a');
    assert.equal(cap.admits('a'), true);
    assert.equal(cap.countOf('a'), 1);
  });

  it('forgets a source once its last session closes', () => {
    const cap = new SessionCap(3);
    cap.opened('a');
    cap.opened('b');
    assert.equal(cap.sources, 2);
    cap.closed('a');
    cap.closed('b');
    cap.closed('b'); // an extra close never goes negative
    assert.equal(cap.sources, 0);
    assert.equal(cap.countOf('b'), 0);
  });

  it('0 means no cap and no tracking', () => {
    const cap = new SessionCap(0);
    for (let i = 0; i < 100; i++) cap.opened('a');
    assert.equal(cap.admits('a'), true);
    assert.equal(cap.sources, 0);
    assert.equal(cap.enabled, false);
    assert.equal(new SessionCap(1).enabled, true);
  });
});
