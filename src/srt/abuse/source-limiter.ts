export interface SourceLimiterOptions {
  /** Tokens added per second to each source's bucket. */
  readonly ratePerSecond: number;
  /** Bucket size: how many handshakes a quiet source may make at once. */
  readonly burst: number;
  /** How many sources are tracked at most; the table never grows beyond it. */
  readonly capacity: number;
}

/**
 * A token bucket per source in a fixed-size table: typed arrays for the buckets, a Map from source key to slot, and
 * a clock sweep (second chance) to reuse a slot when the table is full. Memory is set by `capacity` alone, whatever
 * the number of sources seen. A source that is evicted comes back with a full bucket, which is what it would have
 * after any pause; the sweep spares slots hit since its last pass, so a source that keeps hammering keeps its
 * (empty) bucket while a churn of one-off sources recycles each other's slots.
 */
export class SourceLimiter {
  private readonly slots = new Map<string, number>();
  private readonly keys: (string | undefined)[];
  private readonly tokens: Float64Array;
  private readonly updatedAt: Float64Array;
  private readonly referenced: Uint8Array;
  private readonly perMs: number;
  private used = 0;
  private hand = 0;

  constructor(private readonly options: SourceLimiterOptions) {
    if (!(options.capacity >= 1 && options.burst >= 1 && options.ratePerSecond > 0)) {
      throw new RangeError('source limiter needs capacity >= 1, burst >= 1 and a positive rate');
    }
    this.keys = new Array<string | undefined>(options.capacity).fill(undefined);
    this.tokens = new Float64Array(options.capacity);
    this.updatedAt = new Float64Array(options.capacity);
    this.referenced = new Uint8Array(options.capacity);
    this.perMs = options.ratePerSecond / 1000;
  }

  /** Takes one token from `source`'s bucket at time `nowMs`; false when the bucket is empty. */
  tryTake(source: string, nowMs: number): boolean {
    let slot = this.slots.get(source);
    if (slot === undefined) {
      slot = this.claim(source);
      this.tokens[slot] = this.options.burst;
    } else {
      const refilled = this.tokens[slot]! + (nowMs - this.updatedAt[slot]!) * this.perMs;
      this.tokens[slot] = refilled > this.options.burst ? this.options.burst : refilled;
      this.referenced[slot] = 1;
    }
    this.updatedAt[slot] = nowMs;
    if (this.tokens[slot]! < 1) return false;
    this.tokens[slot]!--;
    return true;
  }

  /** Sources tracked now (at most `capacity`). */
  get size(): number {
    return this.slots.size;
  }

  private claim(source: string): number {
    let slot: number;
    if (this.used < this.options.capacity) {
      slot = this.used++;
    } else {
      const capacity = this.options.capacity;
      while (this.referenced[this.hand] === 1) {
        this.referenced[this.hand] = 0;
        this.hand = (this.hand + 1) % capacity;
      }
      slot = this.hand;
      this.hand = (this.hand + 1) % capacity;
      this.slots.delete(this.keys[slot]!);
    }
    this.keys[slot] = source;
    this.referenced[slot] = 0;
    this.slots.set(source, slot);
    return slot;
  }
}
