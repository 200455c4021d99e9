import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeByStream, mergeCounts, mergeSnapshots, mergeStreamLinks, parseWorkerSessionId, workerSessionId } from '../../../src/workers/merge-views.js';
import type { ProxySnapshot } from '../../../src/srt/session/proxy-snapshot.js';
import type { StreamLinkFigures } from '../../../src/srt/session/stream-links.js';

function snapshot(n: number, extra: { live?: { mode: 'publish' | 'request'; origin: string; count: number }[]; draining?: boolean } = {}): ProxySnapshot {
  return {
    sessions: {
      live: extra.live ?? [],
      connected: n,
      handshaking: 1,
      opened: 10 * n,
      closed: 10 * n - n,
      connectedTotal: extra.live ?? [],
      endedTotal: new Map([['idle', n]]),
    },
    handshakes: { inductions: n, conclusions: n, repeatedConclusions: 0, accepted: n, rejected: new Map([[2402, n]]) },
    traffic: { packetsFromCaller: 100 * n, bytesFromCaller: 1, packetsFromOrigin: 2, bytesFromOrigin: 3, sessionDrops: 0, sendQueueDrops: 0, sendErrors: 0 },
    drops: { malformed: 0, unknownSession: n, foreignAddress: 0, badCookie: 0, unsupported: 0, originStray: 0, rateLimited: 0, handshakesShed: 0 },
    sources: { limiterSources: 1, cappedSources: 1, cachedRejections: 0, sourceCapped: 0, cachedRejectionsSent: 0 },
    errors: { send: 0, origin: 0, socket: 0 },
    originSockets: n,
    dataPath: 'js',
    draining: extra.draining ?? false,
    links: [],
    admission: { allowedByWebhook: n, allowedByRules: 0, deniedByRules: 0, deniedByWebhook: 0, errorsAllowed: 0, errorsDenied: 0, webhookCalls: 0, cacheHits: 0, sharedCalls: 0 },
    events: { posted: n, dropped: 0, failed: 0, queued: 0 },
  } as ProxySnapshot;
}

describe('merged views of the SRT workers', () => {
  it('snapshots: counts add up, labelled figures add up per label set, maps per key, a flag when any worker has it', () => {
    const a = snapshot(1, { live: [{ mode: 'publish', origin: 'o1', count: 1 }] });
    const b = snapshot(2, { live: [{ mode: 'publish', origin: 'o1', count: 2 }, { mode: 'request', origin: 'o1', count: 1 }], draining: true });
    const sum = mergeSnapshots([a, b]);
    assert.equal(sum.sessions.connected, 3);
    assert.equal(sum.sessions.opened, 30);
    assert.equal(sum.traffic.packetsFromCaller, 300);
    assert.equal(sum.drops.unknownSession, 3);
    assert.equal(sum.originSockets, 3);
    assert.equal(sum.draining, true);
    assert.equal(sum.dataPath, 'js');
    assert.equal(sum.admission.allowedByWebhook, 3);
    assert.equal(sum.events.posted, 3);
    assert.deepEqual(
      [...sum.sessions.live].sort((x, y) => x.mode.localeCompare(y.mode)),
      [{ mode: 'publish', origin: 'o1', count: 3 }, { mode: 'request', origin: 'o1', count: 1 }],
    );
    assert.deepEqual([...sum.handshakes.rejected], [[2402, 3]]);
    assert.deepEqual([...sum.sessions.endedTotal], [['idle', 3]]);
    assert.equal(a.sessions.connected, 1, 'the inputs are left alone');
  });

  it('one snapshot is itself; none is an error', () => {
    assert.equal(mergeSnapshots([snapshot(4)]).sessions.connected, 4);
    assert.throws(() => mergeSnapshots([]));
  });

  it('sessions per origin and per stream and mode', () => {
    assert.deepEqual([...mergeCounts([new Map([['o1', 1]]), new Map([['o1', 2], ['o2', 1]])])], [['o1', 3], ['o2', 1]]);
    const byStream = mergeByStream([new Map([['live/a', { publish: 1 }]]), new Map([['live/a', { request: 2 }], ['live/b', { request: 1 }]])]);
    assert.deepEqual(Object.fromEntries(byStream), { 'live/a': { publish: 1, request: 2 }, 'live/b': { request: 1 } });
  });

  it('stream links: one stream over two workers is one entry (worst RTT), then capped in key order', () => {
    const f = (streamKey: string, sessions: number, rtt: number | undefined): StreamLinkFigures => ({
      streamKey,
      mode: 'request',
      sessions,
      rttSeconds: rtt,
      lostCallerToOrigin: 1,
      lostOriginToCaller: 2,
      retransmittedCallerToOrigin: 3,
      retransmittedOriginToCaller: 4,
      bitrateCallerToOrigin: 5,
      bitrateOriginToCaller: 6,
    });
    const merged = mergeStreamLinks([[f('b', 1, 0.01), f('c', 1, undefined)], [f('b', 2, 0.03), f('a', 1, undefined)]], 2);
    assert.deepEqual(merged.streams.map((s) => [s.streamKey, s.sessions, s.rttSeconds, s.lostOriginToCaller, s.bitrateOriginToCaller]), [
      ['a', 1, undefined, 2, 6],
      ['b', 3, 0.03, 4, 12],
    ]);
    assert.equal(merged.omitted, 1);
  });

  it('session ids carry their worker and parse back', () => {
    assert.equal(workerSessionId(1, 's42'), 'w1-s42');
    assert.deepEqual(parseWorkerSessionId('w1-s42'), { worker: 1, id: 's42' });
    assert.equal(parseWorkerSessionId('s42'), undefined);
    assert.equal(parseWorkerSessionId('wx-s1'), undefined);
  });
});
