import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControlType } from '../../../../src/srt/protocol/packet-header.js';
import { parseStreamId } from '../../../../src/srt/protocol/stream-id.js';
import { SessionTelemetry } from '../../../../src/srt/session/session-telemetry.js';
import { streamLinks, type LinkSource } from '../../../../src/srt/session/stream-links.js';
import { countReceiverReport } from '../../../../src/srt/transport/receiver-reports.js';

function fullAck(rttUs: number): Buffer {
  const p = Buffer.alloc(44);
  p.writeUInt32BE(0x80020000, 0);
  p.writeUInt32BE(rttUs, 20);
  return p;
}

function session(streamId: string, options: { rttUs?: number; byCaller?: boolean; retrans?: number; state?: LinkSource['state'] } = {}): LinkSource {
  const id = parseStreamId(streamId);
  assert.ok(id.ok);
  const telemetry = new SessionTelemetry();
  if (options.rttUs !== undefined) countReceiverReport(ControlType.ACK, fullAck(options.rttUs), options.byCaller ? telemetry.byCaller : telemetry.byOrigin);
  return { state: options.state ?? 'connected', streamId: id.value, telemetry, retransmittedFromCaller: options.retrans ?? 0, retransmittedFromOrigin: 0 };
}

describe('streamLinks', () => {
  it('groups by stream key and mode, takes the worst RTT, sums counts, skips sessions not connected', () => {
    const { streams, omitted } = streamLinks(
      [
        session('#!::r=live/a,m=publish', { rttUs: 20_000, retrans: 3 }),
        session('#!::r=live/a,m=request', { rttUs: 30_000, byCaller: true }),
        session('#!::r=live/a,m=request', { rttUs: 50_000, byCaller: true }),
        session('#!::r=live/a,m=request', { state: 'origin-induction' }),
        session('#!::r=live/b,m=request'),
      ],
      10,
    );
    assert.equal(omitted, 0);
    assert.deepEqual(
      streams.map((s) => [s.streamKey, s.mode, s.sessions, s.rttSeconds, s.retransmittedCallerToOrigin]),
      [
        [streams[0]!.streamKey, 'publish', 1, 0.02, 3],
        [streams[1]!.streamKey, 'request', 2, 0.05, 0],
        [streams[2]!.streamKey, 'request', 1, undefined, 0],
      ],
    );
    assert.ok(streams[0]!.streamKey.includes('live/a') && streams[2]!.streamKey.includes('live/b'));
  });

  it('keeps the first streams in key order and counts the rest as omitted', () => {
    const all = ['d', 'b', 'a', 'c'].map((n) => session(`#!::r=live/${n},m=publish`));
    const { streams, omitted } = streamLinks(all, 2);
    assert.deepEqual(streams.map((s) => s.streamKey.slice(-1)), ['a', 'b']);
    assert.equal(omitted, 2);
  });
});
