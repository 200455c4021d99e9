import type { Origin } from '../../origins/origin.js';
import type { BalancingStrategy } from './balancing-strategy.js';

export class RoundRobinStrategy implements BalancingStrategy {
  readonly name = 'round-robin';
  private next = 0;

  choose(_streamKey: string, origins: readonly Origin[]): Origin {
    const origin = origins[this.next % origins.length]!;
    this.next = (this.next + 1) % 1_000_000_007;
    return origin;
  }
}
