import { Module } from '@nestjs/common';
import { SrtModule } from '../srt/srt.module.js';
import { AdminController } from './admin.controller.js';

@Module({ imports: [SrtModule], controllers: [AdminController] })
export class AdminModule {}
