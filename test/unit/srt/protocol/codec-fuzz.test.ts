import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHandshake, encodeHandshake, handshakeCookieOf, handshakeSocketIdOf, handshakeTypeOf, handshakeVersionOf, HANDSHAKE_PACKET_SIZE } from '../../../../src/srt/protocol/handshake.js';
import { conclusionStreamIdOf } from '../../../../src/srt/protocol/conclusion-stream-id.js';
import { streamIdOf } from '../../../../src/srt/protocol/handshake-extension.js';
import { readPacketHeader } from '../../../../src/srt/protocol/packet-header.js';
import { ProtocolError, type ProtocolErrorCode } from '../../../../src/srt/protocol/protocol-error.js';
import type { Result } from '../../../../src/srt/protocol/result.js';
import { decodeStreamIdWords } from '../../../../src/srt/protocol/stream-id-words.js';
import { createRng, type Rng } from './prng.js';
import { allPackets } from '../../../support/vectors.js';

const SEED = 0xf022_0001;
const RANDOM_ITERATIONS = 100_000;
const CODES: readonly ProtocolErrorCode[] = ['TRUNCATED', 'NOT_CONTROL', 'NOT_HANDSHAKE', 'BAD_EXTENSION', 'BAD_STREAM_ID', 'BAD_VALUE'];
const INTERESTING_WORDS = [0, 1, 3, 4, 5, 0x7fff, 0x8000, 0xffff, 0x80000000, 0xffffffff, 0x00050080, 0x00010003];

const seeds = allPackets().map((p) => p.bytes);
const handshakeSeeds = allPackets().filter((p) => p.kind === 'handshake' && p.bytes.length > HANDSHAKE_PACKET_SIZE).map((p) => p.bytes);

function flipBits(rng: Rng): Buffer {
  const p = Buffer.from(rng.pick(seeds));
  const flips = rng.int(1, 8);
  for (let i = 0; i < flips; i++) p[rng.int(0, p.length - 1)] ^= 1 << rng.int(0, 7);
  return p;
}

function trailing(rng: Rng): Buffer {
  return Buffer.concat([rng.pick(seeds), rng.bytes(rng.bool() ? rng.int(1, 3) : rng.int(1, 40))]);
}

/** Rewrites the length (or type) of one extension block of a real conclusion. */
function extensionHeader(rng: Rng): Buffer {
  const p = Buffer.from(rng.pick(handshakeSeeds));
  const blocks: number[] = [];
  for (let pos = HANDSHAKE_PACKET_SIZE; pos + 4 <= p.length; pos += 4 + 4 * p.readUInt16BE(pos + 2)) blocks.push(pos);
  const at = rng.pick(blocks);
  if (rng.int(0, 3) === 0) p.writeUInt16BE(rng.pick([0, 1, 2, 3, 4, 5, 6, 9, 0xffff]), at);
  else p.writeUInt16BE(rng.pick([0, 1, 2, 3, 128, 129, 0x7fff, 0xffff, rng.int(0, 0xffff)]), at + 2);
  return p;
}

/** A conclusion whose stream id block is random (bad UTF-8, NULs, odd sizes). */
function randomStreamIdBlock(rng: Rng): Buffer {
  const base = rng.pick(handshakeSeeds).subarray(0, HANDSHAKE_PACKET_SIZE);
  const words = rng.int(0, 140);
  const block = Buffer.alloc(4 + 4 * words);
  block.writeUInt16BE(5, 0);
  block.writeUInt16BE(words, 2);
  const body = rng.bytes(4 * words);
  if (rng.bool()) for (let i = 0; i < body.length; i++) body[i] &= 0x7f; // mostly ASCII, sometimes NULs
  body.copy(block, 4);
  const extra = rng.int(0, 2) === 0 ? Buffer.from(block) : Buffer.alloc(0);
  return Buffer.concat([base, block, extra]);
}

function interestingWords(rng: Rng): Buffer {
  const p = Buffer.from(rng.pick(seeds));
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) p.writeUInt32BE(rng.pick(INTERESTING_WORDS), 4 * rng.int(0, p.length / 4 - 1));
  return p;
}

function randomBytes(rng: Rng): Buffer {
  const p = rng.bytes(rng.int(0, 300));
  // Half look like a handshake header so the fuzzing reaches the CIF and extension decoding.
  if (p.length >= 4 && rng.bool()) p.writeUInt32BE(0x80000000, 0);
  return p;
}

const MUTATORS = [flipBits, trailing, extensionHeader, randomStreamIdBlock, interestingWords, randomBytes];

interface Tally {
  inputs: number;
  streamIds: number;
  handshakesDecoded: number;
  errors: Map<ProtocolErrorCode, number>;
}

function expectNoThrow<T>(
  result: Result<T, ProtocolError>,
  tally: Tally,
  what: string,
  input: Buffer,
): result is { readonly ok: true; readonly value: T } {
  if (result.ok) return true;
  if (!(result.error instanceof ProtocolError) || !CODES.includes(result.error.code)) {
    assert.fail(`${what} returned a non-ProtocolError for ${input.toString('hex')}`);
  }
  tally.errors.set(result.error.code, (tally.errors.get(result.error.code) ?? 0) + 1);
  return false;
}

/** Everything the codec offers for untrusted bytes; any throw fails the test with the input. */
function feed(input: Buffer, tally: Tally): void {
  tally.inputs++;
  try {
    expectNoThrow(readPacketHeader(input), tally, 'readPacketHeader', input);
    const hs = decodeHandshake(input);
    // The handshake engine's shortcut reads the same stream id and refuses the same packets, with the same code.
    const shortcut = conclusionStreamIdOf(input);
    assert.equal(shortcut.ok, hs.ok, `conclusionStreamIdOf and decodeHandshake disagree on ${input.toString('hex')}`);
    if (!shortcut.ok && !hs.ok) assert.equal(shortcut.error.code, hs.error.code, input.toString('hex'));
    if (shortcut.ok && hs.ok) assert.equal(shortcut.value, streamIdOf(hs.value), input.toString('hex'));
    if (shortcut.ok && shortcut.value !== undefined) tally.streamIds++;
    if (expectNoThrow(hs, tally, 'decodeHandshake', input)) {
      tally.handshakesDecoded++;
      // Whatever decodes must re-encode to the very same bytes (the proxy may forward either).
      if (!encodeHandshake(hs.value).equals(input)) assert.fail(`re-encode differs for ${input.toString('hex')}`);
      assert.equal(hs.value.type, handshakeTypeOf(input));
      assert.equal(hs.value.socketId, handshakeSocketIdOf(input));
      assert.equal(hs.value.cookie, handshakeCookieOf(input));
      assert.equal(hs.value.version, handshakeVersionOf(input));
    }
    expectNoThrow(decodeStreamIdWords(input), tally, 'decodeStreamIdWords', input);
    if (input.length > HANDSHAKE_PACKET_SIZE + 4) {
      expectNoThrow(decodeStreamIdWords(input.subarray(HANDSHAKE_PACKET_SIZE + 4)), tally, 'decodeStreamIdWords(tail)', input);
    }
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    assert.fail(`threw ${String(e)} for input ${input.toString('hex')}`);
  }
}

describe('codec fuzz (seeded)', () => {
  it(`never throws on truncations at every length, trailing bytes and ${RANDOM_ITERATIONS} random mutations (seed ${SEED})`, () => {
    const tally: Tally = { inputs: 0, streamIds: 0, handshakesDecoded: 0, errors: new Map() };
    let truncations = 0;
    for (const seed of seeds) {
      for (let n = 0; n <= seed.length; n++) {
        feed(seed.subarray(0, n), tally);
        truncations++;
      }
      for (const extra of [1, 2, 3]) feed(Buffer.concat([seed, Buffer.alloc(extra, 0xab)]), tally);
    }
    const rng = createRng(SEED);
    let mutations = 0;
    for (let i = 0; i < RANDOM_ITERATIONS; i++) {
      feed(rng.pick(MUTATORS)(rng), tally);
      mutations++;
    }
    const errors = Object.fromEntries(tally.errors);
    console.log(`fuzz: ${tally.inputs} inputs (${truncations} truncations, ${mutations} random), ${tally.handshakesDecoded} decoded, errors ${JSON.stringify(errors)}`);
    assert.equal(mutations, RANDOM_ITERATIONS);
    assert.equal(tally.inputs, truncations + 3 * seeds.length + RANDOM_ITERATIONS);
    assert.ok(tally.inputs >= 100_000);
    // The fuzzing reached every layer: successes and every kind of typed failure.
    assert.ok(tally.handshakesDecoded > 10_000, `decoded ${tally.handshakesDecoded}`);
    assert.ok(tally.streamIds > 5_000, `stream ids read ${tally.streamIds}`);
    for (const code of CODES) assert.ok((tally.errors.get(code) ?? 0) > 0, `no ${code} seen`);
  });

  it('trailing 1..3 bytes after the extensions are BAD_EXTENSION (the reference Go proxy crashes on these)', () => {
    for (const seed of handshakeSeeds) {
      for (const extra of [1, 2, 3]) {
        const result = decodeHandshake(Buffer.concat([seed, Buffer.alloc(extra)]));
        assert.ok(!result.ok && result.error.code === 'BAD_EXTENSION');
      }
    }
  });

  it('extension length past the end, oversized and empty stream ids are typed errors', () => {
    const conclusion = handshakeSeeds.find((p) => p.length === 108);
    assert.ok(conclusion);
    const runsPast = Buffer.from(conclusion);
    runsPast.writeUInt16BE(0xffff, HANDSHAKE_PACKET_SIZE + 2);
    assert.equal(errorCode(decodeHandshake(runsPast)), 'BAD_EXTENSION');
    const sidAt = HANDSHAKE_PACKET_SIZE + 16;
    assert.equal(conclusion.readUInt16BE(sidAt), 5);
    const empty = Buffer.concat([conclusion.subarray(0, sidAt), Buffer.from([0, 5, 0, 0])]);
    assert.equal(errorCode(decodeHandshake(empty)), 'BAD_STREAM_ID');
    const huge = Buffer.concat([conclusion.subarray(0, sidAt), Buffer.from([0, 5, 0, 129]), Buffer.alloc(516, 0x41)]);
    assert.equal(errorCode(decodeHandshake(huge)), 'BAD_STREAM_ID');
    const max = Buffer.concat([conclusion.subarray(0, sidAt), Buffer.from([0, 5, 0, 128]), Buffer.alloc(512, 0x41)]);
    assert.ok(decodeHandshake(max).ok);
    const twice = Buffer.concat([conclusion, conclusion.subarray(sidAt)]);
    assert.equal(errorCode(decodeHandshake(twice)), 'BAD_EXTENSION');
  });

  it('header-level failures', () => {
    assert.equal(errorCode(decodeHandshake(Buffer.alloc(10))), 'TRUNCATED');
    assert.equal(errorCode(decodeHandshake(Buffer.alloc(64))), 'NOT_CONTROL');
    const keepalive = Buffer.alloc(64);
    keepalive.writeUInt32BE(0x80010000, 0);
    assert.equal(errorCode(decodeHandshake(keepalive)), 'NOT_HANDSHAKE');
    const subtype = Buffer.from(handshakeSeeds[0]);
    subtype.writeUInt16BE(1, 2);
    assert.equal(errorCode(decodeHandshake(subtype)), 'BAD_VALUE');
    assert.equal(errorCode(decodeHandshake(handshakeSeeds[0].subarray(0, 63))), 'TRUNCATED');
  });
});

function errorCode(result: Result<unknown, ProtocolError>): ProtocolErrorCode | undefined {
  return result.ok ? undefined : result.error.code;
}
