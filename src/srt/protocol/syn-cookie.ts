import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

const BUCKET_MS = 60_000;
const MIN_SECRET_BYTES = 16;
/** SHA-256 block size: HMAC pads its key to it. */
const BLOCK = 64;
const DIGEST = 32;

/**
 * Stateless SYN cookie for INDUCTION answers (libsrt's scheme, keyed): the proxy keeps no state
 * for a caller until its CONCLUSION echoes a cookie that proves it owns its source address.
 * Time is bucketed by the minute; the previous bucket is still accepted so a handshake that
 * straddles a minute boundary succeeds. Workers sharing one secret accept each other's cookies.
 */
export class SynCookie {
  /** HMAC's inner and outer padded keys, computed once. */
  private readonly innerKey: Buffer;
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
    this.innerKey = Buffer.alloc(BLOCK, 0x36);
    this.outer = Buffer.alloc(BLOCK + DIGEST, 0x5c);
    for (let i = 0; i < key.length; i++) {
      this.innerKey[i]! ^= key[i]!;
      this.outer[i]! ^= key[i]!;
    }
  }

  /** Never 0: a zero cookie means "no cookie" in a handshake. */
  issue(address: string, port: number): number {
    return this.cookieFor(address, port, this.bucket()).readUInt32BE(0);
  }

  /** Constant time in the cookie value; both buckets are always computed and compared. */
  verify(address: string, port: number, cookie: number): boolean {
    const given = Buffer.allocUnsafe(4);
    given.writeUInt32BE(cookie >>> 0, 0);
    const bucket = this.bucket();
    const current = timingSafeEqual(given, this.cookieFor(address, port, bucket));
    const previous = timingSafeEqual(given, this.cookieFor(address, port, bucket - 1));
    return current || previous;
  }

  private bucket(): number {
    return Math.floor(this.clock() / BUCKET_MS);
  }

  private cookieFor(address: string, port: number, bucket: number): Buffer {
    const inner = hash('sha256', Buffer.concat([this.innerKey, Buffer.from(`${address}|${port}|${bucket}`)]), 'buffer');
    inner.copy(this.outer, BLOCK);
    const digest = hash('sha256', this.outer, 'buffer');
    const cookie = digest.subarray(0, 4);
    // 1 in 2^32 digests start with four zero bytes; map them to 1 (deterministic, so verify agrees).
    if (cookie.readUInt32BE(0) === 0) cookie.writeUInt32BE(1, 0);
    return cookie;
  }
}

/** A fresh random key for one process (COOKIE_SECRET unset); workers sharing a port need a common one. */
export function generateCookieSecret(): Buffer {
  return randomBytes(32);
}
