import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countsOnly, RetiredCounts } from '../../../src/workers/retired-counts.js';
import type { ProxySnapshot } from '../../../src/srt/session/proxy-snapshot.js';

/** A worker's snapshot: counters scale with `n`, gauges are `live` each. */
function snapshot(n: number, live: number): ProxySnapshot {
  return {
    sessions: {
      live: [{ mode: 'publish', origin: 'o1', count: live }],
      connected: live,
      handshaking: live,
      opened: 10 * n,
      closed: 9 * n,
      connectedTotal: [{ mode: 'publish', origin: 'o1', count: 5 * n }],
      endedTotal: new Map([['idle', n]]),
    },
    handshakes: { inductions: n, conclusions: n, repeatedConclusions: 0, accepted: n, rejected: new Map([[2402, n]]) },
    traffic: { packetsFromCaller: 100 * n, bytesFromCaller: 1000 * n, packetsFromOrigin: n, bytesFromOrigin: n, sessionDrops: 0, sendQueueDrops: 0, sendErrors: 0 },
    drops: { malformed: 0, unknownSession: n, foreignAddress: 0, badCookie: 0, unsupported: 0, originStray: 0, rateLimited: 0, handshakesShed: 0 },
    sources: { limiterSources: live, cappedSources: live, cachedRejections: live, sourceCapped: n, cachedRejectionsSent: n },
    errors: { send: 0, origin: 0, socket: n },
    originSockets: live,
    dataPath: 'native',
    draining: false,
    links: [{ mode: 'publish', origin: 'o1', lostCallerToOrigin: n, lostOriginToCaller: 0, retransmittedCallerToOrigin: n, retransmittedOriginToCaller: 0, bitrateCallerToOrigin: 1e6 * live, bitrateOriginToCaller: 1e3 * live }],
    admission: { allowedByWebhook: n, allowedByRules: 0, deniedByRules: 0, deniedByWebhook: 0, errorsAllowed: 0, errorsDenied: 0, webhookCalls: n, cacheHits: 0, sharedCalls: 0 },
    events: { posted: n, dropped: 0, failed: 0, queued: live },
  };
}

describe('RetiredCounts: merged worker counters never go backwards', () => {
  it('countsOnly zeroes what is live now and keeps what was counted', () => {
    const c = countsOnly(snapshot(3, 2));
    assert.deepEqual(c.sessions.live, []);
    assert.equal(c.sessions.connected, 0);
    assert.equal(c.sessions.handshaking, 0);
    assert.equal(c.originSockets, 0);
    assert.deepEqual([c.sources.limiterSources, c.sources.cappedSources, c.sources.cachedRejections], [0, 0, 0]);
    assert.equal(c.events.queued, 0);
    assert.deepEqual([c.links[0]!.bitrateCallerToOrigin, c.links[0]!.bitrateOriginToCaller], [0, 0]);
    assert.equal(c.sessions.opened, 30);
    assert.equal(c.traffic.packetsFromCaller, 300);
    assert.equal(c.links[0]!.lostCallerToOrigin, 3);
    assert.equal(c.sources.sourceCapped, 3);
    assert.equal(c.handshakes.rejected.get(2402), 3);
    assert.equal(c.sessions.endedTotal.get('idle'), 3);
  });

  it('a thread that exits keeps its counts in the totals; its replacement counts on top from zero', () => {
    const counts = new RetiredCounts<string>();
    const before = counts.merge([
      { thread: 'a', snapshot: snapshot(4, 1) },
      { thread: 'b', snapshot: snapshot(2, 1) },
    ]);
    assert.equal(before.traffic.packetsFromCaller, 600);
    assert.equal(before.sessions.connected, 2);
    counts.retire('a');
    const after = counts.merge([
      { thread: 'a2', snapshot: snapshot(0, 0) },
      { thread: 'b', snapshot: snapshot(3, 1) },
    ]);
    assert.equal(after.traffic.packetsFromCaller, 700, "a's 400 + b's 300 + a2's 0");
    assert.equal(after.handshakes.rejected.get(2402), 7);
    assert.equal(after.sessions.connected, 1, "a's live sessions are gone with it");
    assert.equal(after.originSockets, 1);
    assert.equal(after.links[0]!.bitrateCallerToOrigin, 1e6, 'only live bitrates');
    assert.equal(after.dataPath, 'native');
  });

  it('a thread that misses a round stands in with its last counts (and no gauges)', () => {
    const counts = new RetiredCounts<string>();
    counts.merge([
      { thread: 'a', snapshot: snapshot(4, 2) },
      { thread: 'b', snapshot: snapshot(2, 1) },
    ]);
    const missed = counts.merge([{ thread: 'b', snapshot: snapshot(2, 1) }]);
    assert.equal(missed.traffic.packetsFromCaller, 600);
    assert.equal(missed.sessions.connected, 1);
    // Retiring a thread that never answered, or twice, changes nothing.
    counts.retire('zz');
    counts.retire('a');
    counts.retire('a');
    assert.equal(counts.merge([{ thread: 'b', snapshot: snapshot(2, 1) }]).traffic.packetsFromCaller, 600);
  });

  it('no answer at all is an error, not an empty total', () => {
    assert.throws(() => new RetiredCounts<string>().merge([]), /no SRT worker answered/);
  });
});
