import { Injectable } from '@nestjs/common';
import type { Heartbeat } from './heartbeat.js';
import type { OriginRegistrar } from './origin-registrar.js';

/** Far more SRS servers than any cluster has; beyond it the oldest entry goes, so a flood cannot grow memory. */
const MAX_SERVERS = 1024;

/**
 * STAND-IN, NOT ROUTING: keeps the latest heartbeat of each SRS server and nothing else. It lets the register
 * endpoint run before the origin registry implements OriginRegistrar; the registry replaces it as the
 * ORIGIN_REGISTRAR provider. Also the registrar of the endpoint's tests.
 */
@Injectable()
export class RecordingOriginRegistrar implements OriginRegistrar {
  private readonly latest = new Map<string, Heartbeat>();

  async register(heartbeat: Heartbeat): Promise<void> {
    this.latest.delete(heartbeat.serverId);
    this.latest.set(heartbeat.serverId, heartbeat);
    if (this.latest.size > MAX_SERVERS) this.latest.delete(this.latest.keys().next().value!);
  }

  /** The latest heartbeat per server, oldest first. */
  heartbeats(): Heartbeat[] {
    return [...this.latest.values()];
  }
}
