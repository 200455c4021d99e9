import type { Origin } from '../../origins/origin.js';
import type { BalancingStrategy } from './balancing-strategy.js';

export class RandomStrategy implements BalancingStrategy {
  readonly name = 'random';
  constructor(private readonly random: () => number = Math.random) {}

  choose(_streamKey: string, origins: readonly Origin[]): Origin {
    return origins[Math.floor(this.random() * origins.length) % origins.length]!;
  }
}
