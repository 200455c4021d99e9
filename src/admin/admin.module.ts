import { Module } from '@nestjs/common';
import { AdminController } from './admin.controller.js';
import { AdminTokenGuard } from './admin-token.guard.js';
import { SessionControlController } from './session-control.controller.js';
import { WorkerControlController } from './worker-control.controller.js';

@Module({ controllers: [AdminController, SessionControlController, WorkerControlController], providers: [AdminTokenGuard] })
export class AdminModule {}
