import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControlType } from '../../../../src/srt/protocol/packet-header.js';
import { copyReceiverCounters, SessionTelemetry } from '../../../../src/srt/session/session-telemetry.js';
import { emptyLinkCounters, emptyReceiverCounters, type ReceiverCounters } from '../../../../src/srt/transport/data-path.js';
import { countReceiverReport } from '../../../../src/srt/transport/receiver-reports.js';

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

describe('countReceiverReport', () => {
  it('reads ACKs and NAKs into the counters, and says which were full ACKs', () => {
    const c = emptyLinkCounters().byOrigin;
    assert.equal(countReceiverReport(ControlType.ACK, fullAck(20_000, 125_000), c), true);
    assert.equal(countReceiverReport(ControlType.ACK, fullAck(21_000, 125_000), c), true);
    assert.equal(countReceiverReport(ControlType.NAK, nakRange(10, 14), c), false);
    assert.equal(countReceiverReport(ControlType.KEEPALIVE, Buffer.alloc(20), c), false);
    assert.deepEqual([c.fullAcks, c.rttUs, c.rttVarUs, c.byteRate, c.naks, c.lossReported], [2, 21_000, 2_100, 125_000, 1, 5]);
  });

  it('counts light ACKs apart from full ones', () => {
    const c = emptyLinkCounters().byCaller;
    const light = Buffer.alloc(20);
    light.writeUInt32BE(0x80020000, 0);
    assert.equal(countReceiverReport(ControlType.ACK, light, c), false);
    assert.deepEqual([c.lightAcks, c.fullAcks], [1, 0]);
  });
});

describe('SessionTelemetry', () => {
  it("keeps each side's figures as read from the link and picks the data receiver as the headline", () => {
    const t = new SessionTelemetry();
    assert.equal(t.receiver, undefined);
    const link = emptyLinkCounters();
    countReceiverReport(ControlType.ACK, fullAck(20_000, 125_000), link.byOrigin);
    countReceiverReport(ControlType.ACK, fullAck(21_000, 125_000), link.byOrigin);
    countReceiverReport(ControlType.ACK, fullAck(90_000, 10), link.byCaller);
    t.absorb(link);
    assert.equal(t.receiver, t.byOrigin, 'the side with more full ACKs receives the data');
    assert.notEqual(t.byOrigin, link.byOrigin, 'a copy: the link counters are the reader\'s scratch');
    assert.deepEqual([t.byOrigin.fullAcks, t.byOrigin.rttUs, t.byCaller.fullAcks, t.byCaller.rttUs], [2, 21_000, 1, 90_000]);
  });

  it("samples the receiver's RTT once per new full ACK", () => {
    const t = new SessionTelemetry();
    const link = emptyLinkCounters();
    assert.equal(t.takeRttSample(), undefined, 'no full ACK yet');
    countReceiverReport(ControlType.ACK, fullAck(20_000, 1), link.byOrigin);
    t.absorb(link);
    assert.equal(t.takeRttSample(), 20_000);
    assert.equal(t.takeRttSample(), undefined, 'a silent receiver is not sampled again');
    countReceiverReport(ControlType.ACK, fullAck(30_000, 1), link.byOrigin);
    t.absorb(link);
    assert.equal(t.takeRttSample(), 30_000);
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

describe('copyReceiverCounters', () => {
  it('copies every field of ReceiverCounters', () => {
    const from = emptyReceiverCounters();
    let n = 1;
    for (const key of Object.keys(from) as (keyof ReceiverCounters)[]) from[key] = n++;
    const to = emptyReceiverCounters();
    copyReceiverCounters(from, to);
    assert.deepEqual(to, from);
    assert.ok(Object.keys(from).length >= 12);
  });
});

