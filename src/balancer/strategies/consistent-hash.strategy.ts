import { createHash } from 'node:crypto';
import type { Origin } from '../../origins/origin.js';
import type { BalancingStrategy } from './balancing-strategy.js';

/**
 * Rendezvous (highest random weight) hashing: a key keeps its origin while that origin is available, and only the
 * keys of an origin that leaves move. Every replica computes the same answer without sharing state.
 */
export class ConsistentHashStrategy implements BalancingStrategy {
  readonly name = 'consistent-hash';

  choose(streamKey: string, origins: readonly Origin[]): Origin {
    let best = origins[0]!;
    let bestScore = -1n;
    for (const origin of origins) {
      const score = createHash('sha256').update(origin.id).update('\0').update(streamKey).digest().readBigUInt64BE(0);
      if (score > bestScore) {
        best = origin;
        bestScore = score;
      }
    }
    return best;
  }
}
