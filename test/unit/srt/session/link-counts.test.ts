import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addSessionCounts, noLinkCounts, sumLinkCounts, type LinkCountsSource } from '../../../../src/srt/session/link-counts.js';
import { SessionTelemetry } from '../../../../src/srt/session/session-telemetry.js';

/** A session that saw `lostByOrigin`/`lostByCaller` packets reported lost and sent 1000/2000 bytes a second each way. */
function session(options: { telemetry: boolean; lostByOrigin?: number; lostByCaller?: number }): LinkCountsSource {
  let telemetry: SessionTelemetry | undefined;
  if (options.telemetry) {
    telemetry = new SessionTelemetry();
    telemetry.byOrigin.lossReported = options.lostByOrigin ?? 0;
    telemetry.byCaller.lossReported = options.lostByCaller ?? 0;
    telemetry.sample(0, 0, 0);
    telemetry.sample(1000, 1000, 2000);
  }
  return { telemetry, retransmittedFromCaller: 3, retransmittedFromOrigin: 4 };
}

describe('link counts', () => {
  it('a live session adds its loss by direction, its retransmits and its bitrates', () => {
    const sum = noLinkCounts();
    addSessionCounts(sum, session({ telemetry: true, lostByOrigin: 5, lostByCaller: 6 }), true);
    addSessionCounts(sum, session({ telemetry: true, lostByOrigin: 1 }), true);
    assert.deepEqual(sum, {
      lostCallerToOrigin: 6,
      lostOriginToCaller: 6,
      retransmittedCallerToOrigin: 6,
      retransmittedOriginToCaller: 8,
      bitrateCallerToOrigin: 16_000,
      bitrateOriginToCaller: 32_000,
    });
  });

  it('an ended session adds no bitrate; one without telemetry only its retransmits', () => {
    const sum = noLinkCounts();
    addSessionCounts(sum, session({ telemetry: true, lostByOrigin: 2 }), false);
    addSessionCounts(sum, session({ telemetry: false }), true);
    assert.deepEqual(sum, {
      lostCallerToOrigin: 2,
      lostOriginToCaller: 0,
      retransmittedCallerToOrigin: 6,
      retransmittedOriginToCaller: 8,
      bitrateCallerToOrigin: 0,
      bitrateOriginToCaller: 0,
    });
  });

  it('two sums add figure by figure', () => {
    const a = { ...noLinkCounts(), lostCallerToOrigin: 1, bitrateOriginToCaller: 10 };
    const b = { ...noLinkCounts(), lostCallerToOrigin: 2, retransmittedOriginToCaller: 3, bitrateOriginToCaller: 5 };
    assert.deepEqual(sumLinkCounts(a, b), { ...noLinkCounts(), lostCallerToOrigin: 3, retransmittedOriginToCaller: 3, bitrateOriginToCaller: 15 });
  });
});
