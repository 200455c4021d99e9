import { Module } from '@nestjs/common';
import { OriginsModule } from '../origins/origins.module.js';
import { SrtModule } from '../srt/srt.module.js';
import { AdminController } from './admin.controller.js';

@Module({ imports: [SrtModule, OriginsModule], controllers: [AdminController] })
export class AdminModule {}
