import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildInductionResponse, buildProbeInduction } from '../../../../src/srt/protocol/handshake-builders.js';
import { decodeHandshake, HANDSHAKE_PACKET_SIZE, UDT_DGRAM } from '../../../../src/srt/protocol/handshake.js';
import { HandshakeType } from '../../../../src/srt/protocol/handshake-type.js';
import { destinationSocketIdOf } from '../../../../src/srt/protocol/packet-header.js';

describe('buildProbeInduction', () => {
  it('is a libsrt caller INDUCTION: v4, UDT_DGRAM, cookie 0, dst 0, MTU 1500, window 8192', () => {
    const built = buildProbeInduction(0x0d888413, 0x12345678);
    assert.equal(built.length, HANDSHAKE_PACKET_SIZE);
    const decoded = decodeHandshake(built);
    assert.ok(decoded.ok, 'decodes');
    assert.deepEqual(decoded.value, {
      timestamp: 0,
      destinationSocketId: 0,
      typeSpecificInfo: 0,
      version: 4,
      encryptionField: 0,
      extensionField: UDT_DGRAM,
      initialSequenceNumber: 0x12345678,
      mtu: 1500,
      flowWindow: 8192,
      type: HandshakeType.INDUCTION,
      socketId: 0x0d888413,
      cookie: 0,
      peerAddress: '0.0.0.0',
      extensions: [],
    });
  });

  it('has the bytes of the INDUCTION in srt-protocol-notes section 2.3 (caller 0x0d888413), ISN and peer aside', () => {
    const hex = buildProbeInduction(0x0d888413, 0).toString('hex');
    assert.equal(hex.slice(0, 32), '80000000000000000000000000000000', 'header: control handshake, ts 0, dst 0');
    assert.equal(hex.slice(32, 48), '0000000400000002', 'version 4, enc 0, ext UDT_DGRAM');
    assert.equal(hex.slice(56, 96), '000005dc00002000000000010d88841300000000', 'MTU, window, INDUCTION, socket id, cookie 0');
  });

  it('keeps the sequence number within 31 bits', () => {
    const decoded = decodeHandshake(buildProbeInduction(1, 0xffffffff));
    assert.ok(decoded.ok);
    assert.equal(decoded.value.initialSequenceNumber, 0x7fffffff);
  });

  it('a listener answer to it (the proxy\'s own builder) is addressed to the probe\'s socket id', () => {
    const answer = buildInductionResponse(buildProbeInduction(0x2468ace, 7), 0xcafe);
    assert.equal(destinationSocketIdOf(answer), 0x2468ace);
    const decoded = decodeHandshake(answer);
    assert.ok(decoded.ok);
    assert.equal(decoded.value.type, HandshakeType.INDUCTION);
    assert.equal(decoded.value.version, 5);
  });
});
