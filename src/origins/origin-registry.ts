import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { isIP } from 'node:net';
import type { AppConfig, OriginHealthConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { formatHostPort, parseHostPort } from '../config/listen-address.js';
import {
  BALANCER_PROVIDER,
  type BalancerProvider,
  type RegisteredOriginRecord,
} from '../balancer/providers/balancer-provider.js';
import type { OriginDirectory } from '../balancer/sticky-balancer.js';
import { FailureStreak } from './failure-streak.js';
import type { Heartbeat } from './heartbeat.js';
import type { Origin } from './origin.js';
import type { OriginRegistrar } from './origin-registrar.js';
import { OriginResolver } from './origin-resolver.js';

/** Bounds start-up: a dead DNS server must not keep the proxy (and its liveness) from starting. */
const STARTUP_RESOLVE_TIMEOUT_MS = 5000;
/** How often the local view is refreshed from the provider (registered origins, shared probe verdicts). */
export const ORIGIN_SYNC_MS = 1000;

export type OriginHealthState = 'up' | 'down';

/** One origin as the API shows it. */
export interface OriginView {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly source: 'static' | 'registered';
  readonly health: OriginHealthState;
  /** Why it is down: `probe`, `failures`, `heartbeat-expired`. */
  readonly reasons: string[];
  readonly probe: 'up' | 'down' | 'unknown';
  readonly consecutiveFailures: number;
  readonly lastHeartbeat: string | null;
  readonly registration: Omit<RegisteredOriginRecord, 'id' | 'host' | 'port'> | null;
}

interface Registered {
  origin: Origin;
  record: RegisteredOriginRecord;
  /** Local-clock estimate of the last heartbeat (the provider reports ages, so replicas' clocks need not agree). */
  seenAt: number;
}

/**
 * The origins a stream may go to: static ones from `ORIGINS` and those that register by SRS heartbeat, with their
 * health. Everything the handshake path asks is answered from this local view; the view follows the provider
 * (shared by every replica) once a second.
 *
 * An origin is down only on evidence: ORIGIN_FAILURES_TO_DOWN consecutive failed handshakes (for
 * ORIGIN_FAILURE_COOLDOWN_MS), a probe verdict 'down' from any replica, or (registered origins) no heartbeat for
 * ORIGIN_TTL_MS. While the provider is unreachable heartbeats cannot be seen, so registered origins do not expire:
 * the last known set stays usable and probes and failures still take dead ones out.
 */
@Injectable()
export class OriginRegistry implements OriginDirectory, OriginRegistrar, OnModuleInit, OnModuleDestroy {
  private readonly resolver: OriginResolver;
  private readonly settings: OriginHealthConfig;
  private readonly streak: FailureStreak;
  private readonly downUntil = new Map<string, number>();
  private readonly registered = new Map<string, Registered>();
  private readonly localProbe = new Map<string, 'up' | 'down'>();
  private sharedProbeDown: ReadonlySet<string> = new Set();
  private providerReachable = true;
  private refreshTimer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private syncing = false;
  private readonly listeners: (() => void)[] = [];
  private readonly logger = new Logger('Origins');

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(BALANCER_PROVIDER) private readonly provider: BalancerProvider,
    private readonly clock: () => number = Date.now,
  ) {
    this.resolver = new OriginResolver(config.origins);
    this.settings = config.originHealth;
    this.streak = new FailureStreak(this.settings.failuresToDown, clock);
  }

  async onModuleInit(): Promise<void> {
    const timeout = new Promise<string[]>((resolve) =>
      setTimeout(() => resolve(['origin name resolution still running after 5 s; continuing']), STARTUP_RESOLVE_TIMEOUT_MS).unref(),
    );
    for (const problem of await Promise.race([this.resolver.refresh(), timeout])) this.logger.warn(problem);
    await this.sync();
    this.refreshTimer = setInterval(() => void this.refresh(), this.settings.dnsRefreshMs);
    this.refreshTimer.unref();
    this.syncTimer = setInterval(() => void this.sync(), ORIGIN_SYNC_MS);
    this.syncTimer.unref();
    this.logger.log(`static origins: ${this.resolver.origins().map((o) => o.id).join(', ') || 'none'}`);
  }

  onModuleDestroy(): void {
    if (this.refreshTimer !== undefined) clearInterval(this.refreshTimer);
    if (this.syncTimer !== undefined) clearInterval(this.syncTimer);
  }

  /** Origins that may take new streams. */
  available(): readonly Origin[] {
    const all = this.all();
    // Every handshake asks: when all are up (the usual case) the answer is that list itself, nothing made per call.
    for (const origin of all) if (!this.isAlive(origin.id)) return all.filter((o) => this.isAlive(o.id));
    return all;
  }

  /** Every known origin, healthy or not: static ones first, in `ORIGINS` order, then registered ones. */
  all(): readonly Origin[] {
    const statics = this.resolver.origins();
    if (this.registered.size === 0) return statics;
    const out = [...statics];
    const seen = new Set(out.map((o) => o.id));
    for (const r of this.registered.values()) if (!seen.has(r.origin.id)) out.push(r.origin);
    return out;
  }

  isAlive(originId: string): boolean {
    // The same tests as downReasons(), without building the list (every handshake asks); the cooldown's first, as it
    // ends an expired cooldown whatever the other tests say.
    return !this.coolingDown(originId) && !this.probedDown(originId) && !this.heartbeatExpired(originId);
  }

  originOf(originId: string): Origin | undefined {
    const known = this.registered.get(originId)?.origin ?? this.resolver.origins().find((o) => o.id === originId);
    if (known !== undefined) return known;
    // Another replica may know an origin this one has not synced yet; its id is its SRT endpoint.
    const parsed = parseHostPort(originId, undefined);
    if (typeof parsed === 'string' || isIP(parsed.host) === 0) return undefined;
    return { id: originId, host: parsed.host, port: parsed.port, source: 'registered' };
  }

  /** A handshake with the origin failed (unreachable or silent): passive evidence, counted in streaks. */
  reportFailure(origin: Origin): void {
    if (this.streak.failure(origin.id) && this.settings.failureCooldownMs > 0) {
      this.downUntil.set(origin.id, this.clock() + this.settings.failureCooldownMs);
      this.logger.warn(
        `origin ${origin.id} failed ${this.settings.failuresToDown} handshakes in a row; out for ${this.settings.failureCooldownMs} ms`,
      );
    }
  }

  reportSuccess(origin: Origin): void {
    this.streak.success(origin.id);
    this.downUntil.delete(origin.id);
  }

  /** The local probe's verdict; shared through the provider so every replica takes the origin out. */
  onProbeVerdict(originId: string, verdict: 'up' | 'down'): void {
    const before = this.localProbe.get(originId);
    this.localProbe.set(originId, verdict);
    if (before !== verdict) this.logger.log(`origin ${originId}: probe says ${verdict}`);
    if (verdict === 'up') this.downUntil.delete(originId);
    this.provider.reportProbe(originId, verdict === 'down').catch(() => undefined);
  }

  /** An SRS heartbeat (POST /api/v1/srs/register). Rejects when the provider cannot store it. */
  async register(heartbeat: Heartbeat): Promise<void> {
    // An origin without SRT (RTMP-only) is of no use to an SRT proxy; accepted and ignored, like the reference.
    if (heartbeat.srt === undefined) return;
    const { host, port } = heartbeat.srt;
    const id = formatHostPort({ host, port });
    const record: RegisteredOriginRecord = {
      id,
      host,
      port,
      serverId: heartbeat.serverId,
      serviceId: heartbeat.serviceId,
      pid: heartbeat.pid,
      ...(heartbeat.deviceId !== undefined ? { deviceId: heartbeat.deviceId } : {}),
    };
    const isNew = !this.registered.has(id);
    this.remember(record, this.clock());
    if (isNew) {
      this.logger.log(`origin ${id} registered (server ${record.serverId}, service ${record.serviceId})`);
      this.notify();
    }
    await this.provider.register(record);
  }

  /** Called when the origin set changes (the probe follows it). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  views(): OriginView[] {
    return this.all().map((origin) => {
      const registered = this.registered.get(origin.id);
      const isStatic = this.resolver.origins().some((o) => o.id === origin.id);
      const reasons = this.downReasons(origin.id);
      const probe = this.localProbe.get(origin.id) ?? (this.sharedProbeDown.has(origin.id) ? 'down' : 'unknown');
      let registration: OriginView['registration'] = null;
      if (registered !== undefined) {
        const { id: _id, host: _host, port: _port, ...rest } = registered.record;
        registration = rest;
      }
      return {
        id: origin.id,
        host: origin.host,
        port: origin.port,
        source: isStatic ? 'static' : 'registered',
        health: reasons.length === 0 ? 'up' : 'down',
        reasons,
        probe,
        consecutiveFailures: this.streak.failuresOf(origin.id),
        lastHeartbeat: registered !== undefined ? new Date(registered.seenAt).toISOString() : null,
        registration,
      };
    });
  }

  /** Reads the provider's view: registered origins, shared probe verdicts. Never throws. */
  async sync(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      // Renew this replica's 'down' marks so they outlive no replica that stopped seeing the origin down.
      for (const [id, verdict] of this.localProbe) if (verdict === 'down') await this.provider.reportProbe(id, true);
      const askedAt = this.clock();
      const snapshot = await this.provider.snapshot();
      const now = this.clock();
      let changed = false;
      const present = new Set<string>();
      for (const { record, ageMs } of snapshot.origins) {
        present.add(record.id);
        const seenAt = now - ageMs;
        const current = this.registered.get(record.id);
        if (current === undefined) changed = true;
        if (current === undefined || current.seenAt < seenAt) this.remember(record, seenAt);
      }
      for (const [id, entry] of this.registered) {
        // A heartbeat this replica took while the snapshot was read may not be in it yet: only older entries go.
        if (present.has(id) || entry.seenAt >= askedAt) continue;
        this.registered.delete(id);
        changed = true;
      }
      this.sharedProbeDown = new Set(snapshot.probeDown);
      if (!this.providerReachable) this.logger.log('provider reachable again: heartbeat expiry resumes');
      this.providerReachable = true;
      if (changed) this.notify();
    } catch (error) {
      if (this.providerReachable) {
        this.logger.warn(`provider unreachable (${(error as Error).message}): keeping the last known origins`);
      }
      this.providerReachable = false;
    } finally {
      this.syncing = false;
    }
  }

  private downReasons(originId: string): string[] {
    const reasons: string[] = [];
    if (this.probedDown(originId)) reasons.push('probe');
    if (this.coolingDown(originId)) reasons.push('failures');
    if (this.heartbeatExpired(originId)) reasons.push('heartbeat-expired');
    return reasons;
  }

  private probedDown(originId: string): boolean {
    return this.localProbe.get(originId) === 'down' || this.sharedProbeDown.has(originId);
  }

  /** Down for ORIGIN_FAILURE_COOLDOWN_MS after a streak of failed handshakes. */
  private coolingDown(originId: string): boolean {
    const until = this.downUntil.get(originId);
    if (until === undefined) return false;
    if (this.clock() < until) return true;
    // The cooldown is over: the next handshake is the test.
    this.downUntil.delete(originId);
    this.streak.forget(originId);
    return false;
  }

  private heartbeatExpired(originId: string): boolean {
    const registered = this.registered.get(originId);
    if (registered === undefined || !this.providerReachable || this.clock() - registered.seenAt <= this.settings.ttlMs) return false;
    return !this.resolver.origins().some((o) => o.id === originId);
  }

  private remember(record: RegisteredOriginRecord, seenAt: number): void {
    this.registered.set(record.id, {
      origin: { id: record.id, host: record.host, port: record.port, source: 'registered' },
      record,
      seenAt,
    });
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  private async refresh(): Promise<void> {
    for (const problem of await this.resolver.refresh()) this.logger.warn(problem);
  }
}
