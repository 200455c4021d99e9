// A real redis-server for the tests, on a free loopback port, without persistence, that a test can stop, kill,
// freeze and start again on the same port (to play a Redis outage and a restart that lost every key).

import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { freeTcpPort } from './net.js';
import { ManagedProcess, waitFor } from './process.js';

/** Fails loudly, naming the Debian package, when redis-server is not installed. */
export function requireRedisServer(): void {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error !== undefined || found.status !== 0) {
    throw new Error('redis-server not found: install the Debian package `redis-server` (bash scripts/install-test-deps.sh)');
  }
}

export class RedisServer {
  private proc: ManagedProcess | undefined;

  private constructor(readonly port: number) {}

  /** Starts redis-server on a free 127.0.0.1 port. */
  static async start(): Promise<RedisServer> {
    requireRedisServer();
    const server = new RedisServer(await freeTcpPort('127.0.0.1'));
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  get pid(): number {
    if (this.proc === undefined) throw new Error('redis-server not started');
    return this.proc.pid;
  }

  /** Starts (again) on the same port, empty: no RDB, no AOF. */
  async restart(): Promise<void> {
    if (this.running) throw new Error('redis-server is already running');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];
    this.proc = new ManagedProcess(`redis-server :${this.port}`, 'redis-server', args);
    await waitFor(
      `redis-server on port ${this.port}`,
      async () => {
        if (!this.proc!.running) throw new Error(`redis-server exited: ${this.proc!.describe()}`);
        return (await this.command('PING')) === 'PONG' ? true : undefined;
      },
      10_000,
      50,
    );
  }

  /** Graceful stop (SIGTERM). */
  async stop(): Promise<void> {
    await this.proc?.stop('SIGTERM', 5000);
  }

  /** Abrupt death (SIGKILL): connections reset, nothing flushed. */
  async kill(): Promise<void> {
    await this.proc?.stop('SIGKILL', 5000);
  }

  /** A hung Redis (SIGSTOP): connections stay open, nothing answers. */
  freeze(): void {
    process.kill(this.pid, 'SIGSTOP');
  }

  thaw(): void {
    process.kill(this.pid, 'SIGCONT');
  }

  /** One command on a short-lived connection. */
  async command(name: string, ...args: (string | number)[]): Promise<unknown> {
    const client = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.call(name, ...args);
    } finally {
      client.disconnect();
    }
  }

  /** Total calls of each command so far (INFO commandstats, commands inside scripts included). */
  async commandCalls(): Promise<Map<string, number>> {
    const info = String(await this.command('INFO', 'commandstats'));
    const out = new Map<string, number>();
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1]!, Number(m[2]));
    return out;
  }
}
