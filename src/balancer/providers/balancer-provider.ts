/**
 * Where the routing state every replica must agree on lives: stream -> origin assignments, registered origins and
 * probe verdicts. One implementation per kind (memory, redis), chosen by BALANCER_PROVIDER. Origins are named by
 * their id (`ip:port`, the SRT endpoint), so any replica can route to an origin it learned of from the provider.
 *
 * Every method may reject (the store is unreachable); callers decide what to do then, nothing here retries.
 */
export interface BalancerProvider {
  readonly name: string;

  /**
   * The origin owning `streamKey`: the current owner (its lifetime renewed) or, when there is none, `candidate`,
   * set atomically so concurrent first claims from any replica agree.
   */
  claim(streamKey: string, candidate: string): Promise<Claim>;
  /** Moves `streamKey` from `expected` (found dead) to `candidate` unless someone already moved it; the owner after. */
  reassign(streamKey: string, expected: string, candidate: string): Promise<string>;
  /**
   * claim() and reassign() answered synchronously, by a provider whose state lives in this process (no I/O): the
   * handshake path then routes without a promise. Absent on providers that need I/O.
   */
  claimNow?(streamKey: string, candidate: string): Claim;
  reassignNow?(streamKey: string, expected: string, candidate: string): string;
  /**
   * Renews assignments with live sessions, re-creating those the store lost; never overrides another owner.
   * Resolves to the number found owned by another origin (conflicts left by an outage).
   */
  keepAlive(assignments: ReadonlyMap<string, string>): Promise<number>;
  /** The last local session ended and the grace period passed: the assignment may go (if no replica renews it). */
  idle(streamKey: string, origin: string): Promise<void>;
  /**
   * No session of the stream ever connected and this replica created the assignment: it goes at once if it is
   * still `origin`'s (a replica with live sessions of the stream re-creates it on its next renewal).
   */
  drop(streamKey: string, origin: string): Promise<void>;

  /** Records a heartbeat of a registered origin (the store's clock stamps it). */
  register(origin: RegisteredOriginRecord): Promise<void>;
  /** Marks `originId` down (refreshed while the probe says so) or clears the mark. */
  reportProbe(originId: string, down: boolean): Promise<void>;
  /** Registered origins with the age of their last heartbeat, and origins some replica's probe finds down. */
  snapshot(): Promise<ClusterSnapshot>;

  /** Whether the store answered lately; never throws. */
  status(): ProviderStatus;
  close(): Promise<void>;
}

export interface Claim {
  readonly owner: string;
  /** true when this claim created the assignment (the candidate won). */
  readonly created: boolean;
}

export interface RegisteredOriginRecord {
  /** `ip:port` of its SRT listener. */
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly serverId: string;
  readonly serviceId: string;
  readonly pid: string;
  readonly deviceId?: string;
}

export interface ClusterSnapshot {
  readonly origins: readonly { readonly record: RegisteredOriginRecord; readonly ageMs: number }[];
  readonly probeDown: readonly string[];
}

export interface ProviderStatus {
  readonly provider: string;
  /** false while the store is unreachable: routing falls back (see docs/REDIS.md). */
  readonly reachable: boolean;
  /** The last error's message (never a credential), while unreachable. */
  readonly lastError?: string;
  /** When `reachable` last changed. */
  readonly since: string;
}

/** Lifetimes the provider applies; derived from config by the balancer module. */
export interface ProviderTimings {
  /** An assignment not renewed for this long is gone (grace period plus a renewal interval or two). */
  readonly assignmentTtlMs: number;
  /** A registered origin silent for longer than this is forgotten by the store (the registry expires it sooner). */
  readonly originForgetMs: number;
  /** A probe 'down' mark not renewed for this long is gone. */
  readonly probeDownTtlMs: number;
}

export const BALANCER_PROVIDER = Symbol('BALANCER_PROVIDER');
