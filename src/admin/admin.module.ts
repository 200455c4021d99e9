import { Module } from '@nestjs/common';
import { OriginsModule } from '../origins/origins.module.js';
import { SrtModule } from '../srt/srt.module.js';
import { AdminController } from './admin.controller.js';
import { AdminTokenGuard } from './admin-token.guard.js';
import { SessionControlController } from './session-control.controller.js';

@Module({ imports: [SrtModule, OriginsModule], controllers: [AdminController, SessionControlController], providers: [AdminTokenGuard] })
export class AdminModule {}
