/**
 * native/src/srt_packet.c against src/srt/protocol, the reference: the same classification, ACK fields and NAK loss
 * count for every datagram (random bytes biased towards ACKs and NAKs, every length around the thresholds).
 * Needs the built addon and fails, naming what to install, without it.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { AckKind, emptyAckFields, readAck } from '../../../../../src/srt/protocol/ack.js';
import { countNakLoss } from '../../../../../src/srt/protocol/nak.js';
import {
  ControlType,
  HEADER_SIZE,
  controlTypeOf,
  destinationSocketIdOf,
  isControlPacket,
  isRetransmitted,
} from '../../../../../src/srt/protocol/packet-header.js';
import { loadNativeAddon } from '../../../../../src/srt/transport/native/load-native-data-path.js';

const MALFORMED = 0;
const HANDSHAKE_PATH = 1;
const DATA = 2;
const CONTROL = 3;

function datagram(): Buffer {
  const p = randomBytes(randomInt(0, 80));
  const shape = randomInt(0, 4);
  if (p.length >= 2 && shape === 0) p.writeUInt16BE(0x8000 | ControlType.ACK, 0);
  if (p.length >= 2 && shape === 1) p.writeUInt16BE(0x8000 | ControlType.NAK, 0);
  if (p.length >= HEADER_SIZE && shape === 2 && randomInt(0, 2) === 0) p.writeUInt32BE(0, 12);
  return p;
}

describe('srt_packet.c matches src/srt/protocol', () => {
  const addon = loadNativeAddon();
  const out = new Float64Array(13);

  it('on 100,000 random datagrams', () => {
    for (let n = 0; n < 100_000; n++) {
      const p = datagram();
      addon.classify(p, out);
      const what = `datagram ${p.toString('hex')}`;
      const header = p.length >= HEADER_SIZE;
      const dst = header ? destinationSocketIdOf(p) : 0;
      const control = header && dst !== 0 && isControlPacket(p);
      const data = header && dst !== 0 && !isControlPacket(p);
      assert.equal(out[0], !header ? MALFORMED : dst === 0 ? HANDSHAKE_PATH : control ? CONTROL : DATA, what);
      assert.equal(out[1], dst, what);
      assert.equal(out[2], control ? controlTypeOf(p) : 0, what);
      assert.equal(out[3], data && isRetransmitted(p) ? 1 : 0, what);
      assert.equal(out[4], countNakLoss(p), what);
      const fields = emptyAckFields();
      const kind = readAck(p, fields);
      assert.equal(out[5], kind, what);
      const expected = [
        fields.lastAckedSequence,
        fields.rttUs,
        fields.rttVarUs,
        fields.availableBufferPackets,
        fields.packetRate,
        fields.linkCapacityPackets,
        fields.byteRate,
      ];
      assert.deepEqual([...out.subarray(6)], expected, what);
    }
  });

  it('on every length of a full ACK and of a NAK with ranges, and on nothing', () => {
    const ack = Buffer.alloc(HEADER_SIZE + 28);
    ack.writeUInt16BE(0x8000 | ControlType.ACK, 0);
    ack.writeUInt32BE(7, 12);
    for (let i = HEADER_SIZE; i < ack.length; i += 4) ack.writeUInt32BE(i * 1000 + 1, i);
    const nak = Buffer.from('800300000000000000000000000000070000000a8000001400000019800000ff7fffff0500000001', 'hex');
    const kinds = new Set<number>();
    for (const whole of [ack, nak]) {
      for (let len = 0; len <= whole.length; len++) {
        const p = whole.subarray(0, len);
        addon.classify(p, out);
        assert.equal(out[4], countNakLoss(p), `${len} bytes`);
        const fields = emptyAckFields();
        assert.equal(out[5], readAck(p, fields), `${len} bytes`);
        assert.equal(out[6], fields.lastAckedSequence);
        assert.equal(out[12], fields.byteRate);
        kinds.add(out[5]!);
      }
    }
    assert.deepEqual([...kinds].sort(), [AckKind.MALFORMED, AckKind.LIGHT, AckKind.SMALL, AckKind.FULL]);
    addon.classify(new Uint8Array(0), out);
    assert.equal(out[0], MALFORMED);
  });
});
