import { Logger } from '@nestjs/common';
import type { Origin } from '../origins/origin.js';
import { ACQUIRE_PENDING, type AssignmentView, type Balancer, type BalancerStats } from './balancer.js';
import type { BalancerProvider } from './providers/balancer-provider.js';
import type { BalancingStrategy } from './strategies/balancing-strategy.js';
import { ConsistentHashStrategy } from './strategies/consistent-hash.strategy.js';

/** What the balancer asks about origins; the origin registry answers from its local view, synchronously. */
export interface OriginDirectory {
  /** Origins that may take new streams. */
  available(): readonly Origin[];
  /** false only on evidence the origin is down (or expired); an origin this replica never heard of counts as alive. */
  isAlive(originId: string): boolean;
  /** The origin of an id the provider returned, also when this replica has not learned of it yet. */
  originOf(originId: string): Origin | undefined;
}

export interface StickyBalancerOptions {
  /** How long a stream keeps its origin after its last session ended. */
  readonly graceMs: number;
  /** How often assignments with live sessions are renewed in the provider (one batch). */
  readonly keepAliveMs: number;
}

interface LocalAssignment {
  origin: Origin;
  sessions: number;
  /** Some session of the stream relayed: the assignment outlives its last session by the grace period. */
  connected: boolean;
  /** This replica's claim created the assignment in the provider. */
  created: boolean;
  fallback: boolean;
  readonly since: number;
}

/**
 * Sticky stream -> origin placement. This replica's view of the streams it carries is local (session counts,
 * expiry); the agreement between replicas is the provider's claim. A stream with live sessions here keeps its
 * origin without asking the provider unless that origin is known to be down; a passive failure of some other
 * session never moves it (the origin registry decides what is down).
 *
 * Expiry is O(1) amortized: idle assignments wait in a map in the order they went idle, and the grace period is
 * the same for all, so expiry pops from the front and stops at the first that is still in grace.
 */
export class StickyBalancer implements Balancer {
  private readonly local = new Map<string, LocalAssignment>();
  private readonly idleSince = new Map<string, number>();
  /**
   * No idle assignment expires before this clock value: the grace period of the oldest idle one when it was last
   * looked at (removals from the front only make the true first expiry later). Lets expire(), which runs on every
   * acquire and release, return without walking the map while nothing is due.
   */
  private nextExpiryAt = Number.POSITIVE_INFINITY;
  private readonly streamsPerOrigin = new Map<string, number>();
  private readonly fallbackStrategy = new ConsistentHashStrategy();
  private readonly logger = new Logger('Balancer');
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private keepAliveRunning = false;
  private counters = { claims: 0, localHits: 0, reassigned: 0, fallbacks: 0, providerErrors: 0, conflicts: 0 };

  constructor(
    private readonly provider: BalancerProvider,
    private readonly strategy: BalancingStrategy,
    private readonly origins: OriginDirectory,
    private readonly options: StickyBalancerOptions,
    private readonly clock: () => number = Date.now,
  ) {}

  start(): void {
    this.keepAliveTimer = setInterval(() => void this.keepAlive(), this.options.keepAliveMs);
    this.keepAliveTimer.unref();
  }

  stop(): void {
    if (this.keepAliveTimer !== undefined) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }

  async acquire(streamKey: string): Promise<Origin | undefined> {
    const now = this.acquireNow(streamKey);
    if (now !== ACQUIRE_PENDING) return now;
    // Not held here, some origin available, and the provider needs I/O.
    const available = this.origins.available();
    const candidate = this.strategy.choose(streamKey, available, this.streamsPerOrigin);
    try {
      this.counters.claims++;
      const claim = await this.provider.claim(streamKey, candidate.id);
      let owner = claim.owner;
      let created = claim.created;
      if (!created && owner !== candidate.id && !this.origins.isAlive(owner)) {
        owner = await this.provider.reassign(streamKey, owner, candidate.id);
        created = owner === candidate.id;
        if (created) this.counters.reassigned++;
      }
      return this.placed(streamKey, candidate, owner, created, this.local.get(streamKey));
    } catch {
      return this.fallBack(streamKey, available);
    }
  }

  acquireNow(streamKey: string): Origin | undefined | typeof ACQUIRE_PENDING {
    this.expire();
    const held = this.local.get(streamKey);
    if (held !== undefined && held.sessions > 0 && this.origins.isAlive(held.origin.id)) {
      this.counters.localHits++;
      this.hold(streamKey, held.origin, false, held.fallback, held);
      return held.origin;
    }
    const available = this.origins.available();
    if (available.length === 0) return undefined;
    const provider = this.provider;
    if (provider.claimNow === undefined || provider.reassignNow === undefined) return ACQUIRE_PENDING;
    const candidate = this.strategy.choose(streamKey, available, this.streamsPerOrigin);
    try {
      this.counters.claims++;
      const claim = provider.claimNow(streamKey, candidate.id);
      let owner = claim.owner;
      let created = claim.created;
      if (!created && owner !== candidate.id && !this.origins.isAlive(owner)) {
        owner = provider.reassignNow(streamKey, owner, candidate.id);
        created = owner === candidate.id;
        if (created) this.counters.reassigned++;
      }
      // Nothing since `held` was read changes what this replica holds (the provider's answer is synchronous).
      return this.placed(streamKey, candidate, owner, created, held);
    } catch {
      return this.fallBack(streamKey, available);
    }
  }

  release(streamKey: string, _origin: Origin, connected: boolean): void {
    const held = this.local.get(streamKey);
    if (held === undefined || held.sessions === 0) return;
    held.sessions--;
    if (connected) held.connected = true;
    if (held.sessions > 0) return;
    if (held.connected) {
      const now = this.clock();
      this.idleSince.set(streamKey, now);
      if (this.idleSince.size === 1) this.nextExpiryAt = now + this.options.graceMs;
      this.expire();
      return;
    }
    // Every session of the stream failed its handshake: nothing to keep sticky, so no grace period.
    this.remove(streamKey, held);
    if (held.created) this.provider.drop(streamKey, held.origin.id).catch(() => this.counters.providerErrors++);
  }

  assignments(): AssignmentView[] {
    this.expire();
    return [...this.local].map(([streamKey, a]) => ({
      streamKey,
      origin: a.origin,
      sessions: a.sessions,
      since: a.since,
      fallback: a.fallback,
    }));
  }

  stats(): BalancerStats {
    return { strategy: this.strategy.name, provider: this.provider.status(), streams: this.local.size, ...this.counters };
  }

  /** Assignments held (live or in grace), for tests. */
  get size(): number {
    this.expire();
    return this.local.size;
  }

  /** Renews, in one batch, the assignments with live sessions; re-creates those the provider lost. */
  async keepAlive(): Promise<void> {
    if (this.keepAliveRunning) return;
    this.keepAliveRunning = true;
    try {
      this.expire();
      const live = new Map<string, string>();
      for (const [key, a] of this.local) if (a.sessions > 0) live.set(key, a.origin.id);
      if (live.size === 0) return;
      const conflicts = await this.provider.keepAlive(live);
      for (const a of this.local.values()) a.fallback = false;
      if (conflicts > 0) {
        // Live sessions cannot move; new sessions follow the provider. Happens after an outage split a placement.
        this.counters.conflicts += conflicts;
        this.logger.warn(`${conflicts} stream(s) with live sessions here are assigned to another origin in the provider`);
      }
    } catch {
      this.counters.providerErrors++;
    } finally {
      this.keepAliveRunning = false;
    }
  }

  /** The provider answered: `owner` holds the stream (the candidate's own origin when it won). */
  private placed(streamKey: string, candidate: Origin, owner: string, created: boolean, current: LocalAssignment | undefined): Origin {
    const origin = owner === candidate.id ? candidate : (this.origins.originOf(owner) ?? candidate);
    this.hold(streamKey, origin, created, false, current);
    return origin;
  }

  /** The provider is unreachable: a placement every replica computes alike from the origins it last knew. */
  private fallBack(streamKey: string, available: readonly Origin[]): Origin {
    this.counters.providerErrors++;
    this.counters.fallbacks++;
    const current = this.local.get(streamKey);
    const origin =
      current !== undefined && this.origins.isAlive(current.origin.id) ? current.origin : this.fallbackStrategy.choose(streamKey, available);
    this.hold(streamKey, origin, false, true, current);
    return origin;
  }

  /** `current`: the stream's assignment here as just read (undefined: none), so that no handshake looks it up twice. */
  private hold(streamKey: string, origin: Origin, created: boolean, fallback: boolean, current: LocalAssignment | undefined): void {
    let a = current;
    if (a === undefined) {
      a = { origin, sessions: 0, connected: false, created, fallback, since: this.clock() };
      this.local.set(streamKey, a);
      this.count(origin.id, 1);
    } else if (a.origin.id !== origin.id) {
      this.count(a.origin.id, -1);
      this.count(origin.id, 1);
      a.origin = origin;
      a.created = created;
      a.fallback = fallback;
    } else {
      a.created ||= created;
      a.fallback = fallback;
    }
    if (a.sessions === 0) this.idleSince.delete(streamKey);
    a.sessions++;
  }

  private expire(): void {
    const now = this.clock();
    if (now < this.nextExpiryAt) return;
    for (const [key, since] of this.idleSince) {
      if (now - since < this.options.graceMs) {
        this.nextExpiryAt = since + this.options.graceMs;
        return;
      }
      const a = this.local.get(key)!;
      this.remove(key, a);
      this.provider.idle(key, a.origin.id).catch(() => this.counters.providerErrors++);
    }
    this.nextExpiryAt = Number.POSITIVE_INFINITY;
  }

  private remove(key: string, a: LocalAssignment): void {
    this.local.delete(key);
    this.idleSince.delete(key);
    this.count(a.origin.id, -1);
  }

  private count(originId: string, delta: number): void {
    const n = (this.streamsPerOrigin.get(originId) ?? 0) + delta;
    if (n <= 0) this.streamsPerOrigin.delete(originId);
    else this.streamsPerOrigin.set(originId, n);
  }
}
