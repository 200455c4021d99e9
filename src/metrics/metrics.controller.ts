import { Controller, Get, Header } from '@nestjs/common';
import { ProxyMetrics } from './proxy-metrics.js';

@Controller()
export class MetricsController {
  constructor(private readonly metrics: ProxyMetrics) {}

  /** Prometheus text exposition format 0.0.4. */
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.render();
  }
}
