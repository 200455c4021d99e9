import type { AppConfig } from '../../config/app-config.js';
import { generateCookieSecret } from '../protocol/syn-cookie.js';

/**
 * DI token of the SYN cookie secret: COOKIE_SECRET (with WORKERS > 1 the pool hands every worker its shared one),
 * else random per process. One value for the handshake engine and the data path, which answers INDUCTIONs itself
 * on the native path: a cookie either issues must verify in the other.
 */
export const COOKIE_SECRET = Symbol('COOKIE_SECRET');

export function cookieSecretOf(config: AppConfig): Buffer {
  return config.srt.cookieSecret !== undefined ? Buffer.from(config.srt.cookieSecret) : generateCookieSecret();
}
