import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OriginsModule } from '../origins/origins.module.js';
import { SrtModule } from '../srt/srt.module.js';
import { HealthController } from './health.controller.js';
import { SrtHealthIndicator } from './srt-health.indicator.js';

@Module({
  imports: [TerminusModule, SrtModule, OriginsModule],
  controllers: [HealthController],
  providers: [SrtHealthIndicator],
})
export class HealthModule {}
