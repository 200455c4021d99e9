import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControlType } from '../../../../src/srt/protocol/packet-header.js';
import { SessionTelemetry } from '../../../../src/srt/session/session-telemetry.js';

function fullAck(rttUs: number, byteRate: number): Buffer {
  const p = Buffer.alloc(44);
  p.writeUInt32BE(0x80020000, 0);
  p.writeUInt32BE(rttUs, 20);
  p.writeUInt32BE(rttUs / 10, 24);
  p.writeUInt32BE(8000, 28);
  p.writeUInt32BE(90, 32);
  p.writeUInt32BE(5000, 36);
  p.writeUInt32BE(byteRate, 40);
  return p;
}

function nakRange(first: number, last: number): Buffer {
  const p = Buffer.alloc(24);
  p.writeUInt32BE(0x80030000, 0);
  p.writeUInt32BE((0x80000000 | first) >>> 0, 16);
  p.writeUInt32BE(last, 20);
  return p;
}

describe('SessionTelemetry', () => {
  it("keeps each side's ACK and NAK figures apart and picks the data receiver as the headline", () => {
    const t = new SessionTelemetry();
    assert.equal(t.receiver, undefined);
    t.byOrigin.read(ControlType.ACK, fullAck(20_000, 125_000), 1000);
    t.byOrigin.read(ControlType.ACK, fullAck(21_000, 125_000), 1010);
    t.byOrigin.read(ControlType.NAK, nakRange(10, 14), 1020);
    t.byCaller.read(ControlType.ACK, fullAck(90_000, 10), 1030);
    t.byCaller.read(ControlType.KEEPALIVE, Buffer.alloc(20), 1040);
    assert.equal(t.receiver, t.byOrigin, 'the side with more full ACKs receives the data');
    assert.deepEqual([t.byOrigin.fullAcks, t.byOrigin.ack.rttUs, t.byOrigin.lastFullAckAt, t.byOrigin.naks, t.byOrigin.lossReported], [2, 21_000, 1010, 1, 5]);
    assert.deepEqual([t.byCaller.fullAcks, t.byCaller.ack.rttUs, t.byCaller.naks, t.byCaller.lossReported], [1, 90_000, 0, 0]);
  });

  it('counts light ACKs apart from full ones', () => {
    const t = new SessionTelemetry();
    const light = Buffer.alloc(20);
    light.writeUInt32BE(0x80020000, 0);
    t.byCaller.read(ControlType.ACK, light, 5);
    assert.deepEqual([t.byCaller.lightAcks, t.byCaller.fullAcks, t.byCaller.lastFullAckAt], [1, 0, 0]);
    assert.equal(t.receiver, undefined);
  });

  it('computes bitrate over the sampled window, oldest to newest, once the ring wraps', () => {
    const t = new SessionTelemetry();
    t.sample(0, 0, 0);
    assert.equal(t.bitrateFromCaller, 0, 'one sample is no rate');
    t.sample(500, 62_500, 1_000);
    assert.equal(t.bitrateFromCaller, 1_000_000);
    assert.equal(t.bitrateFromOrigin, 16_000);
    // 20 samples of 0.5 s: the window (9 samples = 4 s) covers only the last, faster part.
    for (let i = 2; i < 20; i++) t.sample(i * 500, 62_500 * (i < 10 ? i : 10 + 2 * (i - 10)), 1_000 * i);
    assert.equal(t.bitrateFromCaller, 2_000_000);
    assert.equal(t.bitrateFromOrigin, 16_000);
  });
});
