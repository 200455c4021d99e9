import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { OriginRegistry } from '../origins/origin-registry.js';
import { SessionManager } from '../srt/session/session-manager.js';
import { SrtListener } from '../srt/transport/srt-listener.js';

/** Readiness facts about the SRT side: socket bound, somewhere to send streams, not draining. */
@Injectable()
export class SrtHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly listener: SrtListener,
    private readonly sessions: SessionManager,
    private readonly origins: OriginRegistry,
  ) {}

  listening() {
    const check = this.health.check('srt');
    const address = this.listener.address();
    return address === undefined
      ? check.down({ message: 'SRT socket not bound' })
      : check.up({ address: address.address, port: address.port });
  }

  originsAvailable() {
    const check = this.health.check('origins');
    const count = this.origins.available().length;
    return count > 0 ? check.up({ count }) : check.down({ count, message: 'no origin configured or alive' });
  }

  notDraining() {
    const check = this.health.check('drain');
    return this.sessions.isDraining ? check.down({ message: 'draining' }) : check.up();
  }
}
