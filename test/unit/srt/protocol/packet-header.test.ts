import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControlType, controlTypeOf, destinationSocketIdOf, HEADER_SIZE, isControlPacket, readPacketHeader, timestampOf } from '../../../../src/srt/protocol/packet-header.js';
import { packet } from '../../../support/vectors.js';

describe('packet header', () => {
  it('control type constants match libsrt UDTMessageType', () => {
    assert.deepEqual(ControlType, {
      HANDSHAKE: 0, KEEPALIVE: 1, ACK: 2, NAK: 3, CONGESTION_WARNING: 4, SHUTDOWN: 5, ACKACK: 6, DROPREQ: 7, PEERERROR: 8, USER_DEFINED: 0x7fff,
    });
    assert.equal(HEADER_SIZE, 16);
  });

  it('reads a control header: UMSG_EXT KMREQ refresh with subtype and type-specific info', () => {
    const p = Buffer.from('ffff0003' + '0000002a' + '00001000' + '12345678', 'hex');
    assert.ok(isControlPacket(p));
    assert.equal(controlTypeOf(p), ControlType.USER_DEFINED);
    assert.equal(timestampOf(p), 0x1000);
    assert.equal(destinationSocketIdOf(p), 0x12345678);
    assert.deepEqual(readPacketHeader(p), {
      ok: true,
      value: { control: true, controlType: 0x7fff, subtype: 3, typeSpecificInfo: 42, timestamp: 0x1000, destinationSocketId: 0x12345678 },
    });
  });

  it('reads a data header: ffmpeg live packet (PP=11, O=1, KK=00, R=0) and a retransmitted odd-key one', () => {
    const single = Buffer.alloc(1332);
    single.writeUInt32BE(0x16243a2b, 0);
    single.writeUInt32BE(0xe0000001, 4);
    single.writeUInt32BE(31000, 8);
    single.writeUInt32BE(0x09c40630, 12);
    assert.ok(!isControlPacket(single));
    assert.deepEqual(readPacketHeader(single), {
      ok: true,
      value: {
        control: false, sequenceNumber: 0x16243a2b, packetPosition: 3, inOrder: true, encryptionKey: 0,
        retransmitted: false, messageNumber: 1, timestamp: 31000, destinationSocketId: 0x09c40630,
      },
    });
    const rexmit = Buffer.from('7fffffff' + '97ffffff' + '00000000' + '00000001', 'hex');
    const header = readPacketHeader(rexmit);
    assert.ok(header.ok && !header.value.control);
    assert.equal(header.value.sequenceNumber, 0x7fffffff);
    assert.equal(header.value.packetPosition, 2);
    assert.equal(header.value.inOrder, false);
    assert.equal(header.value.encryptionKey, 2);
    assert.equal(header.value.retransmitted, true);
    assert.equal(header.value.messageNumber, 0x3ffffff);
  });

  it('handshake and shutdown vectors', () => {
    const hs = packet('t1', 0);
    assert.ok(isControlPacket(hs));
    assert.equal(controlTypeOf(hs), ControlType.HANDSHAKE);
    assert.equal(destinationSocketIdOf(hs), 0);
    const shutdown = packet('t1', 4);
    assert.equal(controlTypeOf(shutdown), ControlType.SHUTDOWN);
    assert.equal(destinationSocketIdOf(shutdown), 0x09c40630);
  });

  it('is bounds-checked: fewer than 16 bytes is TRUNCATED, never a throw', () => {
    for (let n = 0; n < HEADER_SIZE; n++) {
      const result = readPacketHeader(Buffer.alloc(n, 0xff));
      assert.ok(!result.ok && result.error.code === 'TRUNCATED', `length ${n}`);
    }
    assert.ok(readPacketHeader(Buffer.alloc(16)).ok);
  });
});
