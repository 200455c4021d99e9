import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { OriginHealthConfig } from '../config/app-config.js';
import { OriginProber } from './origin-prober.js';
import { ORIGIN_SYNC_MS, type OriginRegistry } from './origin-registry.js';

/**
 * Runs the active SRT probe over every origin the registry knows and hands its verdicts to the registry, which
 * shares them through the provider (so one replica's 'down' takes the origin out on all). The target list follows
 * the registry (static, resolved and registered origins) once per sync.
 */
export class OriginProbing implements OnModuleInit, OnApplicationShutdown {
  private readonly prober: OriginProber;
  private timer: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('OriginProbing');

  constructor(
    private readonly settings: OriginHealthConfig,
    private readonly registry: OriginRegistry,
  ) {
    this.prober = new OriginProber(
      { intervalMs: settings.probeIntervalMs, timeoutMs: settings.probeTimeoutMs, missesToDown: settings.probeMisses },
      (originId, verdict) => registry.onProbeVerdict(originId, verdict),
    );
  }

  async onModuleInit(): Promise<void> {
    if (this.settings.probeIntervalMs === 0) return;
    this.retarget();
    await this.prober.start();
    this.registry.onChange(() => this.retarget());
    this.timer = setInterval(() => this.retarget(), ORIGIN_SYNC_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.prober.stop();
  }

  private retarget(): void {
    try {
      this.prober.setTargets(this.registry.all().map((o) => ({ id: o.id, host: o.host, port: o.port })));
    } catch (error) {
      // An origin whose host is not an IP literal cannot be probed; the others still are.
      this.logger.warn(`probe targets: ${(error as Error).message}`);
    }
  }
}
