import type { Origin } from '../../origins/origin.js';

/** How a NEW stream picks among the available origins. Never called with an empty list. */
export interface BalancingStrategy {
  readonly name: string;
  choose(streamKey: string, origins: readonly Origin[], streamsPerOrigin: ReadonlyMap<string, number>): Origin;
}

export const BALANCING_STRATEGY = Symbol('BALANCING_STRATEGY');
