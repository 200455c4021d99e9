import { Inject, Injectable } from '@nestjs/common';
import { BALANCER, type Balancer } from '../balancer/balancer.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { LogDestination } from '../logging/log-destination.js';
import { registerLinkMetrics } from './link-metrics.js';
import { OriginRegistry } from '../origins/origin-registry.js';
import type { ProxySnapshot } from '../srt/session/proxy-snapshot.js';
import { SessionManager } from '../srt/session/session-manager.js';
import { defineAdmissionMetrics } from './admission-metrics.js';

/** Handshake durations are tens of microseconds on loopback and up to the 2-3 s origin budget across the world. */
const HANDSHAKE_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3];

/**
 * The Prometheus view of the proxy. Every counter and gauge is filled at scrape time from one SessionManager
 * snapshot (plain numbers the data path bumps), so relaying a packet never calls prom-client. The one exception is
 * the handshake histogram, observed once per accepted handshake. Labels are bounded: mode, origin, reason, code,
 * direction; never a stream id or a caller.
 */
@Injectable()
export class ProxyMetrics {
  readonly registry = new Registry();
  private current: ProxySnapshot | undefined;

  constructor(
    private readonly sessions: SessionManager,
    private readonly origins: OriginRegistry,
    logDestination: LogDestination,
    @Inject(BALANCER) private readonly balancer: Balancer,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    collectDefaultMetrics({ register: this.registry });
    this.defineSessionMetrics();
    this.defineHandshakeMetrics();
    this.defineTrafficMetrics();
    this.defineOriginMetrics();
    registerLinkMetrics(this.registry, () => this.snapshot(), sessions, config.metrics);
    defineAdmissionMetrics(this.registry, () => this.snapshot());
    const registers = [this.registry];
    new Counter({
      name: 'srt_proxy_log_lines_dropped_total',
      help: 'Log lines dropped because stdout could not keep up (the relay is never made to wait for the log).',
      registers,
      collect() {
        this.reset();
        this.inc(logDestination.droppedLines);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; counters are read from one snapshot so they agree with each other. */
  async render(): Promise<string> {
    this.current = this.sessions.snapshot();
    try {
      return await this.registry.metrics();
    } finally {
      this.current = undefined;
    }
  }

  private snapshot(): ProxySnapshot {
    return this.current ?? this.sessions.snapshot();
  }

  private defineSessionMetrics(): void {
    const registers = [this.registry];
    const read = (): ProxySnapshot => this.snapshot();
    new Gauge({
      name: 'srt_proxy_sessions',
      help: 'Relayed sessions connected now, by mode (publish, request) and origin.',
      labelNames: ['mode', 'origin'],
      registers,
      collect() {
        this.reset();
        for (const { mode, origin, count } of read().sessions.live) this.set({ mode, origin }, count);
      },
    });
    new Gauge({
      name: 'srt_proxy_handshakes_in_progress',
      help: 'Callers whose handshake is under way (routing or the origin handshake).',
      registers,
      collect() {
        this.set(read().sessions.handshaking);
      },
    });
    new Counter({
      name: 'srt_proxy_sessions_total',
      help: 'Sessions that connected (origin accepted the handshake), by mode and origin.',
      labelNames: ['mode', 'origin'],
      registers,
      collect() {
        this.reset();
        for (const { mode, origin, count } of read().sessions.connectedTotal) this.inc({ mode, origin }, count);
      },
    });
    new Counter({
      name: 'srt_proxy_session_ends_total',
      help: 'Connected sessions that ended, by reason (caller-shutdown, origin-shutdown, idle, proxy-shutdown, ...).',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, count] of read().sessions.endedTotal) this.inc({ reason }, count);
      },
    });
    new Gauge({
      name: 'srt_proxy_origin_sockets',
      help: 'Open per-session origin sockets.',
      registers,
      collect() {
        this.set(read().originSockets);
      },
    });
    new Gauge({
      name: 'srt_proxy_draining',
      help: '1 while draining after SIGTERM (new callers get 2402), else 0.',
      registers,
      collect() {
        this.set(read().draining ? 1 : 0);
      },
    });
  }

  private defineHandshakeMetrics(): void {
    const registers = [this.registry];
    const read = (): ProxySnapshot => this.snapshot();
    new Counter({
      name: 'srt_proxy_handshakes_total',
      help: 'Caller handshakes by result: accepted, or rejected with the wire rejection code the caller got.',
      labelNames: ['result', 'code'],
      registers,
      collect() {
        this.reset();
        const { accepted, rejected } = read().handshakes;
        this.inc({ result: 'accepted' }, accepted);
        for (const [code, count] of rejected) this.inc({ result: 'rejected', code: String(code) }, count);
      },
    });
    new Counter({
      name: 'srt_proxy_handshake_packets_total',
      help: 'Handshake packets from callers: induction, conclusion, and conclusions repeated for a session under way.',
      labelNames: ['type'],
      registers,
      collect() {
        this.reset();
        const h = read().handshakes;
        this.inc({ type: 'induction' }, h.inductions);
        this.inc({ type: 'conclusion' }, h.conclusions);
        this.inc({ type: 'repeated_conclusion' }, h.repeatedConclusions);
      },
    });
    const duration = new Histogram({
      name: 'srt_proxy_handshake_duration_seconds',
      help: "Time from a caller's CONCLUSION to the origin's acceptance relayed back (the proxy's share of connect time).",
      buckets: HANDSHAKE_BUCKETS_SECONDS,
      registers,
    });
    this.sessions.observeHandshakes((seconds) => duration.observe(seconds));
  }

  private defineTrafficMetrics(): void {
    const registers = [this.registry];
    const read = (): ProxySnapshot => this.snapshot();
    new Counter({
      name: 'srt_proxy_packets_total',
      help: 'Datagrams relayed, by direction (caller_to_origin, origin_to_caller).',
      labelNames: ['direction'],
      registers,
      collect() {
        this.reset();
        const t = read().traffic;
        this.inc({ direction: 'caller_to_origin' }, t.packetsFromCaller);
        this.inc({ direction: 'origin_to_caller' }, t.packetsFromOrigin);
      },
    });
    new Counter({
      name: 'srt_proxy_bytes_total',
      help: 'UDP payload bytes relayed, by direction (caller_to_origin, origin_to_caller).',
      labelNames: ['direction'],
      registers,
      collect() {
        this.reset();
        const t = read().traffic;
        this.inc({ direction: 'caller_to_origin' }, t.bytesFromCaller);
        this.inc({ direction: 'origin_to_caller' }, t.bytesFromOrigin);
      },
    });
    new Counter({
      name: 'srt_proxy_dropped_packets_total',
      help: 'Datagrams dropped, by reason: malformed, unknown_session, foreign_address, bad_cookie, unsupported, origin_stray, rate_limited, send_queue_full, handshakes_shed.',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        const snapshot = read();
        const d = snapshot.drops;
        this.inc({ reason: 'malformed' }, d.malformed);
        this.inc({ reason: 'unknown_session' }, d.unknownSession);
        this.inc({ reason: 'foreign_address' }, d.foreignAddress);
        this.inc({ reason: 'bad_cookie' }, d.badCookie);
        this.inc({ reason: 'unsupported' }, d.unsupported);
        this.inc({ reason: 'origin_stray' }, d.originStray);
        this.inc({ reason: 'rate_limited' }, d.rateLimited);
        this.inc({ reason: 'send_queue_full' }, snapshot.traffic.sendQueueDrops);
        this.inc({ reason: 'handshakes_shed' }, d.handshakesShed);
      },
    });
    new Gauge({
      name: 'srt_proxy_data_path_info',
      help: 'Which data path relays (label path: native, or js for the TypeScript fallback); always 1.',
      labelNames: ['path'],
      registers,
      collect() {
        this.reset();
        this.set({ path: read().dataPath }, 1);
      },
    });
    new Counter({
      name: 'srt_proxy_cached_rejections_total',
      help: 'Redialed refusals answered from the negative cache (NEGATIVE_CACHE_MS), without parsing, routing or logging.',
      registers,
      collect() {
        this.reset();
        this.inc(read().sources.cachedRejectionsSent);
      },
    });
    new Counter({
      name: 'srt_proxy_source_cap_rejections_total',
      help: 'CONCLUSIONs refused with 2402 because their source holds MAX_SESSIONS_PER_SOURCE sessions.',
      registers,
      collect() {
        this.reset();
        this.inc(read().sources.sourceCapped);
      },
    });
    new Gauge({
      name: 'srt_proxy_limiter_sources',
      help: 'Sources the per-source handshake budget tracks now (at most HANDSHAKE_LIMITER_SOURCES).',
      registers,
      collect() {
        this.set(read().sources.limiterSources);
      },
    });
    new Counter({
      name: 'srt_proxy_socket_errors_total',
      help: 'Socket errors: send (handshake sends that threw), relay (relay sends the kernel refused), origin (ICMP unreachable, bind or connect failures), public.',
      labelNames: ['socket'],
      registers,
      collect() {
        this.reset();
        const snapshot = read();
        const e = snapshot.errors;
        this.inc({ socket: 'send' }, e.send);
        this.inc({ socket: 'relay' }, snapshot.traffic.sendErrors);
        this.inc({ socket: 'origin' }, e.origin);
        this.inc({ socket: 'public' }, e.socket);
      },
    });
  }

  private defineOriginMetrics(): void {
    const registers = [this.registry];
    const origins = this.origins;
    const balancer = this.balancer;
    new Gauge({
      name: 'srt_proxy_provider_up',
      help: '1 while the balancer provider (memory, or Redis) answers, 0 while routing falls back (placements by rendezvous hashing).',
      registers,
      collect() {
        this.set(balancer.stats().provider.reachable ? 1 : 0);
      },
    });
    new Counter({
      name: 'srt_proxy_balancer_fallbacks_total',
      help: 'New streams placed without the provider (it was unreachable), reconciled when it returns.',
      registers,
      collect() {
        this.reset();
        this.inc(balancer.stats().fallbacks);
      },
    });
    new Gauge({
      name: 'srt_proxy_origin_up',
      help: '1 for an origin that takes new streams, 0 for one that is down (failure streak, probe, expired heartbeat); by origin.',
      labelNames: ['origin'],
      registers,
      collect() {
        this.reset();
        const available = new Set(origins.available().map((o) => o.id));
        for (const o of origins.all()) this.set({ origin: o.id }, available.has(o.id) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'srt_proxy_origins',
      help: 'Known origins by state: up, down.',
      labelNames: ['state'],
      registers,
      collect() {
        const all = origins.all().length;
        const up = origins.available().length;
        this.set({ state: 'up' }, up);
        this.set({ state: 'down' }, all - up);
      },
    });
  }
}
