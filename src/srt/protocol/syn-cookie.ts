import { hash, randomBytes } from 'node:crypto';

const BUCKET_MS = 60_000;
const MIN_SECRET_BYTES = 16;
/** SHA-256 block size: HMAC pads its key to it. */
const BLOCK = 64;
const DIGEST = 32;
/** Room for `address|port|minute` after the inner key: an IPv6 literal with a scope name and the rest fit easily. */
const MESSAGE_ROOM = 192;

/**
 * Stateless SYN cookie for INDUCTION answers (libsrt's scheme, keyed): the proxy keeps no state
 * for a caller until its CONCLUSION echoes a cookie that proves it owns its source address.
 * Time is bucketed by the minute; the previous bucket is still accepted so a handshake that
 * straddles a minute boundary succeeds. Workers sharing one secret accept each other's cookies.
 */
export class SynCookie {
  /** HMAC's inner padded key followed by room for the message, and the outer padded key followed by the inner hash. */
  private readonly inner: Buffer;
  private readonly outer: Buffer;

  constructor(
    secret: Uint8Array,
    private readonly clock: () => number = Date.now,
  ) {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new RangeError(`cookie secret must be at least ${MIN_SECRET_BYTES} bytes, got ${secret.length}`);
    }
    // HMAC-SHA256 (RFC 2104) on two one-shot hashes: createHmac builds a key object on every call, which costs ~10x
    // the hashing itself, and every INDUCTION and CONCLUSION of a flood pays for it.
    const key = secret.length > BLOCK ? hash('sha256', secret, 'buffer') : Buffer.from(secret);
    this.inner = Buffer.alloc(BLOCK + MESSAGE_ROOM, 0x36);
    this.outer = Buffer.alloc(BLOCK + DIGEST, 0x5c);
    for (let i = 0; i < key.length; i++) {
      this.inner[i]! ^= key[i]!;
      this.outer[i]! ^= key[i]!;
    }
  }

  /** Never 0: a zero cookie means "no cookie" in a handshake. */
  issue(address: string, port: number): number {
    return this.cookieFor(address, port, this.bucket());
  }

  /**
   * Constant time in the cookie value (one integer comparison per bucket). The previous bucket is computed only
   * when the current one does not match: that timing tells a caller only that its cookie is current, which the
   * answer it gets tells it anyway.
   */
  verify(address: string, port: number, cookie: number): boolean {
    const given = cookie >>> 0;
    const bucket = this.bucket();
    return this.cookieFor(address, port, bucket) === given || this.cookieFor(address, port, bucket - 1) === given;
  }

  private bucket(): number {
    return Math.floor(this.clock() / BUCKET_MS);
  }

  /** HMAC-SHA256 over `address|port|bucket`, its first 4 bytes; computed in place, no buffer allocated but the digests. */
  private cookieFor(address: string, port: number, bucket: number): number {
    const message = `${address}|${port}|${bucket}`;
    // utf8 takes at most 3 bytes per UTF-16 unit: when that fits, the write cannot have been cut short.
    const inner =
      message.length * 3 <= MESSAGE_ROOM
        ? hash('sha256', this.inner.subarray(0, BLOCK + this.inner.write(message, BLOCK, 'utf8')), 'buffer')
        : hash('sha256', Buffer.concat([this.inner.subarray(0, BLOCK), Buffer.from(message)]), 'buffer');
    inner.copy(this.outer, BLOCK);
    const cookie = hash('sha256', this.outer, 'buffer').readUInt32BE(0);
    // 1 in 2^32 digests start with four zero bytes; map them to 1 (deterministic, so verify agrees).
    return cookie === 0 ? 1 : cookie;
  }
}

/** A fresh random key for one process (COOKIE_SECRET unset); workers sharing a port need a common one. */
export function generateCookieSecret(): Buffer {
  return randomBytes(32);
}
