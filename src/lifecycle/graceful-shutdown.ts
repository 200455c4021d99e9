import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import type { SessionManager } from '../srt/session/session-manager.js';

const POLL_MS = 200;

/**
 * SIGTERM/SIGINT drain: new callers get 2402 at once (so they retry on another replica) while readiness stays true
 * (a not-ready endpoint's UDP conntrack entries are flushed by kube-proxy, cutting the very streams being drained:
 * docs/KUBERNETES.md), live sessions relay on until they end or `drainTimeoutMs` passes, then both sides of what is
 * left get SHUTDOWN and the process exits 0. A second signal skips the wait.
 */
export function installGracefulShutdown(app: INestApplication, sessions: SessionManager, drainTimeoutMs: number): void {
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

  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing !== undefined) {
      logger.warn(`${signal} again: closing the remaining ${sessions.sessionCount} sessions now`);
      skipWait?.();
      return;
    }
    sessions.drain();
    logger.log(`${signal}: draining ${sessions.sessionCount} sessions for at most ${drainTimeoutMs} ms`);
    closing = new Promise<void>((resolve) => {
      const deadline = Date.now() + drainTimeoutMs;
      const timer = setInterval(() => {
        if (sessions.sessionCount === 0 || Date.now() >= deadline) done();
      }, POLL_MS);
      const done = (): void => {
        clearInterval(timer);
        resolve();
      };
      skipWait = done;
      if (sessions.sessionCount === 0 || drainTimeoutMs === 0) done();
    }).then(finish);
  };

  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
