import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHandshake, encodeHandshake, ExtensionFlag, type Handshake } from '../../../../src/srt/protocol/handshake.js';
import { ExtensionType, streamIdOf, type HandshakeExtension } from '../../../../src/srt/protocol/handshake-extension.js';
import { HandshakeType } from '../../../../src/srt/protocol/handshake-type.js';
import { encodeStreamIdWords } from '../../../../src/srt/protocol/stream-id-words.js';
import { createRng, type Rng } from './prng.js';

const SEED = 0x5e7_2026;
const CASES = 6000;

// Code points by UTF-8 width, NUL excluded (it cannot survive the wire).
const ONE_BYTE = [...'#!:=,/?&-_.~ abcXYZ019'];
const TWO_BYTES = [...'éßñøÅдж'];
const THREE_BYTES = [...'流媒体直播€'];
const FOUR_BYTES = ['😀', '🎥', '𝄞'];

function randomStreamId(rng: Rng): string {
  const budget = rng.int(1, 512);
  let text = '';
  let used = 0;
  while (used < budget) {
    const room = budget - used;
    const width = rng.int(1, Math.min(4, room));
    const pool = [ONE_BYTE, TWO_BYTES, THREE_BYTES, FOUR_BYTES][width - 1];
    text += rng.pick(pool);
    used += width;
  }
  return text;
}

/** Canonical (RFC 5952 / WHATWG) IPv6 text, computed independently of the codec. */
function canonicalIpv6(groups: number[]): string {
  return new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1);
}

function randomPeerAddress(rng: Rng): string {
  if (rng.bool()) return [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)].join('.');
  // Mostly-zero groups exercise '::' compression; words 1..3 must not all be zero (that reads as IPv4).
  for (;;) {
    const groups = Array.from({ length: 8 }, () => (rng.int(0, 2) === 0 ? rng.int(0, 0xffff) : 0));
    if (groups.slice(2).some((g) => g !== 0)) return canonicalIpv6(groups);
  }
}

function randomOpaque(rng: Rng): HandshakeExtension {
  const kind = rng.int(0, 3);
  if (kind === 0) return { kind: 'opaque', type: ExtensionType.KMREQ, body: rng.bytes(4 * rng.pick([14, 16, 18])) };
  if (kind === 1) return { kind: 'opaque', type: ExtensionType.KMRSP, body: rng.bytes(4) };
  if (kind === 2) return { kind: 'opaque', type: rng.pick([6, 7, 8, 9, 0x1234, 0xffff, 0]), body: rng.bytes(4 * rng.int(0, 8)) };
  // An HSREQ that is not 3 words stays opaque.
  return { kind: 'opaque', type: ExtensionType.HSREQ, body: rng.bytes(4 * rng.pick([0, 1, 2, 4])) };
}

function randomExtensions(rng: Rng): HandshakeExtension[] {
  const extensions: HandshakeExtension[] = [];
  if (rng.int(0, 3) === 0) return extensions;
  if (rng.bool()) {
    extensions.push({
      kind: 'srt-handshake',
      type: rng.pick([ExtensionType.HSREQ, ExtensionType.HSRSP]),
      srtVersion: rng.u32(),
      srtFlags: rng.u32(),
      receiverTsbpdDelay: rng.int(0, 0xffff),
      senderTsbpdDelay: rng.int(0, 0xffff),
    });
  }
  const others = rng.int(0, 3);
  for (let i = 0; i < others; i++) extensions.push(randomOpaque(rng));
  if (rng.int(0, 2) > 0) {
    extensions.splice(rng.int(0, extensions.length), 0, { kind: 'stream-id', type: ExtensionType.SID, streamId: randomStreamId(rng) });
  }
  return extensions;
}

function randomHandshake(rng: Rng): Handshake {
  const extensions = randomExtensions(rng);
  const hasSid = extensions.some((e) => e.kind === 'stream-id');
  return {
    timestamp: rng.u32(),
    destinationSocketId: rng.bool() ? 0 : rng.u32(),
    typeSpecificInfo: rng.int(0, 9) === 0 ? rng.u32() : 0,
    version: rng.pick([4, 5, 5, 5, rng.u32()]),
    encryptionField: rng.pick([0, 2, 3, 4, rng.int(0, 0xffff)]),
    extensionField: hasSid ? ExtensionFlag.HSREQ | ExtensionFlag.CONFIG | (rng.bool() ? ExtensionFlag.KMREQ : 0) : rng.int(0, 0xffff),
    initialSequenceNumber: rng.u32() & 0x7fffffff,
    mtu: rng.pick([1500, 1456, rng.u32()]),
    flowWindow: rng.pick([8192, rng.u32()]),
    type: rng.pick([...Object.values(HandshakeType), 1000 + rng.int(0, 2999), rng.u32()]),
    socketId: rng.u32(),
    cookie: rng.u32(),
    peerAddress: randomPeerAddress(rng),
    extensions,
  };
}

describe('handshake round trip (seeded property test)', () => {
  it(`encode -> decode is the identity and re-encodes byte-exact over ${CASES} generated handshakes (seed ${SEED})`, () => {
    const rng = createRng(SEED);
    let withSid = 0;
    let ipv6 = 0;
    let maxSidBytes = 0;
    for (let i = 0; i < CASES; i++) {
      const hs = randomHandshake(rng);
      const bytes = encodeHandshake(hs);
      const back = decodeHandshake(bytes);
      if (!back.ok) assert.fail(`case ${i}: ${back.error.code} ${back.error.message}\n${JSON.stringify(hs)}`);
      assert.deepEqual(back.value, hs, `case ${i}`);
      assert.ok(encodeHandshake(back.value).equals(bytes), `case ${i} re-encode`);
      const sid = hs.extensions.find((e) => e.kind === 'stream-id');
      if (sid !== undefined && sid.kind === 'stream-id') {
        withSid++;
        maxSidBytes = Math.max(maxSidBytes, Buffer.byteLength(sid.streamId));
        if (hs.version >= 5) assert.equal(streamIdOf(back.value), sid.streamId);
      }
      if (hs.peerAddress.includes(':')) ipv6++;
    }
    // The generator really covers what it claims to.
    assert.ok(withSid > CASES / 3, `stream ids: ${withSid}`);
    assert.ok(ipv6 > CASES / 3, `IPv6: ${ipv6}`);
    assert.ok(maxSidBytes >= 500, `longest stream id: ${maxSidBytes}`);
  });

  it('a stream id padded with extra NUL words stays opaque and re-encodes exactly', () => {
    const canonical = encodeStreamIdWords('live/x');
    assert.ok(canonical.ok);
    const padded = Buffer.concat([canonical.value, Buffer.alloc(8)]);
    const hs: Handshake = {
      timestamp: 1, destinationSocketId: 0, typeSpecificInfo: 0, version: 5, encryptionField: 0,
      extensionField: ExtensionFlag.CONFIG, initialSequenceNumber: 1, mtu: 1500, flowWindow: 8192,
      type: HandshakeType.CONCLUSION, socketId: 2, cookie: 3, peerAddress: '10.0.0.1',
      extensions: [{ kind: 'opaque', type: ExtensionType.SID, body: padded }],
    };
    const bytes = encodeHandshake(hs);
    const back = decodeHandshake(bytes);
    assert.ok(back.ok);
    assert.deepEqual(back.value, hs);
    assert.equal(streamIdOf(back.value), 'live/x');
    assert.ok(encodeHandshake(back.value).equals(bytes));
  });

  it('streamIdOf follows libsrt: no stream id without HS_EXT_CONFIG or below HSv5', () => {
    const base = randomHandshake(createRng(1));
    const sid: HandshakeExtension = { kind: 'stream-id', type: ExtensionType.SID, streamId: 'live/x' };
    assert.equal(streamIdOf({ ...base, version: 5, extensionField: ExtensionFlag.CONFIG, extensions: [sid] }), 'live/x');
    assert.equal(streamIdOf({ ...base, version: 5, extensionField: ExtensionFlag.HSREQ, extensions: [sid] }), undefined);
    assert.equal(streamIdOf({ ...base, version: 4, extensionField: ExtensionFlag.CONFIG, extensions: [sid] }), undefined);
    assert.equal(streamIdOf({ ...base, version: 5, extensionField: ExtensionFlag.CONFIG, extensions: [] }), undefined);
  });

  it('IPv6 peer addresses: byte layout and text', () => {
    const hs = randomHandshake(createRng(2));
    const bytes = encodeHandshake({ ...hs, peerAddress: '2001:db8::1' });
    // Address bytes 20 01 0d b8 | 00.. | .. | 00 00 00 01, each word reversed on the wire.
    assert.equal(bytes.subarray(48, 64).toString('hex'), 'b80d0120' + '00000000' + '00000000' + '01000000');
    const back = decodeHandshake(bytes);
    assert.ok(back.ok);
    assert.equal(back.value.peerAddress, '2001:db8::1');
    const v4 = encodeHandshake({ ...hs, peerAddress: '192.168.1.20' });
    assert.equal(v4.subarray(48, 64).toString('hex'), '1401a8c0' + '00'.repeat(12));
  });

  it('encodeHandshake refuses values it cannot represent (programming errors)', () => {
    const hs = randomHandshake(createRng(3));
    assert.throws(() => encodeHandshake({ ...hs, peerAddress: 'localhost' }), RangeError);
    assert.throws(() => encodeHandshake({ ...hs, peerAddress: '1.2.3.256' }), RangeError);
    assert.throws(() => encodeHandshake({ ...hs, peerAddress: '1::2::3' }), RangeError);
    assert.throws(() => encodeHandshake({ ...hs, extensions: [{ kind: 'stream-id', type: 5, streamId: 'x'.repeat(513) }] }), RangeError);
    assert.throws(() => encodeHandshake({ ...hs, extensions: [{ kind: 'stream-id', type: 5, streamId: '' }] }), RangeError);
    assert.throws(() => encodeHandshake({ ...hs, extensions: [{ kind: 'opaque', type: 3, body: Buffer.alloc(5) }] }), RangeError);
    assert.throws(() => encodeHandshake({ ...hs, extensions: [{ kind: 'opaque', type: 0x10000, body: Buffer.alloc(4) }] }), RangeError);
  });
});
