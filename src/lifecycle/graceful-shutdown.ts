import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import type { SrtSide } from '../srt/srt-side.js';

const POLL_MS = 200;

/**
 * SIGTERM/SIGINT drain: new callers get 2402 at once (so they retry on another replica) while readiness stays true
 * (a not-ready endpoint's UDP conntrack entries are flushed by kube-proxy, cutting the very streams being drained:
 * docs/KUBERNETES.md), live sessions relay on until they end or `drainTimeoutMs` passes, then both sides of what is
 * left get SHUTDOWN and the process exits 0. A second signal skips the wait. With WORKERS > 1 the signal reaches the
 * main thread, which drains every worker and counts their sessions.
 */
export function installGracefulShutdown(app: INestApplication, srt: SrtSide, drainTimeoutMs: number): void {
  const logger = new Logger('Shutdown');
  let closing: Promise<void> | undefined;
  let skipWait: (() => void) | undefined;

  const finish = async (): Promise<void> => {
    try {
      await app.close();
      logger.log('stopped');
      process.exit(0);
    } catch (error) {
      logger.error(`shutdown failed: ${(error as Error).message}`);
      process.exit(1);
    }
  };

  /** Live sessions, or -1 when a worker did not answer (the drain goes on until its deadline). */
  const live = (): Promise<number> => srt.liveSessions().catch(() => -1);

  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing !== undefined) {
      logger.warn(`${signal} again: closing the remaining sessions now`);
      skipWait?.();
      return;
    }
    srt.drain();
    closing = live()
      .then(
        (count) =>
          new Promise<void>((resolve) => {
            logger.log(`${signal}: draining ${count} sessions for at most ${drainTimeoutMs} ms`);
            const deadline = Date.now() + drainTimeoutMs;
            let polling = false;
            const timer = setInterval(() => {
              if (polling) return;
              polling = true;
              void live().then((n) => {
                polling = false;
                if (n === 0 || Date.now() >= deadline) done();
              });
            }, POLL_MS);
            const done = (): void => {
              clearInterval(timer);
              resolve();
            };
            skipWait = done;
            if (count === 0 || drainTimeoutMs === 0) done();
          }),
      )
      .then(finish);
  };

  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
