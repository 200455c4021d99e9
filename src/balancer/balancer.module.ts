import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { OriginRegistry } from '../origins/origin-registry.js';
import { OriginsModule } from '../origins/origins.module.js';
import { BALANCER } from './balancer.js';
import { MemoryBalancer } from './providers/memory-balancer.js';
import { BALANCING_STRATEGY, type BalancingStrategy } from './strategies/balancing-strategy.js';
import { createStrategy } from './strategies/strategy-registry.js';

/** Provider and strategy both come from config and are injected through tokens, so either can be swapped alone. */
@Module({
  imports: [OriginsModule],
  providers: [
    {
      provide: BALANCING_STRATEGY,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): BalancingStrategy => createStrategy(config.balancer.strategy),
    },
    {
      provide: BALANCER,
      inject: [APP_CONFIG, BALANCING_STRATEGY, OriginRegistry],
      useFactory: (config: AppConfig, strategy: BalancingStrategy, origins: OriginRegistry) =>
        new MemoryBalancer(strategy, () => origins.available(), config.balancer.stickyGraceMs),
    },
  ],
  exports: [BALANCER],
})
export class BalancerModule {}
