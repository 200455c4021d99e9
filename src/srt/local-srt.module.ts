import { Global, Module } from '@nestjs/common';
import { LocalSrtSide } from './local-srt-side.js';
import { SRT_SIDE } from './srt-side.js';
import { SrtModule } from './srt.module.js';
import { SrtTransportStrategy } from './transport/srt-transport.strategy.js';

/** WORKERS=1: the SRT side (listener, sessions) in the main thread, next to HTTP. */
@Global()
@Module({
  imports: [SrtModule],
  providers: [LocalSrtSide, { provide: SRT_SIDE, useExisting: LocalSrtSide }, SrtTransportStrategy],
  exports: [SRT_SIDE, SrtTransportStrategy, SrtModule],
})
export class LocalSrtModule {}
