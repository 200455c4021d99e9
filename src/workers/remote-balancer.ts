import { Logger } from '@nestjs/common';
import { ACQUIRE_PENDING, type AssignmentView, type Balancer, type BalancerStats } from '../balancer/balancer.js';
import type { Origin } from '../origins/origin.js';
import type { OriginReports } from '../origins/origin-reports.js';
import type { RpcChannel } from './rpc-channel.js';
import { MainMethods } from './worker-protocol.js';

/**
 * An SRT worker's balancer: the main thread's one, asked over the worker's message port, so every worker places a
 * stream on the same origin and SessionManager does not know it runs in a worker. An answer that does not come in
 * time counts as "no origin" (the caller gets 2401 and redials), never as a hang.
 */
export class RemoteBalancer implements Balancer {
  private readonly logger = new Logger('RemoteBalancer');

  constructor(
    private readonly main: RpcChannel,
    private readonly timeoutMs: number,
  ) {}

  async acquire(streamKey: string): Promise<Origin | undefined> {
    try {
      return await this.main.call<Origin | undefined>(MainMethods.acquire, [streamKey], this.timeoutMs);
    } catch (error) {
      this.logger.warn(`balancer in the main thread did not answer: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** The balancer lives in the main thread: always a message away. */
  acquireNow(): typeof ACQUIRE_PENDING {
    return ACQUIRE_PENDING;
  }

  release(streamKey: string, origin: Origin, connected: boolean): void {
    this.main.notify(MainMethods.release, [streamKey, origin, connected]);
  }

  /** The views are the main thread's (its API asks its own balancer). */
  assignments(): AssignmentView[] {
    throw new Error('balancer views are read in the main thread');
  }

  stats(): BalancerStats {
    throw new Error('balancer views are read in the main thread');
  }
}

/** An SRT worker's origin reports, forwarded to the registry in the main thread. */
export class RemoteOriginReports implements OriginReports {
  constructor(private readonly main: RpcChannel) {}

  reportFailure(origin: Origin): void {
    this.main.notify(MainMethods.originFailed, [origin]);
  }

  reportSuccess(origin: Origin): void {
    this.main.notify(MainMethods.originSucceeded, [origin]);
  }
}
