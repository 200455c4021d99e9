import { Counter, Gauge, type Registry } from 'prom-client';
import type { ProxySnapshot } from '../srt/session/proxy-snapshot.js';

/**
 * Admission and session-event families, filled at scrape time from the snapshot like every other counter.
 * Labels are fixed words (verdict, source, outcome), never a stream or a caller.
 */
export function defineAdmissionMetrics(registry: Registry, read: () => ProxySnapshot): void {
  const registers = [registry];
  new Counter({
    name: 'srt_proxy_admission_decisions_total',
    help: 'Admission decisions for new sessions by verdict (allowed, denied) and source: rules (the CIDR lists; allowed only with no webhook), webhook (its answer, fresh or cached), error (ADMISSION_ON_ERROR after a webhook failure).',
    labelNames: ['verdict', 'source'],
    registers,
    collect() {
      this.reset();
      const a = read().admission;
      this.inc({ verdict: 'denied', source: 'rules' }, a.deniedByRules);
      this.inc({ verdict: 'denied', source: 'webhook' }, a.deniedByWebhook);
      this.inc({ verdict: 'allowed', source: 'rules' }, a.allowedByRules);
      this.inc({ verdict: 'allowed', source: 'webhook' }, a.allowedByWebhook);
      this.inc({ verdict: 'allowed', source: 'error' }, a.errorsAllowed);
      this.inc({ verdict: 'denied', source: 'error' }, a.errorsDenied);
    },
  });
  new Counter({
    name: 'srt_proxy_admission_webhook_requests_total',
    help: 'Admission webhook lookups: call (an HTTP request made), cache (answered from ADMISSION_CACHE_MS), shared (joined a call in flight).',
    labelNames: ['kind'],
    registers,
    collect() {
      this.reset();
      const a = read().admission;
      this.inc({ kind: 'call' }, a.webhookCalls);
      this.inc({ kind: 'cache' }, a.cacheHits);
      this.inc({ kind: 'shared' }, a.sharedCalls);
    },
  });
  new Counter({
    name: 'srt_proxy_session_events_total',
    help: 'Session start/end events for EVENTS_URL: posted (2xx), failed (error or other status), dropped (queue full).',
    labelNames: ['outcome'],
    registers,
    collect() {
      this.reset();
      const e = read().events;
      this.inc({ outcome: 'posted' }, e.posted);
      this.inc({ outcome: 'failed' }, e.failed);
      this.inc({ outcome: 'dropped' }, e.dropped);
    },
  });
  new Gauge({
    name: 'srt_proxy_session_events_queued',
    help: 'Session events waiting to be posted (at most EVENTS_QUEUE_MAX).',
    registers,
    collect() {
      this.set(read().events.queued);
    },
  });
}
