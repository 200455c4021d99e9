import type {
  BalancerProvider,
  Claim,
  ClusterSnapshot,
  ProviderStatus,
  ProviderTimings,
  RegisteredOriginRecord,
} from './balancer-provider.js';

/**
 * State in this process only: one replica, nothing shared. Assignments live exactly as long as the balancer keeps
 * them (it calls idle/drop), so no timer or scan is needed here.
 */
export class MemoryProvider implements BalancerProvider {
  readonly name = 'memory';
  private readonly assignments = new Map<string, string>();
  private readonly origins = new Map<string, { record: RegisteredOriginRecord; seenAt: number }>();
  private readonly probeDown = new Map<string, number>();
  private readonly since = new Date().toISOString();

  constructor(
    private readonly timings: ProviderTimings,
    private readonly clock: () => number = Date.now,
  ) {}

  claim(streamKey: string, candidate: string): Promise<Claim> {
    return Promise.resolve(this.claimNow(streamKey, candidate));
  }

  reassign(streamKey: string, expected: string, candidate: string): Promise<string> {
    return Promise.resolve(this.reassignNow(streamKey, expected, candidate));
  }

  /** State in this process: the balancer routes a handshake without a promise. */
  claimNow(streamKey: string, candidate: string): Claim {
    const owner = this.assignments.get(streamKey);
    if (owner !== undefined) return { owner, created: false };
    this.assignments.set(streamKey, candidate);
    return { owner: candidate, created: true };
  }

  reassignNow(streamKey: string, expected: string, candidate: string): string {
    const owner = this.assignments.get(streamKey);
    if (owner !== undefined && owner !== expected) return owner;
    this.assignments.set(streamKey, candidate);
    return candidate;
  }

  keepAlive(assignments: ReadonlyMap<string, string>): Promise<number> {
    let conflicts = 0;
    for (const [key, origin] of assignments) {
      const owner = this.assignments.get(key);
      if (owner === undefined) this.assignments.set(key, origin);
      else if (owner !== origin) conflicts++;
    }
    return Promise.resolve(conflicts);
  }

  idle(streamKey: string, origin: string): Promise<void> {
    return this.drop(streamKey, origin);
  }

  drop(streamKey: string, origin: string): Promise<void> {
    if (this.assignments.get(streamKey) === origin) this.assignments.delete(streamKey);
    return Promise.resolve();
  }

  register(record: RegisteredOriginRecord): Promise<void> {
    this.origins.set(record.id, { record, seenAt: this.clock() });
    return Promise.resolve();
  }

  reportProbe(originId: string, down: boolean): Promise<void> {
    if (down) this.probeDown.set(originId, this.clock());
    else this.probeDown.delete(originId);
    return Promise.resolve();
  }

  snapshot(): Promise<ClusterSnapshot> {
    const now = this.clock();
    const origins: { record: RegisteredOriginRecord; ageMs: number }[] = [];
    for (const [id, entry] of this.origins) {
      const ageMs = now - entry.seenAt;
      if (ageMs > this.timings.originForgetMs) this.origins.delete(id);
      else origins.push({ record: entry.record, ageMs });
    }
    const probeDown: string[] = [];
    for (const [id, at] of this.probeDown) {
      if (now - at > this.timings.probeDownTtlMs) this.probeDown.delete(id);
      else probeDown.push(id);
    }
    return Promise.resolve({ origins, probeDown });
  }

  /** Assignments held, for tests. */
  get size(): number {
    return this.assignments.size;
  }

  status(): ProviderStatus {
    return { provider: this.name, reachable: true, since: this.since };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
