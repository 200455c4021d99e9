import { Module } from '@nestjs/common';
import { SrtModule } from '../srt/srt.module.js';
import { AdminController } from './admin.controller.js';
import { AdminTokenGuard } from './admin-token.guard.js';
import { SessionControlController } from './session-control.controller.js';

@Module({ imports: [SrtModule], controllers: [AdminController, SessionControlController], providers: [AdminTokenGuard] })
export class AdminModule {}
