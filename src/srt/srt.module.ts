import { Module } from '@nestjs/common';
import { BalancerModule } from '../balancer/balancer.module.js';
import { OriginsModule } from '../origins/origins.module.js';
import { AdmissionModule } from '../admission/admission.module.js';
import { EventsModule } from '../events/events.module.js';
import { HandshakeEngine } from './session/handshake-engine.js';
import { SessionManager } from './session/session-manager.js';
import { SrtListener } from './transport/srt-listener.js';
import { SrtTransportStrategy } from './transport/srt-transport.strategy.js';

@Module({
  imports: [BalancerModule, OriginsModule, AdmissionModule, EventsModule],
  providers: [SessionManager, HandshakeEngine, SrtListener, SrtTransportStrategy],
  exports: [SessionManager, SrtListener, SrtTransportStrategy],
})
export class SrtModule {}
