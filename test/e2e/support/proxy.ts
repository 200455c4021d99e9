import { ProxyProcess, type ProxyStats } from '../../support/proxy.js';
import type { LoopbackHost } from '../../support/net.js';

export interface ProxyOptions {
  /** Host for SRT_LISTEN (the HTTP side always listens on 127.0.0.1). */
  readonly srtHost?: LoopbackHost;
  /** ORIGINS entries as `host:port` / `[::1]:port`. */
  readonly origins: readonly string[];
  readonly strategy?: string;
  readonly idleTimeoutMs?: number;
  readonly maxSessions?: number;
  readonly cookieSecret?: string;
  /** Extra env variables. */
  readonly env?: Record<string, string>;
  /** Extra node flags for the proxy process. */
  readonly nodeArgs?: readonly string[];
  /**
   * 'ready' (default) waits for GET /readyz = 200; 'alive' accepts any HTTP answer from /readyz or /healthz once
   * the SRT port is bound (for set-ups with no reachable origin, where the proxy is rightly not ready).
   */
  readonly wait?: 'ready' | 'alive';
  /** How long start-up may take (default 10 s). */
  readonly readyTimeoutMs?: number;
  /** Appends the proxy's whole stdout and stderr to this file (the in-memory capture keeps only the tail). */
  readonly logFile?: string;
}

/** Starts a proxy with the e2e defaults (round-robin, short drain) on free loopback ports. */
export function startProxy(options: ProxyOptions): Promise<ProxyProcess> {
  return ProxyProcess.start({
    srtHost: options.srtHost,
    wait: options.wait,
    ...(options.nodeArgs !== undefined ? { nodeArgs: options.nodeArgs } : {}),
    ...(options.logFile !== undefined ? { logFile: options.logFile } : {}),
    ...(options.readyTimeoutMs !== undefined ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
    env: {
      ORIGINS: options.origins.join(','),
      BALANCER_STRATEGY: options.strategy ?? 'round-robin',
      // SIGTERM drains live sessions for DRAIN_TIMEOUT_MS (default 25 s): keep test teardown short.
      DRAIN_TIMEOUT_MS: '1000',
      // Most tests count exactly what an origin receives; the active probe's INDUCTIONs would be in their way.
      // The probe and failover tests turn it on.
      ORIGIN_PROBE_INTERVAL_MS: '0',
      ...(options.idleTimeoutMs !== undefined ? { SESSION_IDLE_TIMEOUT_MS: String(options.idleTimeoutMs) } : {}),
      ...(options.maxSessions !== undefined ? { MAX_SESSIONS: String(options.maxSessions) } : {}),
      ...(options.cookieSecret !== undefined ? { COOKIE_SECRET: options.cookieSecret } : {}),
      ...options.env,
    },
  });
}

/** Rejected-handshake counter for one wire code from /api/v1/stats (0 when absent). */
export function rejectedCount(stats: ProxyStats, wireCode: number): number {
  return stats.handshakes.rejected[String(wireCode)] ?? 0;
}
