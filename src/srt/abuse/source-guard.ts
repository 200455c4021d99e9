import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';
import { streamIdKeyOf } from '../protocol/stream-id-key.js';
import { negativeCacheKey, NegativeCache } from './negative-cache.js';
import { SessionCap } from './session-cap.js';
import { sourceKeyOf } from './source-key.js';
import { SourceLimiter } from './source-limiter.js';

/** Bounds the negative cache: keys carry up to 512 bytes of stream id, so this is at most ~10 MB. */
const NEGATIVE_CACHE_ENTRIES = 16_384;

/**
 * The per-source limits on the handshake path (never on the relay path): the handshake budget, the live-session
 * cap and the negative cache. Only callers that echoed a valid cookie are ever charged or remembered, so a forger
 * cannot spend someone else's budget or fill the tables from addresses it does not own.
 */
@Injectable()
export class SourceGuard {
  private readonly limiter: SourceLimiter | undefined;
  private readonly cap: SessionCap;
  private readonly cache: NegativeCache;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { handshakeRatePerSource, handshakeBurstPerSource, handshakeLimiterSources } = config.srt.abuse;
    this.limiter =
      handshakeRatePerSource > 0
        ? new SourceLimiter({ ratePerSecond: handshakeRatePerSource, burst: handshakeBurstPerSource, capacity: handshakeLimiterSources })
        : undefined;
    this.cap = new SessionCap(config.srt.abuse.maxSessionsPerSource);
    this.cache = new NegativeCache({ ttlMs: config.srt.abuse.negativeCacheMs, capacity: NEGATIVE_CACHE_ENTRIES });
  }

  /** Whether one more CONCLUSION from `address` fits its source's budget (takes a token when it does). */
  admitsHandshake(address: string): boolean {
    return this.limiter === undefined || this.limiter.tryTake(sourceKeyOf(address), performance.now());
  }

  /** Whether `address`'s source may open one more session (MAX_SESSIONS_PER_SOURCE). */
  admitsSession(address: string): boolean {
    return !this.cap.enabled || this.cap.admits(sourceKeyOf(address));
  }

  sessionOpened(address: string): void {
    if (this.cap.enabled) this.cap.opened(sourceKeyOf(address));
  }

  sessionClosed(address: string): void {
    if (this.cap.enabled) this.cap.closed(sourceKeyOf(address));
  }

  /** The wire code this CONCLUSION was refused with moments ago, or undefined. */
  cachedRejection(address: string, conclusion: Uint8Array): number | undefined {
    // Nothing refused lately (a reconnect wave of callers that were fine): no stream id key to build.
    if (!this.cache.enabled || this.cache.size === 0) return undefined;
    const streamIdKey = streamIdKeyOf(conclusion);
    if (streamIdKey === undefined) return undefined;
    return this.cache.lookup(negativeCacheKey(address, streamIdKey), performance.now());
  }

  /**
   * Remembers a refusal of this CONCLUSION that will not change within seconds (bad stream id, forbidden, no
   * origin), so that redials get `code` from the cache. Overload is never remembered.
   */
  rememberRejection(address: string, conclusion: Uint8Array, code: number, reason: string): void {
    if (!this.cache.enabled) return;
    const streamIdKey = streamIdKeyOf(conclusion);
    if (streamIdKey === undefined) return;
    this.cache.remember(negativeCacheKey(address, streamIdKey), code, reason, performance.now());
  }

  /** Table sizes, for the stats views. */
  get sizes(): { readonly limiterSources: number; readonly cappedSources: number; readonly cachedRejections: number } {
    return { limiterSources: this.limiter?.size ?? 0, cappedSources: this.cap.sources, cachedRejections: this.cache.size };
  }
}
