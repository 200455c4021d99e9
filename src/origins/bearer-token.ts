import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

/**
 * Checks an `Authorization: Bearer <token>` header against the configured token in constant time: both sides are
 * hashed first, so neither the token's content nor its length leaks through timing.
 */
export class BearerToken {
  private readonly digest: Buffer;

  constructor(token: string) {
    this.digest = sha256(token);
  }

  matches(authorization: string | undefined): boolean {
    if (typeof authorization !== 'string') return false;
    const match = BEARER.exec(authorization);
    if (match === null) return false;
    return timingSafeEqual(sha256(match[1]!), this.digest);
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
