import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { HmacSha256 } from '../../../../src/srt/protocol/hmac-sha256.js';

const first32 = (key: Uint8Array, message: Uint8Array): number => createHmac('sha256', key).update(message).digest().readUInt32BE(0);

describe('HmacSha256', () => {
  it("gives node:crypto's first 32 bits for keys shorter, as long as and longer than a block, and messages of 0..200 bytes", () => {
    // Message lengths cross every padding case: the bit length in the same block, in a second one, whole blocks.
    for (const keyLength of [1, 16, 32, 63, 64, 65, 100, 200]) {
      const key = randomBytes(keyLength);
      const hmac = new HmacSha256(key);
      for (let length = 0; length <= 200; length++) {
        const message = randomBytes(length);
        assert.equal(hmac.first32(message, length), first32(key, message), `key ${keyLength} bytes, message ${length} bytes`);
      }
    }
  });

  it('hashes only the first `length` bytes, and one call leaves nothing behind for the next', () => {
    const key = randomBytes(32);
    const hmac = new HmacSha256(key);
    const room = randomBytes(192);
    for (const length of [150, 3, 64, 0, 55, 56, 119, 120]) {
      assert.equal(hmac.first32(room, length), first32(key, room.subarray(0, length)), `${length} bytes`);
    }
  });

  it('matches a published vector (RFC 4231 test case 2)', () => {
    const hmac = new HmacSha256(Buffer.from('Jefe'));
    const message = Buffer.from('what do ya want for nothing?');
    assert.equal(hmac.first32(message, message.length), 0x5bdcc146);
  });
});
