import type { Origin } from '../../origins/origin.js';
import type { Balancer } from '../balancer.js';
import type { BalancingStrategy } from '../strategies/balancing-strategy.js';

interface Assignment {
  origin: Origin;
  sessions: number;
  /** When the last session ended; the assignment expires `graceMs` later. */
  idleSince: number;
}

/**
 * Sticky stream -> origin assignments held in this process (one replica). An assignment lives while it has
 * sessions and for a grace period after the last one, and is re-picked when its origin is no longer available.
 */
export class MemoryBalancer implements Balancer {
  private readonly assignments = new Map<string, Assignment>();
  private readonly streamsPerOrigin = new Map<string, number>();

  constructor(
    private readonly strategy: BalancingStrategy,
    private readonly availableOrigins: () => readonly Origin[],
    private readonly graceMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  acquire(streamKey: string): Promise<Origin | undefined> {
    return Promise.resolve(this.acquireNow(streamKey));
  }

  release(streamKey: string, origin: Origin): void {
    const a = this.assignments.get(streamKey);
    if (a === undefined || a.origin.id !== origin.id || a.sessions === 0) return;
    a.sessions -= 1;
    if (a.sessions === 0) a.idleSince = this.clock();
  }

  /** Number of live assignments, for stats and tests. */
  get size(): number {
    this.expire();
    return this.assignments.size;
  }

  private acquireNow(streamKey: string): Origin | undefined {
    this.expire();
    const origins = this.availableOrigins();
    const current = this.assignments.get(streamKey);
    if (current !== undefined) {
      if (origins.some((o) => o.id === current.origin.id)) {
        current.sessions += 1;
        return current.origin;
      }
      this.drop(streamKey, current);
    }
    if (origins.length === 0) return undefined;
    const origin = this.strategy.choose(streamKey, origins, this.streamsPerOrigin);
    this.assignments.set(streamKey, { origin, sessions: 1, idleSince: 0 });
    this.streamsPerOrigin.set(origin.id, (this.streamsPerOrigin.get(origin.id) ?? 0) + 1);
    return origin;
  }

  /** Bounded work: expiry runs on acquire, so the map never outgrows the live streams plus one grace period. */
  private expire(): void {
    const now = this.clock();
    for (const [key, a] of this.assignments) {
      if (a.sessions === 0 && now - a.idleSince >= this.graceMs) this.drop(key, a);
    }
  }

  private drop(key: string, a: Assignment): void {
    this.assignments.delete(key);
    const n = (this.streamsPerOrigin.get(a.origin.id) ?? 1) - 1;
    if (n <= 0) this.streamsPerOrigin.delete(a.origin.id);
    else this.streamsPerOrigin.set(a.origin.id, n);
  }
}
