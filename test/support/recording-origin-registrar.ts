import { Injectable } from '@nestjs/common';
import type { Heartbeat } from '../../src/origins/heartbeat.js';
import type { OriginRegistrar } from '../../src/origins/origin-registrar.js';

/** Far more SRS servers than any cluster has; beyond it the oldest entry goes, so a flood cannot grow memory. */
const MAX_SERVERS = 1024;

/** A registrar for the register endpoint's tests: keeps the latest heartbeat of each SRS server, nothing else. */
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
