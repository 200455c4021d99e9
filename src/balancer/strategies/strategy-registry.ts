import type { BalancerStrategyName } from '../../config/app-config.js';
import type { BalancingStrategy } from './balancing-strategy.js';
import { ConsistentHashStrategy } from './consistent-hash.strategy.js';
import { LeastStreamsStrategy } from './least-streams.strategy.js';
import { RandomStrategy } from './random.strategy.js';
import { RoundRobinStrategy } from './round-robin.strategy.js';

/** Adding a strategy is one class plus one line here (and its name in config). */
const STRATEGIES: Record<BalancerStrategyName, () => BalancingStrategy> = {
  random: () => new RandomStrategy(),
  'round-robin': () => new RoundRobinStrategy(),
  'least-streams': () => new LeastStreamsStrategy(),
  'consistent-hash': () => new ConsistentHashStrategy(),
};

export function createStrategy(name: BalancerStrategyName): BalancingStrategy {
  return STRATEGIES[name]();
}
