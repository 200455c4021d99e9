import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHandshake, encodeHandshake, handshakeCookieOf, handshakeSocketIdOf, handshakeTypeOf, handshakeVersionOf, SRT_MAGIC_CODE, UDT_DGRAM, type Handshake } from '../../../../src/srt/protocol/handshake.js';
import { ExtensionType, streamIdOf, type HandshakeExtension } from '../../../../src/srt/protocol/handshake-extension.js';
import { HandshakeType, isRejectionType } from '../../../../src/srt/protocol/handshake-type.js';
import { ControlType, destinationSocketIdOf, readPacketHeader, timestampOf } from '../../../../src/srt/protocol/packet-header.js';
import { rejectionFromWire } from '../../../../src/srt/protocol/rejection-codes.js';
import { allPackets, capture, packet } from '../../../support/vectors.js';

function decoded(bytes: Buffer): Handshake {
  const result = decodeHandshake(bytes);
  if (!result.ok) assert.fail(`decode failed: ${result.error.code} ${result.error.message}`);
  return result.value;
}

function extension(hs: Handshake, type: number): HandshakeExtension {
  const found = hs.extensions.find((e) => e.type === type);
  assert.ok(found, `extension ${type} present`);
  return found;
}

function assertHsreq(hs: Handshake, type: number, receiver: number, sender: number): void {
  const ext = extension(hs, type);
  assert.equal(ext.kind, 'srt-handshake');
  if (ext.kind !== 'srt-handshake') return;
  assert.equal(ext.srtVersion, 0x10501);
  assert.equal(ext.srtFlags, 0xbf);
  assert.equal(ext.receiverTsbpdDelay, receiver);
  assert.equal(ext.senderTsbpdDelay, sender);
}

describe('golden vectors: every captured packet', () => {
  const packets = allPackets();

  it('has handshakes and shutdowns to check', () => {
    assert.ok(packets.filter((p) => p.kind === 'handshake').length >= 40);
    assert.ok(packets.filter((p) => p.kind === 'shutdown').length >= 6);
  });

  for (const p of packets) {
    it(`${p.capture}#${p.index} ${p.kind} ${p.from} -> ${p.to}`, () => {
      const header = readPacketHeader(p.bytes);
      assert.ok(header.ok);
      assert.equal(header.value.control, true);
      assert.equal(header.value.destinationSocketId, destinationSocketIdOf(p.bytes));
      assert.equal(header.value.timestamp, timestampOf(p.bytes));
      if (header.value.control !== true) return;
      if (p.kind === 'shutdown') {
        assert.equal(header.value.controlType, ControlType.SHUTDOWN);
        assert.equal(p.bytes.length, 20);
        assert.equal(decodeHandshake(p.bytes).ok, false);
        return;
      }
      assert.equal(header.value.controlType, ControlType.HANDSHAKE);
      const hs = decoded(p.bytes);
      assert.equal(hs.type, p.hsType);
      assert.equal(hs.type, handshakeTypeOf(p.bytes));
      assert.equal(hs.socketId, handshakeSocketIdOf(p.bytes));
      assert.equal(hs.cookie, handshakeCookieOf(p.bytes));
      assert.equal(hs.version, handshakeVersionOf(p.bytes));
      assert.equal(hs.peerAddress, '127.0.0.1');
      assert.equal(hs.mtu, 1500);
      assert.equal(hs.flowWindow, 8192);
      assert.ok(encodeHandshake(hs).equals(p.bytes), 're-encodes byte-exact');
      // Requests to a listener carry dst 0; everything sent back is addressed to the caller's socket.
      const fromCaller = hs.type === HandshakeType.INDUCTION ? hs.version === 4 : hs.extensions.some((e) => e.type === ExtensionType.HSREQ);
      if (fromCaller) assert.equal(hs.destinationSocketId, 0);
      else assert.notEqual(hs.destinationSocketId, 0);
      if (hs.type === HandshakeType.INDUCTION && hs.version === 4) {
        assert.equal(hs.extensionField, UDT_DGRAM);
        assert.equal(hs.cookie, 0);
        assert.equal(hs.extensions.length, 0);
      }
      if (hs.type === HandshakeType.INDUCTION && hs.version === 5) {
        assert.equal(hs.extensionField, SRT_MAGIC_CODE);
        assert.notEqual(hs.cookie, 0);
        assert.equal(hs.socketId, hs.destinationSocketId, 'libsrt echoes the caller socket id');
      }
    });
  }
});

describe('golden vectors: capture t1 (ffmpeg -> srt-live-transmit)', () => {
  const [induction, inductionResponse, conclusion, conclusionResponse] = capture('t1').slice(0, 4).map((p) => decoded(p.bytes));

  it('caller induction: v4, UDT_DGRAM, caller socket, no cookie', () => {
    assert.equal(induction.version, 4);
    assert.equal(induction.extensionField, 2);
    assert.equal(induction.type, HandshakeType.INDUCTION);
    assert.equal(induction.socketId, 0x0d888413);
    assert.equal(induction.cookie, 0);
    assert.equal(induction.destinationSocketId, 0);
    assert.equal(induction.initialSequenceNumber, 0x16243a2b);
    assert.equal(induction.timestamp, 0x240);
    assert.equal(induction.encryptionField, 0);
  });

  it('listener induction response: v5, magic, cookie, caller socket echoed', () => {
    assert.equal(inductionResponse.version, 5);
    assert.equal(inductionResponse.extensionField, 0x4a17);
    assert.equal(inductionResponse.cookie, 0xe274f51b);
    assert.equal(inductionResponse.destinationSocketId, 0x0d888413);
    assert.equal(inductionResponse.socketId, 0x0d888413);
  });

  it('caller conclusion: HSREQ + stream id', () => {
    assert.equal(conclusion.version, 5);
    assert.equal(conclusion.type, HandshakeType.CONCLUSION);
    assert.equal(conclusion.extensionField, 0x5);
    assert.equal(conclusion.cookie, 0xe274f51b);
    assert.equal(conclusion.destinationSocketId, 0);
    assert.deepEqual(conclusion.extensions.map((e) => e.type), [ExtensionType.HSREQ, ExtensionType.SID]);
    assertHsreq(conclusion, ExtensionType.HSREQ, 120, 0);
    assert.deepEqual(extension(conclusion, ExtensionType.SID), { kind: 'stream-id', type: 5, streamId: '#!::r=live/x,m=publish' });
    assert.equal(streamIdOf(conclusion), '#!::r=live/x,m=publish');
  });

  it('listener conclusion response: HSRSP, listener socket 0x09c40630', () => {
    assert.equal(conclusionResponse.socketId, 0x09c40630);
    assert.equal(conclusionResponse.destinationSocketId, 0x0d888413);
    assert.equal(conclusionResponse.cookie, 0xe274f51b);
    assert.equal(conclusionResponse.extensionField, 0x1);
    assertHsreq(conclusionResponse, ExtensionType.HSRSP, 120, 120);
    assert.equal(streamIdOf(conclusionResponse), undefined);
  });

  it('shutdown goes to the listener socket', () => {
    const shutdown = packet('t1', 4);
    const header = readPacketHeader(shutdown);
    assert.ok(header.ok && header.value.control);
    assert.equal(header.value.controlType, ControlType.SHUTDOWN);
    assert.equal(header.value.destinationSocketId, 0x09c40630);
    assert.equal(header.value.timestamp, 0x3d4c88);
  });
});

describe('golden vectors: other captures', () => {
  it('t12: player stream id with m=request, relayed byte-identical to the backend', () => {
    const caller = decoded(packet('t12', 2));
    const relayed = decoded(packet('t12', 5));
    assert.equal(streamIdOf(caller), '#!::r=live/x,m=request');
    assert.equal(streamIdOf(relayed), '#!::r=live/x,m=request');
    assert.equal(relayed.cookie, 0xdde21bcd);
    assert.equal(decoded(packet('t12', 6)).socketId, 0x2b542a12);
  });

  it('t14: rewritten stream id and KMREQ (type 3) kept opaque; KMRSP echoed', () => {
    const conclusion = decoded(packet('t14', 2));
    assert.equal(conclusion.extensionField, 0x7);
    assert.equal(streamIdOf(conclusion), '#!::r=live/x,m=publish,clientip=203.0.113.7');
    const km = extension(conclusion, ExtensionType.KMREQ);
    assert.equal(km.kind, 'opaque');
    if (km.kind === 'opaque') assert.equal(km.body.length, 14 * 4);
    const response = decoded(packet('t14', 3));
    const kmrsp = extension(response, ExtensionType.KMRSP);
    assert.ok(kmrsp.kind === 'opaque' && km.kind === 'opaque' && kmrsp.body.equals(km.body));
    assertHsreq(response, ExtensionType.HSRSP, 120, 120);
  });

  it('t15: live/y rejected with wire 2403 (SRT_REJX_FORBIDDEN)', () => {
    const conclusion = decoded(packet('t15', 7));
    assert.equal(streamIdOf(conclusion), '#!::r=live/y,m=publish');
    const reject = decoded(packet('t15', 8));
    assert.equal(reject.type, 2403);
    assert.ok(isRejectionType(reject.type));
    assert.deepEqual(rejectionFromWire(reject.type), { api: 1403, name: 'SRT_REJX_FORBIDDEN' });
    assert.equal(reject.destinationSocketId, 0x0325f366);
    assert.equal(reject.socketId, 0x0325f366);
    assert.equal(reject.extensions.length, 0);
  });

  it('t3: KMREQ conclusion answered by 1010 (SRT_REJ_BADSECRET)', () => {
    const conclusion = decoded(packet('t3', 2));
    assert.ok(conclusion.extensions.some((e) => e.type === ExtensionType.KMREQ && e.kind === 'opaque'));
    const reject = decoded(packet('t3', 3));
    assert.equal(reject.type, 1010);
    assert.ok(isRejectionType(reject.type));
    assert.deepEqual(rejectionFromWire(reject.type), { api: 10, name: 'SRT_REJ_BADSECRET' });
    assert.equal(reject.destinationSocketId, 0x1f534a25);
  });

  it('t2: twelve identical induction retransmissions apart from the timestamp', () => {
    const inductions = capture('t2').map((p) => decoded(p.bytes));
    assert.equal(inductions.length, 12);
    for (const hs of inductions) assert.deepEqual({ ...hs, timestamp: 0 }, { ...inductions[0], timestamp: 0 });
  });

  it('t4 and t18: stream ids decode', () => {
    assert.equal(streamIdOf(decoded(packet('t4', 2))), '#!::r=live/x,m=request');
    assert.equal(streamIdOf(decoded(packet('t18', 2))), '#!::r=live/x,m=publish');
  });
});
