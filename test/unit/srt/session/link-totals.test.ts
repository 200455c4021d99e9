import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinkTotals } from '../../../../src/srt/session/link-totals.js';
import type { Session } from '../../../../src/srt/session/session.js';

/** What LinkTotals reads of a session, telemetry off: retransmissions by sender only. */
function session(mode: 'publish' | 'request', origin: string, state: Session['state'], retransmitted: number): Session {
  return {
    streamId: { mode },
    origin: { id: origin },
    state,
    retransmittedFromCaller: retransmitted,
    retransmittedFromOrigin: 2 * retransmitted,
    telemetry: undefined,
  } as unknown as Session;
}

describe('LinkTotals', () => {
  it('sums ended sessions by mode and origin, reports pairs in the order they first ended, and adds live ones', () => {
    const totals = new LinkTotals();
    totals.addEnded(session('request', 'o2', 'closed', 1));
    totals.addEnded(session('publish', 'o1', 'closed', 10));
    totals.addEnded(session('request', 'o2', 'closed', 3));
    totals.addEnded(session('request', 'o1', 'closed', 0));
    // Not closed yet: not an ended session.
    totals.addEnded(session('publish', 'o1', 'connected', 100));
    const pick = (f: { mode: string; origin: string; retransmittedCallerToOrigin: number; retransmittedOriginToCaller: number }) => [
      f.mode,
      f.origin,
      f.retransmittedCallerToOrigin,
      f.retransmittedOriginToCaller,
    ];
    assert.deepEqual(totals.collect([]).map(pick), [
      ['request', 'o2', 4, 8],
      ['publish', 'o1', 10, 20],
      ['request', 'o1', 0, 0],
    ]);
    const live = [session('publish', 'o1', 'connected', 5), session('publish', 'o3', 'connected', 7), session('request', 'o2', 'origin-induction', 9)];
    assert.deepEqual(totals.collect(live).map(pick), [
      ['request', 'o2', 4, 8],
      ['publish', 'o1', 15, 30],
      ['request', 'o1', 0, 0],
      ['publish', 'o3', 7, 14],
    ]);
    // collect() works on copies: the ended sums are what they were.
    assert.deepEqual(totals.collect([]).map(pick), [
      ['request', 'o2', 4, 8],
      ['publish', 'o1', 10, 20],
      ['request', 'o1', 0, 0],
    ]);
  });
});
