import { Module } from '@nestjs/common';
import { SourceGuard } from './abuse/source-guard.js';
import { AdmissionModule } from '../admission/admission.module.js';
import { EventsModule } from '../events/events.module.js';
import { HandshakeEngine } from './session/handshake-engine.js';
import { SessionManager } from './session/session-manager.js';
import { SrtListener } from './transport/srt-listener.js';

@Module({
  imports: [AdmissionModule, EventsModule],
  providers: [SourceGuard, SessionManager, HandshakeEngine, SrtListener],
  exports: [SessionManager, SrtListener],
})
export class SrtModule {}
