import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countNakLoss } from '../../../../src/srt/protocol/nak.js';
import { ControlType, controlTypeOf, isRetransmitted } from '../../../../src/srt/protocol/packet-header.js';

// Captured on loopback with 5% of the caller's datagrams dropped: srt-live-transmit 1.5.1 reports one lost packet,
// and ffmpeg's retransmission of it (R flag set in byte 4: 0xe4 = PP 11, O 1, KK 00, R 1).
const NAK_ONE = Buffer.from('80030000000000000005af0a379f9b8111f180c3', 'hex');
const RETRANSMITTED_HEADER = Buffer.from('11f180c3e400001a0005ba86180da77f4741001f', 'hex');

function nak(words: number[]): Buffer {
  const p = Buffer.alloc(16 + 4 * words.length);
  p.writeUInt32BE(0x80030000, 0);
  words.forEach((w, i) => p.writeUInt32BE(w >>> 0, 16 + 4 * i));
  return p;
}

describe('NAK loss list', () => {
  it('counts the captured single-packet NAK as one', () => {
    assert.equal(controlTypeOf(NAK_ONE), ControlType.NAK);
    assert.equal(countNakLoss(NAK_ONE), 1);
  });

  it('counts ranges packet by packet and mixes them with singles', () => {
    assert.equal(countNakLoss(nak([0x80000000 | 100, 109])), 10);
    assert.equal(countNakLoss(nak([5, 0x80000000 | 100, 101, 7, 9])), 5);
  });

  it('counts a range that wraps past 2^31', () => {
    assert.equal(countNakLoss(nak([0x80000000 | 0x7ffffffe, 1])), 4);
  });

  it('counts a range start without its end as one, an absurd range as none, and ignores a partial word', () => {
    assert.equal(countNakLoss(nak([3, 0x80000000 | 10])), 2);
    assert.equal(countNakLoss(nak([0x80000000 | 10, 9])), 0, 'an end before its start would be 2^31 packets');
    assert.equal(countNakLoss(Buffer.concat([nak([1]), Buffer.from([0, 0, 0])])), 1);
    assert.equal(countNakLoss(nak([])), 0);
  });
});

describe('retransmitted flag', () => {
  it('reads the R bit of a captured retransmission and a fresh packet', () => {
    assert.equal(isRetransmitted(RETRANSMITTED_HEADER), true);
    const fresh = Buffer.from(RETRANSMITTED_HEADER);
    fresh[4] = 0xe0;
    assert.equal(isRetransmitted(fresh), false);
  });
});
