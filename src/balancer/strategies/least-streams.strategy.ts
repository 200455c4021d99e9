import type { Origin } from '../../origins/origin.js';
import type { BalancingStrategy } from './balancing-strategy.js';

/** The origin owning the fewest streams; ties go to the earliest in the list so the choice is predictable. */
export class LeastStreamsStrategy implements BalancingStrategy {
  readonly name = 'least-streams';

  choose(_streamKey: string, origins: readonly Origin[], streamsPerOrigin: ReadonlyMap<string, number>): Origin {
    let best = origins[0]!;
    let bestCount = streamsPerOrigin.get(best.id) ?? 0;
    for (let i = 1; i < origins.length; i++) {
      const count = streamsPerOrigin.get(origins[i]!.id) ?? 0;
      if (count < bestCount) {
        best = origins[i]!;
        bestCount = count;
      }
    }
    return best;
  }
}
