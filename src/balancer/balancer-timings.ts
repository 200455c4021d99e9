import type { AppConfig } from '../config/app-config.js';
import type { StickyBalancerOptions } from './sticky-balancer.js';
import type { ProviderTimings } from './providers/balancer-provider.js';
import { ORIGIN_SYNC_MS } from '../origins/origin-registry.js';

/**
 * Lifetimes derived from config. Live assignments are renewed a few times per grace period (at most every 5 s),
 * and a stored assignment outlives its last renewal by the grace period plus two renewal intervals, so a replica
 * that is a little late never loses a live stream's assignment.
 */
export function balancerTimings(config: AppConfig): { balancer: StickyBalancerOptions; provider: ProviderTimings } {
  const graceMs = config.balancer.stickyGraceMs;
  const keepAliveMs = Math.min(5000, Math.max(500, Math.floor(graceMs / 3)));
  const health = config.originHealth;
  return {
    balancer: { graceMs, keepAliveMs },
    provider: {
      assignmentTtlMs: Math.max(graceMs, 1000) + 2 * keepAliveMs,
      originForgetMs: Math.max(10 * health.ttlMs, 600_000),
      probeDownTtlMs: Math.max(3 * ORIGIN_SYNC_MS, 2 * health.probeIntervalMs + health.probeTimeoutMs),
    },
  };
}
