import { Logger, Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import type { RedisConfig } from '../config/app-config.js';
import { createRedisClient, describeRedis, REDIS_CLIENT, whenReady, type RedisClient } from './redis-client.js';

/** How long start-up waits for a first connection; after that the proxy starts degraded and keeps reconnecting. */
const STARTUP_CONNECT_MS = 2000;

class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: RedisClient) {}

  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}

/** The one Redis connection of the process, for whatever needs Redis (today the redis balancer provider). */
@Module({})
export class RedisModule {
  static forRoot(config: RedisConfig): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        {
          provide: REDIS_CLIENT,
          useFactory: async (): Promise<RedisClient> => {
            const logger = new Logger('Redis');
            const client = createRedisClient(config);
            const where = describeRedis(config);
            let connected = false;
            // Without an 'error' listener ioredis would crash the process; report transitions only, not every retry.
            client.on('error', (error: Error) => {
              if (connected) logger.warn(`redis ${where}: ${error.message}`);
              connected = false;
            });
            client.on('ready', () => {
              if (!connected) logger.log(`redis ${where}: connected`);
              connected = true;
            });
            if (!(await whenReady(client, STARTUP_CONNECT_MS))) {
              logger.warn(`redis ${where}: not reachable at start-up; routing falls back until it is`);
            }
            return client;
          },
        },
        RedisLifecycle,
      ],
      exports: [REDIS_CLIENT],
    };
  }
}
