import { randomBytes } from 'node:crypto';
import { HmacSha256 } from './hmac-sha256.js';

const BUCKET_MS = 60_000;
const MIN_SECRET_BYTES = 16;
/** Room for `address|port|minute`: an IPv6 literal with a scope name and the rest fit easily. */
const MESSAGE_ROOM = 192;

/**
 * Stateless SYN cookie for INDUCTION answers (libsrt's scheme, keyed): the proxy keeps no state
 * for a caller until its CONCLUSION echoes a cookie that proves it owns its source address.
 * Time is bucketed by the minute; the previous bucket is still accepted so a handshake that
 * straddles a minute boundary succeeds. Workers sharing one secret accept each other's cookies
 * (and the native data path's: the same HMAC-SHA256 over the same text).
 */
export class SynCookie {
  private readonly hmac: HmacSha256;
  /** The message being hashed, encoded. */
  private readonly message = Buffer.alloc(MESSAGE_ROOM);

  constructor(
    secret: Uint8Array,
    private readonly clock: () => number = Date.now,
  ) {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new RangeError(`cookie secret must be at least ${MIN_SECRET_BYTES} bytes, got ${secret.length}`);
    }
    // Every INDUCTION and CONCLUSION of a flood pays for a cookie: HMAC-SHA256 keyed once (see HmacSha256).
    this.hmac = new HmacSha256(secret);
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

  /** HMAC-SHA256 over `address|port|bucket`, its first 4 bytes; no allocation for any message that fits the room. */
  private cookieFor(address: string, port: number, bucket: number): number {
    const length = this.encode(address, port, bucket);
    const cookie = length >= 0 ? this.hmac.first32(this.message, length) : this.long(`${address}|${port}|${bucket}`);
    // 1 in 2^32 digests start with four zero bytes; map them to 1 (deterministic, so verify agrees).
    return cookie === 0 ? 1 : cookie;
  }

  /**
   * `address|port|bucket` into the message room as its template text would be encoded (UTF-8), the numbers written
   * digit by digit: its length, or -1 when it may not fit or a number is not one written that way (never for the
   * addresses and ports of a data path).
   */
  private encode(address: string, port: number, bucket: number): number {
    // utf8 takes at most 3 bytes per UTF-16 unit: when that fits, the write cannot have been cut short.
    if (address.length * 3 + 2 * (1 + MAX_DIGITS) > MESSAGE_ROOM || !isPlainInteger(port) || !isPlainInteger(bucket)) return -1;
    const message = this.message;
    let at = message.write(address, 0, 'utf8');
    message[at++] = PIPE;
    at = writeDigits(message, at, port);
    message[at++] = PIPE;
    return writeDigits(message, at, bucket);
  }

  private long(text: string): number {
    const bytes = Buffer.from(text, 'utf8');
    return this.hmac.first32(bytes, bytes.length);
  }
}

const PIPE = 0x7c;
/** Digits of the largest integer isPlainInteger admits. */
const MAX_DIGITS = 15;

/** A non-negative integer that String() writes as plain digits (no exponent, no sign). */
function isPlainInteger(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < 1e15;
}

/** The decimal digits of a plain integer at bytes[at]; the position after them. */
function writeDigits(bytes: Uint8Array, at: number, n: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let end = at + digits;
  for (let rest = n; end > at; rest = Math.floor(rest / 10)) bytes[--end] = 0x30 + (rest % 10);
  return at + digits;
}

/** A fresh random key for one process (COOKIE_SECRET unset); workers sharing a port need a common one. */
export function generateCookieSecret(): Buffer {
  return randomBytes(32);
}
