import type { Origin } from '../origins/origin.js';
import type { ProviderStatus } from './providers/balancer-provider.js';

/**
 * The one question the SRT code asks: which origin owns this stream key. The first session of a key assigns an
 * origin; every later session of the same key gets the same one while the assignment lives.
 */
export interface Balancer {
  /** Resolves to undefined when no origin can take the stream. Never waits long on the provider (fallback). */
  acquire(streamKey: string): Promise<Origin | undefined>;
  /**
   * acquire() without a promise when the answer needs no I/O (a stream with live sessions here, a provider whose
   * state is in this process): the same origin, state and counters. ACQUIRE_PENDING when only acquire() can tell;
   * nothing has changed then.
   */
  acquireNow(streamKey: string): Origin | undefined | typeof ACQUIRE_PENDING;
  /**
   * A session of `streamKey` ended (or never started after `acquire`). `connected` says whether it ever relayed:
   * a stream none of whose sessions connected keeps no assignment.
   */
  release(streamKey: string, origin: Origin, connected: boolean): void;
  /** The streams this replica holds, for the API. */
  assignments(): AssignmentView[];
  stats(): BalancerStats;
}

export interface AssignmentView {
  readonly streamKey: string;
  readonly origin: Origin;
  readonly sessions: number;
  /** When this replica first placed a session of the stream. */
  readonly since: number;
  /** Placed while the provider was unreachable (reconciled when it returns). */
  readonly fallback: boolean;
}

export interface BalancerStats {
  readonly strategy: string;
  readonly provider: ProviderStatus;
  readonly streams: number;
  readonly claims: number;
  readonly localHits: number;
  readonly reassigned: number;
  readonly fallbacks: number;
  readonly providerErrors: number;
  /** Renewals that found another origin in the store than the one this replica's live sessions use. */
  readonly conflicts: number;
}

export const BALANCER = Symbol('BALANCER');

/** acquireNow()'s answer when the origin needs I/O (a shared provider, another thread): ask acquire(). */
export const ACQUIRE_PENDING: unique symbol = Symbol('acquire pending');
