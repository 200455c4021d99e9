import { Module } from '@nestjs/common';
import { OriginRegistry } from './origin-registry.js';
import { ORIGIN_REGISTRAR } from './origin-registrar.js';
import { RecordingOriginRegistrar } from './recording-origin-registrar.js';

@Module({
  providers: [
    OriginRegistry,
    // Stand-in until OriginRegistry implements OriginRegistrar (then: useExisting: OriginRegistry).
    { provide: ORIGIN_REGISTRAR, useClass: RecordingOriginRegistrar },
  ],
  exports: [OriginRegistry, ORIGIN_REGISTRAR],
})
export class OriginsModule {}
