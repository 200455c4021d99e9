import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { Origin } from './origin.js';
import { OriginHealth } from './origin-health.js';
import { OriginResolver } from './origin-resolver.js';

/** Bounds start-up: a dead DNS server must not keep the proxy (and its liveness) from starting. */
const STARTUP_RESOLVE_TIMEOUT_MS = 5000;

/** The origins a new stream may be assigned to: the static `ORIGINS`, resolved, minus those cooling down. */
@Injectable()
export class OriginRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly resolver: OriginResolver;
  private readonly health: OriginHealth;
  private readonly refreshMs: number;
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('Origins');

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.resolver = new OriginResolver(config.origins);
    this.health = new OriginHealth(config.originHealth.failureCooldownMs);
    this.refreshMs = config.originHealth.dnsRefreshMs;
  }

  async onModuleInit(): Promise<void> {
    const timeout = new Promise<string[]>((resolve) =>
      setTimeout(() => resolve(['origin name resolution still running after 5 s; continuing']), STARTUP_RESOLVE_TIMEOUT_MS).unref(),
    );
    for (const problem of await Promise.race([this.resolver.refresh(), timeout])) this.logger.warn(problem);
    this.refreshTimer = setInterval(() => void this.refresh(), this.refreshMs);
    this.refreshTimer.unref();
    this.logger.log(`origins: ${this.all().map((o) => o.id).join(', ') || 'none'}`);
  }

  onModuleDestroy(): void {
    if (this.refreshTimer !== undefined) clearInterval(this.refreshTimer);
  }

  /** Origins that may take new streams. */
  available(): Origin[] {
    return this.resolver.origins().filter((o) => this.health.isUp(o.id));
  }

  /** Every known origin, healthy or not. */
  all(): Origin[] {
    return this.resolver.origins();
  }

  /** Origins sitting out a cooldown after a failed handshake. */
  cooling(): string[] {
    return this.health.downIds();
  }

  reportFailure(origin: Origin): void {
    if (this.health.isUp(origin.id)) this.logger.warn(`origin ${origin.id} failed a handshake; excluded for a cooldown`);
    this.health.reportFailure(origin.id);
  }

  reportSuccess(origin: Origin): void {
    this.health.reportSuccess(origin.id);
  }

  private async refresh(): Promise<void> {
    for (const problem of await this.resolver.refresh()) this.logger.warn(problem);
  }
}
