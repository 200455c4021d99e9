import { waitFor } from '../../support/process.js';
import type { ProxyProcess, ProxyStats, SessionView } from '../../support/proxy.js';

/** libsrt-style stream id `#!::r=live/<name>,m=<mode>`. */
export function sid(name: string, mode: 'publish' | 'request'): string {
  return `#!::r=live/${name},m=${mode}`;
}

/** Waits until /api/v1/sessions lists a session whose key contains `live/<name>` (and satisfies `extra`). */
export function waitForSession(
  proxy: ProxyProcess,
  name: string,
  timeoutMs = 5000,
  extra: (s: SessionView) => boolean = () => true,
): Promise<SessionView> {
  return waitFor(
    `a session for live/${name} in /api/v1/sessions`,
    async () => (await proxy.sessions()).find((s) => s.streamKey.includes(`live/${name}`) && extra(s)),
    timeoutMs,
    50,
  );
}

/** Waits until the proxy holds no session and no origin socket (after SHUTDOWN grace or idle timeout). */
export function waitForNoSessions(proxy: ProxyProcess, timeoutMs = 5000): Promise<ProxyStats> {
  return waitFor(
    'the proxy to hold no session and no origin socket',
    async () => {
      const stats = await proxy.stats();
      return stats.sessions.active === 0 && stats.sessions.handshaking === 0 && stats.originSockets === 0 ? stats : undefined;
    },
    timeoutMs,
    100,
  );
}

export function summarize(values: readonly number[]): string {
  if (values.length === 0) return 'n=0';
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const pick = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `n=${values.length} min=${sorted[0]!.toFixed(1)} mean=${mean.toFixed(1)} p50=${pick(0.5).toFixed(1)} p95=${pick(0.95).toFixed(1)} max=${sorted[sorted.length - 1]!.toFixed(1)} ms`;
}
