// A real three-master Redis Cluster on free loopback ports, for the provider's Cluster-mode test.

import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from './net.js';
import { ManagedProcess, waitFor } from './process.js';
import { requireRedisServer } from './redis-server.js';

export class RedisCluster {
  private constructor(
    readonly ports: readonly number[],
    private readonly processes: readonly ManagedProcess[],
    private readonly dir: string,
  ) {}

  /** Starts three cluster-enabled redis-servers (no persistence) and joins them with `redis-cli --cluster create`. */
  static async start(): Promise<RedisCluster> {
    requireRedisServer();
    const dir = mkdtempSync(join(tmpdir(), 'srt-proxy-redis-cluster-'));
    const ports = [await clusterPort(), await clusterPort(), await clusterPort()];
    const processes = ports.map(
      (port) =>
        new ManagedProcess(`redis-server cluster :${port}`, 'redis-server', [
          '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no',
          '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir,
        ]),
    );
    const cluster = new RedisCluster(ports, processes, dir);
    try {
      for (const port of ports) {
        await waitFor(`redis-server :${port}`, () => (cli(port, 'PING') === 'PONG' ? true : undefined), 10_000, 50);
      }
      const create = spawnSync(
        'redis-cli',
        ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
        { encoding: 'utf8', timeout: 30_000 },
      );
      if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}\n${create.stderr}`);
      for (const port of ports) {
        await waitFor(`cluster state ok on :${port}`, () => (/cluster_state:ok/.test(cli(port, 'CLUSTER', 'INFO')) ? true : undefined), 15_000, 100);
      }
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** `host:port,...` as REDIS_CLUSTER_NODES takes it. */
  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop('SIGTERM', 5000)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A free port whose cluster-bus port (port + 10000) exists and was free a moment ago too. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freeTcpPort();
    if (port + 10_000 > 65_535) continue;
    const bus = await isTcpPortFree(port + 10_000);
    if (bus) return port;
  }
}

function isTcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function cli(port: number, ...args: string[]): string {
  const result = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', timeout: 5000 });
  if (result.error !== undefined) throw new Error(`redis-cli not found: install the Debian package redis-tools (${result.error.message})`);
  return (result.stdout ?? '').trim();
}

/** A real Sentinel (redis-server --sentinel) watching a standalone master, for the provider's Sentinel-mode test. */
export class RedisSentinel {
  private constructor(
    readonly sentinelPort: number,
    private readonly processes: readonly ManagedProcess[],
    private readonly dir: string,
  ) {}

  static async start(master: { port: number }, name: string): Promise<RedisSentinel> {
    requireRedisServer();
    const dir = mkdtempSync(join(tmpdir(), 'srt-proxy-redis-sentinel-'));
    const port = await freeTcpPort();
    const conf = join(dir, 'sentinel.conf');
    // Sentinel rewrites its config file, so it gets a writable one of its own.
    writeFileSync(conf, `port ${port}\nbind 127.0.0.1\nprotected-mode no\nsentinel monitor ${name} 127.0.0.1 ${master.port} 1\n`);
    const proc = new ManagedProcess(`redis-sentinel :${port}`, 'redis-server', [conf, '--sentinel']);
    const sentinel = new RedisSentinel(port, [proc], dir);
    try {
      await waitFor(
        `sentinel :${port} to know master ${name}`,
        () => (cli(port, 'SENTINEL', 'get-master-addr-by-name', name).includes(String(master.port)) ? true : undefined),
        10_000,
        100,
      );
    } catch (error) {
      await sentinel.stop();
      throw error;
    }
    return sentinel;
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop('SIGTERM', 5000)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
