import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import type { AppConfig } from './config/app-config.js';
import { BalancerModule } from './balancer/balancer.module.js';
import { AppConfigModule } from './config/config.module.js';
import { OriginsModule } from './origins/origins.module.js';
import { HealthModule } from './health/health.module.js';
import { RegisterModule } from './origins/register.module.js';
import { LoggingModule } from './logging/logging.module.js';
import type { LogDestination } from './logging/log-destination.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { LocalSrtModule } from './srt/local-srt.module.js';
import { WorkerPoolModule } from './workers/worker-pool.module.js';

@Module({})
export class AppModule {
  /**
   * `logDestination`: where the JSON log lines go (stdout, asynchronously, unless a test says otherwise).
   * `config.workers` > 1 runs the SRT side in that many worker threads (resolved by main.ts; unset = 1 here).
   */
  static forRoot(config: AppConfig, logDestination?: LogDestination): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule.forRoot(config, logDestination),
        BalancerModule.forRoot(config),
        OriginsModule,
        (config.workers ?? 1) > 1 ? WorkerPoolModule : LocalSrtModule,
        HealthModule,
        AdminModule,
        MetricsModule,
        RegisterModule,
      ],
    };
  }
}
