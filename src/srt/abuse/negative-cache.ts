import { ProxyRejection } from '../protocol/rejection-codes.js';

export interface NegativeCacheOptions {
  /** How long a refusal is replayed; 0 turns the cache off. */
  readonly ttlMs: number;
  /** Entries held at most; the oldest goes first when full. */
  readonly capacity: number;
}

interface Entry {
  readonly code: number;
  readonly reason: string;
  readonly expiresAt: number;
}

/**
 * Refusals that will not change within seconds (bad stream id, forbidden, no origin), by (caller address, stream id
 * key), so a caller redialing the same refused request gets the same rejection again without being parsed, routed
 * or logged. Keys are only ever added after a valid cookie, so a forger cannot fill it from addresses it does not
 * own; a Map in insertion order with a hard size bound is enough.
 */
export class NegativeCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: NegativeCacheOptions) {}

  get enabled(): boolean {
    return this.options.ttlMs > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The wire code `key` was refused with, while that refusal is fresh. */
  lookup(key: string, nowMs: number): number | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= nowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.code;
  }

  /**
   * Remembers that `key` was refused with `code` for `reason`. Overload (2402) is never cached: it depends on the
   * proxy's load or drain, which changes from one handshake to the next.
   */
  remember(key: string, code: number, reason: string, nowMs: number): void {
    if (!this.enabled || code === ProxyRejection.OVERLOAD) return;
    this.entries.delete(key);
    while (this.entries.size >= this.options.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { code, reason, expiresAt: nowMs + this.options.ttlMs });
  }
}

/** The cache key of a CONCLUSION from `address` whose stream id key is `streamIdKey` (see streamIdKeyOf). */
export function negativeCacheKey(address: string, streamIdKey: string): string {
  return `${address}\n${streamIdKey}`;
}
