import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { OriginRegistry } from '../origins/origin-registry.js';
import { SessionManager } from '../srt/session/session-manager.js';
import { SrtListener } from '../srt/transport/srt-listener.js';

/** Readiness facts about the SRT side: socket bound, somewhere to send streams, and whether it is draining. */
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

  /**
   * Draining is a detail, never "not ready": kube-proxy deletes the UDP conntrack entries of endpoints that stop
   * serving (= failing readiness), which would cut the live streams the drain exists to keep (docs/KUBERNETES.md).
   * New callers are turned away with 2402 by the handshake engine instead.
   */
  drain() {
    return this.health.check('drain').up({ draining: this.sessions.isDraining });
  }
}
