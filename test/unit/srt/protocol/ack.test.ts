import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ackNumberOf, AckKind, emptyAckFields, readAck } from '../../../../src/srt/protocol/ack.js';
import { ControlType, controlTypeOf, isControlPacket } from '../../../../src/srt/protocol/packet-header.js';

// Captured on loopback: srt-live-transmit 1.5.1 (listener, receiving) -> ffmpeg 5.1 (caller, publishing), the
// origin's first full ACK (ACK number 1) and the caller's ACKACK for it.
const FULL_ACK = Buffer.from('80020000000000010002ced1379f9b8111f180ab000186a00000c35000001ffe00000002000003e800000624', 'hex');
const ACKACK = Buffer.from('80060000000000010002e000180da77f00000000', 'hex');

function ack(cifWords: number[]): Buffer {
  const p = Buffer.alloc(16 + 4 * cifWords.length);
  p.writeUInt32BE(0x80020000, 0);
  p.writeUInt32BE(7, 4);
  cifWords.forEach((w, i) => p.writeUInt32BE(w >>> 0, 16 + 4 * i));
  return p;
}

describe('ACK', () => {
  it('reads a captured full ACK of libsrt 1.5.1 (44 bytes)', () => {
    assert.ok(isControlPacket(FULL_ACK));
    assert.equal(controlTypeOf(FULL_ACK), ControlType.ACK);
    const f = emptyAckFields();
    assert.equal(readAck(FULL_ACK, f), AckKind.FULL);
    assert.deepEqual(f, {
      lastAckedSequence: 0x11f180ab,
      // libsrt's initial RTT guess (100 ms, variance 50 ms) before the first ACKACK came back.
      rttUs: 100_000,
      rttVarUs: 50_000,
      availableBufferPackets: 8190,
      packetRate: 2,
      linkCapacityPackets: 1000,
      byteRate: 1572,
    });
    assert.equal(ackNumberOf(FULL_ACK), 1);
    assert.equal(controlTypeOf(ACKACK), ControlType.ACKACK);
    assert.equal(ackNumberOf(ACKACK), ackNumberOf(FULL_ACK), 'ACKACK echoes the ACK number');
  });

  it('a light ACK only moves the acknowledged sequence; other figures keep the last full ACK', () => {
    const f = emptyAckFields();
    readAck(FULL_ACK, f);
    assert.equal(readAck(ack([0x11f18100]), f), AckKind.LIGHT);
    assert.equal(f.lastAckedSequence, 0x11f18100);
    assert.equal(f.rttUs, 100_000);
    assert.equal(f.byteRate, 1572);
  });

  it('a small ACK (4 words) updates RTT and buffer but not the rates', () => {
    const f = emptyAckFields();
    readAck(FULL_ACK, f);
    assert.equal(readAck(ack([5, 20_000, 1_000, 4000]), f), AckKind.SMALL);
    assert.deepEqual([f.lastAckedSequence, f.rttUs, f.rttVarUs, f.availableBufferPackets, f.packetRate, f.byteRate], [5, 20_000, 1_000, 4000, 2, 1572]);
  });

  it("UDT4's full ACK without the byte rate reads as full with byte rate 0", () => {
    const f = emptyAckFields();
    assert.equal(readAck(ack([1, 2, 3, 4, 5, 6]), f), AckKind.FULL);
    assert.deepEqual([f.packetRate, f.linkCapacityPackets, f.byteRate], [5, 6, 0]);
  });

  it('ignores the top bit of the acknowledged sequence and rejects a CIF shorter than one word', () => {
    const f = emptyAckFields();
    assert.equal(readAck(ack([0xffffffff]), f), AckKind.LIGHT);
    assert.equal(f.lastAckedSequence, 0x7fffffff);
    const before = { ...f };
    assert.equal(readAck(Buffer.from('8002000000000001000000000000000000', 'hex'), f), AckKind.MALFORMED);
    assert.equal(readAck(Buffer.alloc(4), f), AckKind.MALFORMED);
    assert.deepEqual(f, before);
  });
});
