import { Module } from '@nestjs/common';
import { OriginsModule } from '../origins/origins.module.js';
import { MetricsController } from './metrics.controller.js';
import { ProxyMetrics } from './proxy-metrics.js';

@Module({ imports: [OriginsModule], controllers: [MetricsController], providers: [ProxyMetrics] })
export class MetricsModule {}
