import { Module } from '@nestjs/common';
import { AdmissionModule } from '../admission/admission.module.js';
import { EventsModule } from '../events/events.module.js';
import { HandshakeEngine } from './session/handshake-engine.js';
import { SessionManager } from './session/session-manager.js';
import { SrtListener } from './transport/srt-listener.js';
import { SrtTransportStrategy } from './transport/srt-transport.strategy.js';

@Module({
  imports: [AdmissionModule, EventsModule],
  providers: [SessionManager, HandshakeEngine, SrtListener, SrtTransportStrategy],
  exports: [SessionManager, SrtListener, SrtTransportStrategy],
})
export class SrtModule {}
