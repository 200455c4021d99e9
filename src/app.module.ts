import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import type { AppConfig } from './config/app-config.js';
import { BalancerModule } from './balancer/balancer.module.js';
import { AppConfigModule } from './config/config.module.js';
import { OriginsModule } from './origins/origins.module.js';
import { HealthModule } from './health/health.module.js';
import { RegisterModule } from './origins/register.module.js';
import { SrtModule } from './srt/srt.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [AppConfigModule.forRoot(config), BalancerModule.forRoot(config), OriginsModule, SrtModule, HealthModule, AdminModule, RegisterModule],
    };
  }
}
