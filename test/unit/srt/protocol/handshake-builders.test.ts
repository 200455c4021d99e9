import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildInductionResponse, buildOriginInduction, buildRejection, buildShutdown } from '../../../../src/srt/protocol/handshake-builders.js';
import { decodeHandshake, HANDSHAKE_PACKET_SIZE, type Handshake } from '../../../../src/srt/protocol/handshake.js';
import { patchHandshakeCookie } from '../../../../src/srt/protocol/handshake-patch.js';
import { HandshakeType } from '../../../../src/srt/protocol/handshake-type.js';
import { ProxyRejection } from '../../../../src/srt/protocol/rejection-codes.js';
import { allPackets, packet } from '../../../support/vectors.js';

function decoded(bytes: Buffer): Handshake {
  const result = decodeHandshake(bytes);
  if (!result.ok) assert.fail(`decode failed: ${result.error.code} ${result.error.message}`);
  return result.value;
}

/** The fields a libsrt caller acts on; timestamps differ between any two real peers. */
function essentials(hs: Handshake): Omit<Handshake, 'timestamp'> {
  const { timestamp: _timestamp, ...rest } = hs;
  return rest;
}

describe('buildInductionResponse', () => {
  it('matches the libsrt listener answer to t1 in everything but the timestamp', () => {
    const request = packet('t1', 0);
    const built = buildInductionResponse(request, 0xe274f51b);
    assert.ok(built.length <= request.length);
    assert.equal(built.length, HANDSHAKE_PACKET_SIZE);
    const real = decoded(packet('t1', 1));
    const ours = decoded(built);
    assert.deepEqual(essentials(ours), essentials(real));
    assert.equal(ours.version, 5);
    assert.equal(ours.extensionField, 0x4a17);
    assert.equal(ours.cookie, 0xe274f51b);
    assert.equal(ours.destinationSocketId, 0x0d888413);
    assert.equal(ours.socketId, 0x0d888413);
    assert.equal(ours.timestamp, 0x240, 'request timestamp reused');
  });

  it('is byte-identical to the prototype relay answers of t12 and t18 (which reused the timestamp too)', () => {
    assert.ok(buildInductionResponse(packet('t12', 0), 0xc53e6c19).equals(packet('t12', 1)));
    assert.ok(buildInductionResponse(packet('t18', 0), 0xe7f44bb1).equals(packet('t18', 1)));
  });

  it('drops request extensions and never answers with more bytes than it got', () => {
    const conclusion = packet('t14', 2);
    const built = buildInductionResponse(conclusion, 7);
    assert.equal(built.length, HANDSHAKE_PACKET_SIZE);
    assert.equal(decoded(built).extensions.length, 0);
  });

  it('does not modify the request', () => {
    const request = packet('t1', 0);
    const copy = Buffer.from(request);
    buildInductionResponse(request, 1);
    assert.ok(request.equals(copy));
  });
});

describe('buildOriginInduction', () => {
  it('is byte-identical to the induction the t12 and t18 relays sent to the backend', () => {
    assert.ok(buildOriginInduction(packet('t12', 2)).equals(packet('t12', 3)));
    assert.ok(buildOriginInduction(packet('t18', 2)).equals(packet('t18', 7)));
  });

  it('looks like a libsrt caller induction', () => {
    const hs = decoded(buildOriginInduction(packet('t14', 2)));
    assert.equal(hs.version, 4);
    assert.equal(hs.extensionField, 2);
    assert.equal(hs.encryptionField, 0);
    assert.equal(hs.type, HandshakeType.INDUCTION);
    assert.equal(hs.cookie, 0);
    assert.equal(hs.destinationSocketId, 0);
    assert.equal(hs.socketId, 0x161f46f4);
    assert.equal(hs.initialSequenceNumber, 0x7671a57b);
    assert.equal(hs.peerAddress, '127.0.0.1');
    assert.equal(hs.extensions.length, 0);
  });

  it('then patching the origin cookie into the caller conclusion reproduces the relayed t12 conclusion', () => {
    const conclusion = packet('t12', 2);
    patchHandshakeCookie(conclusion, 0xdde21bcd);
    assert.ok(conclusion.equals(packet('t12', 5)));
  });
});

describe('buildRejection', () => {
  it('matches libsrt 2403 reply of t15 in everything but the timestamp', () => {
    const built = buildRejection(packet('t15', 7), ProxyRejection.FORBIDDEN);
    const real = packet('t15', 8);
    assert.equal(built.length, real.length);
    assert.deepEqual(essentials(decoded(built)), essentials(decoded(real)));
    assert.ok(built.subarray(0, 8).equals(real.subarray(0, 8)));
    assert.ok(built.subarray(12).equals(real.subarray(12)));
  });

  it('t3 1010 differs only where libsrt had already created its socket (socket id) and the timestamp', () => {
    const built = decoded(buildRejection(packet('t3', 2), 1010));
    const real = decoded(packet('t3', 3));
    assert.deepEqual({ ...essentials(built), socketId: 0 }, { ...essentials(real), socketId: 0 });
    assert.equal(built.socketId, 0x1f534a25, 'our rejection echoes the caller socket id');
  });

  it('works on an induction too (64 bytes, dst = caller socket)', () => {
    const hs = decoded(buildRejection(packet('t1', 0), ProxyRejection.DOWN));
    assert.equal(hs.type, 2503);
    assert.equal(hs.destinationSocketId, 0x0d888413);
  });
});

describe('buildShutdown', () => {
  const shutdowns = allPackets().filter((p) => p.kind === 'shutdown');

  it('reproduces every captured shutdown from its dst and timestamp', () => {
    assert.ok(shutdowns.length >= 6);
    for (const s of shutdowns) {
      const built = buildShutdown(s.bytes.readUInt32BE(12), s.bytes.readUInt32BE(8));
      assert.ok(built.equals(s.bytes), `${s.capture}#${s.index}`);
    }
  });

  it('takes values modulo 2^32', () => {
    const built = buildShutdown(-1, 2 ** 32 + 5);
    assert.equal(built.readUInt32BE(12), 0xffffffff);
    assert.equal(built.readUInt32BE(8), 5);
  });
});
