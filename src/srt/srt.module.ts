import { Logger, Module } from '@nestjs/common';
import { SourceGuard } from './abuse/source-guard.js';
import { AdmissionModule } from '../admission/admission.module.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { EventsModule } from '../events/events.module.js';
import { COOKIE_SECRET, cookieSecretOf } from './session/cookie-secret.js';
import { HandshakeEngine } from './session/handshake-engine.js';
import { ProxyCounters } from './session/proxy-counters.js';
import { SessionManager } from './session/session-manager.js';
import { DATA_PATH } from './transport/data-path.js';
import { createDataPath } from './transport/data-path-factory.js';
import { SrtListener } from './transport/srt-listener.js';

@Module({
  imports: [AdmissionModule, EventsModule],
  providers: [
    { provide: DATA_PATH, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createDataPath(config.srt.dataPath, new Logger('DataPath')) },
    { provide: ProxyCounters, useFactory: () => new ProxyCounters() },
    { provide: COOKIE_SECRET, inject: [APP_CONFIG], useFactory: (config: AppConfig) => cookieSecretOf(config) },
    SourceGuard,
    SessionManager,
    HandshakeEngine,
    SrtListener,
  ],
  exports: [SessionManager, SrtListener],
})
export class SrtModule {}
