import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { SrtHealthIndicator } from './srt-health.indicator.js';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly srt: SrtHealthIndicator,
  ) {}

  /** Liveness: answering at all proves the event loop turns; nothing external is checked so a Redis or origin outage never restarts the pod. */
  @Get('healthz')
  @HealthCheck()
  liveness() {
    return this.health.check([() => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) })]);
  }

  /** Readiness: can this process carry media. Stays 200 while draining (the detail says so) so live flows keep their conntrack entries. */
  @Get('readyz')
  @HealthCheck()
  readiness() {
    return this.health.check([
      () => this.srt.listening(),
      () => this.srt.originsAvailable(),
      () => this.srt.provider(),
      () => this.srt.drain(),
    ]);
  }
}
