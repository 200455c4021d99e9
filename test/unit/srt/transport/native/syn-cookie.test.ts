/**
 * native/src/sha256.c and srt_handshake.c against node:crypto and src/srt/protocol, the reference: the native data
 * path answers INDUCTIONs itself, so its answer must be byte for byte the handshake engine's (buildInductionResponse
 * with SynCookie.issue) for the same secret, caller address (as node:dgram spells it) and port, and minute.
 * Needs the built addon and fails, naming what to install, without it.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildInductionResponse, buildProbeInduction } from '../../../../../src/srt/protocol/handshake-builders.js';
import { HandshakeType } from '../../../../../src/srt/protocol/handshake-type.js';
import { SynCookie } from '../../../../../src/srt/protocol/syn-cookie.js';
import { loadNativeAddon } from '../../../../../src/srt/transport/native/load-native-data-path.js';

const MINUTE = 60_000;

/** FIPS 180-4 / NIST example vectors (SHA-256). */
const VECTORS: [string | Buffer, string][] = [
  ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  [
    'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  ],
  [Buffer.alloc(1_000_000, 'a'), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
];

/** Caller addresses as the native path hands them to JS (dual-stack socket: IPv4 callers as ::ffff:a.b.c.d). */
const ADDRESSES = ['::ffff:127.0.0.1', '::ffff:10.20.30.40', '127.0.0.1', '::1', '2001:db8::1234:5678', 'fe80::1%eth0'];

/** An INDUCTION with random CIF fields (what buildInductionResponse copies): a probe induction, then noise. */
function randomInduction(): Buffer {
  const p = buildProbeInduction(randomInt(1, 2 ** 31), randomInt(0, 2 ** 31));
  randomBytes(56).copy(p, 8);
  p.writeUInt32BE(HandshakeType.INDUCTION, 36);
  return randomInt(0, 4) === 0 ? Buffer.concat([p, randomBytes(randomInt(1, 200))]) : p;
}

describe('the native SYN cookie and INDUCTION answer match src/srt/protocol', () => {
  const addon = loadNativeAddon();

  it('SHA-256 gives the FIPS 180-4 example digests', () => {
    for (const [input, digest] of VECTORS) {
      const bytes = typeof input === 'string' ? Buffer.from(input) : input;
      assert.equal(addon.sha256(bytes).toString('hex'), digest, `sha256 of ${bytes.length} bytes`);
    }
  });

  it('SHA-256 equals node:crypto on every length across the block and padding boundaries', () => {
    for (let len = 0; len <= 300; len++) {
      const bytes = randomBytes(len);
      assert.equal(addon.sha256(bytes).toString('hex'), createHash('sha256').update(bytes).digest('hex'), `length ${len}`);
    }
  });

  it('answers an INDUCTION byte for byte as the handshake engine, IPv4 and IPv6, any secret length', () => {
    for (let n = 0; n < 3000; n++) {
      const secret = randomBytes([16, 32, 63, 64, 65, 100][n % 6]!);
      const address = ADDRESSES[n % ADDRESSES.length]!;
      const port = randomInt(1, 65536);
      const bucket = randomInt(29_000_000, 30_000_000);
      const request = randomInduction();
      const cookie = new SynCookie(secret, () => bucket * MINUTE + randomInt(0, MINUTE));
      const expected = buildInductionResponse(request, cookie.issue(address, port));
      const answer = addon.inductionAnswer(secret, request, address, port, bucket);
      assert.ok(answer !== null, 'an INDUCTION is answered');
      assert.equal(answer.toString('hex'), expected.toString('hex'), `${address}|${port}|${bucket}`);
    }
  });

  it('issues cookies the engine verifies in the same and the next minute, and in no other', () => {
    const secret = randomBytes(32);
    for (const address of ADDRESSES) {
      const bucket = 29_500_000;
      const answer = addon.inductionAnswer(secret, randomInduction(), address, 4200, bucket)!;
      const cookie = answer.readUInt32BE(44);
      const at = (b: number): SynCookie => new SynCookie(secret, () => b * MINUTE + 1);
      assert.equal(at(bucket).verify(address, 4200, cookie), true, address);
      assert.equal(at(bucket + 1).verify(address, 4200, cookie), true, `${address}, a minute later`);
      assert.equal(at(bucket + 2).verify(address, 4200, cookie), false, `${address}, two minutes later`);
      assert.equal(at(bucket).verify(address, 4201, cookie), false, `${address}, another port`);
      assert.equal(new SynCookie(randomBytes(32), () => bucket * MINUTE).verify(address, 4200, cookie), false, 'another secret');
    }
  });

  it('hands everything but an INDUCTION to JS', () => {
    const secret = randomBytes(32);
    const induction = randomInduction().subarray(0, 64);
    const conclusion = Buffer.from(induction);
    conclusion.writeUInt32BE(HandshakeType.CONCLUSION, 36);
    const data = Buffer.from(induction);
    data[0]! &= 0x7f;
    const shutdown = Buffer.from(induction);
    shutdown.writeUInt16BE(0x8005, 0);
    for (const [what, p] of [
      ['a CONCLUSION', conclusion],
      ['a data packet', data],
      ['a SHUTDOWN', shutdown],
      ['63 bytes', induction.subarray(0, 63)],
      ['nothing', Buffer.alloc(0)],
    ] as const) {
      assert.equal(addon.inductionAnswer(secret, p, '::1', 9000, 1), null, what);
    }
  });

  it('takes the minute from the wall clock, as Date.now()', () => {
    const before = Math.floor(Date.now() / MINUTE);
    const bucket = addon.cookieBucket();
    const after = Math.floor(Date.now() / MINUTE);
    assert.ok(bucket >= before && bucket <= after, `${bucket} in [${before}, ${after}]`);
  });
});
