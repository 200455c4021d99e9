import type { AppConfig } from '../config/app-config.js';
import type { SrtWorkerData } from './worker-protocol.js';
import { workerShare } from './worker-shares.js';

/**
 * An SRT worker's configuration: the process's, on the port every worker shares (SO_REUSEPORT), with the one
 * cookie secret, and with its share of the process-wide session caps (docs/ABUSE.md "Workers").
 */
export function workerConfig(config: AppConfig, data: SrtWorkerData): AppConfig {
  const { srt } = config;
  return {
    ...config,
    workers: data.workers,
    srt: {
      ...srt,
      listen: { host: srt.listen.host, port: data.port },
      reusePort: true,
      listenFd: data.listenFd,
      cookieSecret: data.cookieSecret,
      maxSessions: workerShare(srt.maxSessions, data.workers, data.index),
      abuse: { ...srt.abuse, maxSessionsPerSource: workerShare(srt.abuse.maxSessionsPerSource, data.workers, data.index) },
    },
  };
}
