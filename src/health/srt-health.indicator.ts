import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { BALANCER, type Balancer } from '../balancer/balancer.js';
import { OriginRegistry } from '../origins/origin-registry.js';
import { SRT_SIDE, type SrtSide } from '../srt/srt-side.js';

/** Readiness facts about the SRT side: socket bound, somewhere to send streams, and whether it is draining. */
@Injectable()
export class SrtHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(SRT_SIDE) private readonly srt: SrtSide,
    private readonly origins: OriginRegistry,
    @Inject(BALANCER) private readonly balancer: Balancer,
  ) {}

  listening() {
    const check = this.health.check('srt');
    // With WORKERS > 1: ready only when every worker's socket is bound.
    const address = this.srt.listening();
    const { workers } = this.srt.workerStats();
    return address === undefined
      ? check.down({ message: workers > 1 ? 'SRT sockets not bound on every worker' : 'SRT socket not bound', workers })
      : check.up({ address: address.address, port: address.port, workers });
  }

  /**
   * Never down: behind a UDP Service an unready pod loses its conntrack entries, so an origin or provider outage
   * failing readiness on every replica at once would cut every live stream. It shows as `degraded` instead.
   */
  originsAvailable() {
    const count = this.origins.available().length;
    return this.health.check('origins').up({ available: count, known: this.origins.all().length, degraded: count === 0 });
  }

  provider() {
    const status = this.balancer.stats().provider;
    return this.health.check('provider').up({ ...status, degraded: !status.reachable });
  }

  /**
   * Draining is a detail, never "not ready": kube-proxy deletes the UDP conntrack entries of endpoints that stop
   * serving (= failing readiness), which would cut the live streams the drain exists to keep (docs/KUBERNETES.md).
   * New callers are turned away with 2402 by the handshake engine instead.
   */
  drain() {
    return this.health.check('drain').up({ draining: this.srt.isDraining });
  }
}
