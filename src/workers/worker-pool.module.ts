import { Global, Module } from '@nestjs/common';
import { SRT_SIDE } from '../srt/srt-side.js';
import { SrtTransportStrategy } from '../srt/transport/srt-transport.strategy.js';
import { WorkerPool } from './worker-pool.js';

/** WORKERS > 1: the main thread keeps HTTP, the registry and the balancer; the SRT side runs in worker threads. */
@Global()
@Module({
  providers: [WorkerPool, { provide: SRT_SIDE, useExisting: WorkerPool }, SrtTransportStrategy],
  exports: [SRT_SIDE, SrtTransportStrategy],
})
export class WorkerPoolModule {}
