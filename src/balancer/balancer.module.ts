import { Inject, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { OriginProbing } from '../origins/origin-probing.js';
import { OriginRegistry } from '../origins/origin-registry.js';
import { ORIGIN_REGISTRAR } from '../origins/origin-registrar.js';
import { ORIGIN_REPORTS } from '../origins/origin-reports.js';
import { BALANCER } from './balancer.js';
import { balancerTimings } from './balancer-timings.js';
import { BALANCER_PROVIDER, type BalancerProvider } from './providers/balancer-provider.js';
import { PROVIDER_KINDS } from './providers/provider-registry.js';
import { StickyBalancer } from './sticky-balancer.js';
import { BALANCING_STRATEGY, type BalancingStrategy } from './strategies/balancing-strategy.js';
import { createStrategy } from './strategies/strategy-registry.js';

class BalancerLifecycle implements OnModuleDestroy {
  constructor(
    @Inject(BALANCER) private readonly balancer: StickyBalancer,
    @Inject(BALANCER_PROVIDER) private readonly provider: BalancerProvider,
  ) {}

  async onModuleDestroy(): Promise<void> {
    this.balancer.stop();
    await this.provider.close();
  }
}

/**
 * Routing: the provider (where shared state lives) and the strategy (how a new stream picks an origin) each
 * behind its own token and both chosen by config, the origin registry, and the balancer that combines them.
 * Global, so the SRT, health and API modules share the one registry and balancer.
 */
@Module({})
export class BalancerModule {
  static forRoot(config: AppConfig): DynamicModule {
    const kind = PROVIDER_KINDS[config.balancer.provider];
    const timings = balancerTimings(config);
    return {
      module: BalancerModule,
      global: true,
      imports: kind.modules(config),
      providers: [
        {
          provide: BALANCER_PROVIDER,
          inject: [...kind.inject],
          useFactory: (...deps: never[]): BalancerProvider => kind.create(timings.provider, config, ...deps),
        },
        { provide: BALANCING_STRATEGY, useFactory: (): BalancingStrategy => createStrategy(config.balancer.strategy) },
        {
          provide: OriginRegistry,
          inject: [APP_CONFIG, BALANCER_PROVIDER],
          useFactory: (appConfig: AppConfig, provider: BalancerProvider) => new OriginRegistry(appConfig, provider),
        },
        { provide: ORIGIN_REGISTRAR, useExisting: OriginRegistry },
        { provide: ORIGIN_REPORTS, useExisting: OriginRegistry },
        {
          provide: OriginProbing,
          inject: [OriginRegistry],
          useFactory: (origins: OriginRegistry) => new OriginProbing(config.originHealth, origins),
        },
        {
          provide: BALANCER,
          inject: [BALANCER_PROVIDER, BALANCING_STRATEGY, OriginRegistry],
          useFactory: (provider: BalancerProvider, strategy: BalancingStrategy, origins: OriginRegistry) => {
            const balancer = new StickyBalancer(provider, strategy, origins, timings.balancer);
            balancer.start();
            return balancer;
          },
        },
        BalancerLifecycle,
      ],
      exports: [BALANCER_PROVIDER, BALANCING_STRATEGY, OriginRegistry, ORIGIN_REGISTRAR, ORIGIN_REPORTS, BALANCER],
    };
  }
}
