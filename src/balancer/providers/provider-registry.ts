import type { DynamicModule, InjectionToken } from '@nestjs/common';
import type { AppConfig, BalancerProviderName } from '../../config/app-config.js';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis-client.js';
import { RedisModule } from '../../redis/redis.module.js';
import type { BalancerProvider, ProviderTimings } from './balancer-provider.js';
import { MemoryProvider } from './memory.provider.js';
import { RedisProvider } from './redis.provider.js';

/** How to build one kind of provider: the modules it needs, what to inject, and the constructor call. */
export interface ProviderKind {
  modules(config: AppConfig): DynamicModule[];
  readonly inject: readonly InjectionToken[];
  create(timings: ProviderTimings, config: AppConfig, ...deps: never[]): BalancerProvider;
}

/** Adding a provider is one class plus one line here (and its name in BALANCER_PROVIDER_VALUES). */
export const PROVIDER_KINDS: Record<BalancerProviderName, ProviderKind> = {
  memory: { modules: () => [], inject: [], create: (timings) => new MemoryProvider(timings) },
  redis: {
    modules: (config) => [RedisModule.forRoot(config.redis)],
    inject: [REDIS_CLIENT],
    create: (timings, config, client: RedisClient) => new RedisProvider(client, config.redis.keyPrefix, timings),
  },
};
