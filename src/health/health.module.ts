import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SrtModule } from '../srt/srt.module.js';
import { HealthController } from './health.controller.js';
import { SrtHealthIndicator } from './srt-health.indicator.js';

@Module({
  imports: [TerminusModule, SrtModule],
  controllers: [HealthController],
  providers: [SrtHealthIndicator],
})
export class HealthModule {}
