import { Module } from '@nestjs/common';
import { OriginRegistry } from './origin-registry.js';

@Module({ providers: [OriginRegistry], exports: [OriginRegistry] })
export class OriginsModule {}
