import { StickyBalancer } from '../../../src/balancer/sticky-balancer.js';
import { MemoryProvider } from '../../../src/balancer/providers/memory.provider.js';
import type { BalancingStrategy } from '../../../src/balancer/strategies/balancing-strategy.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { OriginRegistry } from '../../../src/origins/origin-registry.js';
import type { Origin } from '../../../src/origins/origin.js';

export const TIMINGS = { assignmentTtlMs: 10_000, originForgetMs: 600_000, probeDownTtlMs: 3000 };

export function origin(n: number): Origin {
  return { id: `127.0.0.${n}:10080`, host: `127.0.0.${n}`, port: 10080, source: `127.0.0.${n}:10080` };
}

/** A registry over static IP origins (no DNS, no timers: onModuleInit is not called) on a memory provider. */
export function cluster(options: {
  origins: number[];
  strategy: BalancingStrategy;
  graceMs?: number;
  env?: Record<string, string>;
  clock?: () => number;
}): { balancer: StickyBalancer; registry: OriginRegistry; provider: MemoryProvider } {
  const clock = options.clock ?? Date.now;
  const config = loadConfig({ ORIGINS: options.origins.map((n) => origin(n).id).join(','), ...options.env });
  const provider = new MemoryProvider(TIMINGS, clock);
  const registry = new OriginRegistry(config, provider, clock);
  const balancer = new StickyBalancer(provider, options.strategy, registry, { graceMs: options.graceMs ?? 1000, keepAliveMs: 500 }, clock);
  return { balancer, registry, provider };
}
