import { Module } from '@nestjs/common';
import { HandshakeEngine } from './session/handshake-engine.js';
import { SessionManager } from './session/session-manager.js';
import { SrtListener } from './transport/srt-listener.js';
import { SrtTransportStrategy } from './transport/srt-transport.strategy.js';

@Module({
  providers: [SessionManager, HandshakeEngine, SrtListener, SrtTransportStrategy],
  exports: [SessionManager, SrtListener, SrtTransportStrategy],
})
export class SrtModule {}
