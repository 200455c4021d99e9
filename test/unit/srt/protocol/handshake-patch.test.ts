import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handshakeCookieOf, handshakeTypeOf } from '../../../../src/srt/protocol/handshake.js';
import { patchDestinationSocketId, patchHandshakeCookie, patchHandshakeType } from '../../../../src/srt/protocol/handshake-patch.js';
import { destinationSocketIdOf } from '../../../../src/srt/protocol/packet-header.js';
import { packet } from '../../../support/vectors.js';

function changedBytes(a: Buffer, b: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

describe('handshake patchers', () => {
  it('patchDestinationSocketId writes bytes 12..15 only', () => {
    const original = packet('t14', 2);
    const p = Buffer.from(original);
    patchDestinationSocketId(p, 0xa1b2c3d4);
    assert.equal(destinationSocketIdOf(p), 0xa1b2c3d4);
    assert.deepEqual(changedBytes(original, p), [12, 13, 14, 15]);
  });

  it('patchHandshakeType writes bytes 36..39 only, negative values as uint32', () => {
    const original = packet('t1', 2);
    const p = Buffer.from(original);
    patchHandshakeType(p, 2403);
    assert.equal(handshakeTypeOf(p), 2403);
    assert.deepEqual(changedBytes(original, p), [36, 37, 38, 39]);
    patchHandshakeType(p, -1);
    assert.equal(handshakeTypeOf(p), 0xffffffff);
    assert.ok(p.equals(original));
  });

  it('patchHandshakeCookie writes bytes 44..47 only and leaves KMREQ untouched', () => {
    const original = packet('t14', 2);
    const p = Buffer.from(original);
    patchHandshakeCookie(p, 0xdeadbeef);
    assert.equal(handshakeCookieOf(p), 0xdeadbeef);
    assert.deepEqual(changedBytes(original, p), [44, 45, 46, 47]);
    patchHandshakeCookie(p, 2 ** 32 + 0xb8b8defd);
    assert.ok(p.equals(original));
  });
});
