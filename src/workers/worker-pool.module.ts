import { Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { SRT_SIDE } from '../srt/srt-side.js';
import { SrtTransportStrategy } from '../srt/transport/srt-transport.strategy.js';
import { LISTEN_SOCKETS, listenSocketsFor } from './listen-sockets.js';
import { WorkerPool } from './worker-pool.js';

/** WORKERS > 1: the main thread keeps HTTP, the registry and the balancer; the SRT side runs in worker threads. */
@Global()
@Module({
  providers: [
    { provide: LISTEN_SOCKETS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => listenSocketsFor(config) },
    WorkerPool,
    { provide: SRT_SIDE, useExisting: WorkerPool },
    SrtTransportStrategy,
  ],
  exports: [SRT_SIDE, SrtTransportStrategy],
})
export class WorkerPoolModule {}
