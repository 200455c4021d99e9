import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/app-config.js';
import { formatHostPort } from '../config/listen-address.js';

export type RedisClient = Redis | Cluster;

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** Reconnect soon after Redis comes back, forever: recovery must need no restart. */
const reconnectDelay = (attempt: number): number => Math.min(100 * attempt, 1000);

/**
 * An ioredis client (standalone, Sentinel or Cluster) that never makes a caller wait for Redis: no offline queue
 * (a command while disconnected fails at once), no retry of a command lost with its connection, and a command
 * timeout. Routing has its own fallback for those failures.
 */
export function createRedisClient(config: RedisConfig): RedisClient {
  const common: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: config.commandTimeoutMs,
    enableAutoPipelining: true,
    retryStrategy: reconnectDelay,
    connectTimeout: 2000,
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(config.tls ? { tls: {} } : {}),
  };
  if (config.mode === 'cluster') {
    return new Cluster(
      config.clusterNodes.map((n) => ({ host: n.host, port: n.port })),
      {
        enableOfflineQueue: false,
        enableAutoPipelining: true,
        clusterRetryStrategy: reconnectDelay,
        redisOptions: common,
      },
    );
  }
  if (config.mode === 'sentinel') {
    return new Redis({
      ...common,
      db: config.db,
      sentinels: config.sentinels.map((n) => ({ host: n.host, port: n.port })),
      name: config.sentinelMaster,
      ...(config.sentinelPassword !== undefined ? { sentinelPassword: config.sentinelPassword } : {}),
      sentinelRetryStrategy: reconnectDelay,
    });
  }
  const url = new URL(config.url);
  return new Redis({
    ...common,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 6379 : Number(url.port),
    db: config.db,
  });
}

/** Where the client connects, for logs: never a password. */
export function describeRedis(config: RedisConfig): string {
  if (config.mode === 'cluster') return `cluster ${config.clusterNodes.map(formatHostPort).join(',')}`;
  if (config.mode === 'sentinel') return `sentinel ${config.sentinels.map(formatHostPort).join(',')} master ${config.sentinelMaster}`;
  const url = new URL(config.url);
  return `${url.protocol}//${url.host} db ${config.db}`;
}

/** Resolves when the client is ready or `timeoutMs` passed (start-up goes on either way, degraded). */
export function whenReady(client: RedisClient, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once('ready', onReady);
  });
}
