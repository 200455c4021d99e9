import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ManagedProcess, sleep } from './process.js';
import { fdCount, freeTcpPort, freeUdpPort, hostPort, httpGet, isUdpPortBound, type LoopbackHost } from './net.js';

export interface SessionView {
  readonly id: string;
  readonly caller: string;
  readonly callerSocketId: number;
  readonly originSocketId: number | null;
  readonly origin: string;
  readonly streamKey: string;
  readonly mode: string;
  readonly state: string;
  readonly packetsFromCaller: number;
  readonly bytesFromCaller: number;
  readonly packetsFromOrigin: number;
  readonly bytesFromOrigin: number;
}

export interface ProxyStats {
  readonly sessions: { readonly active: number; readonly handshaking: number };
  readonly drops: {
    readonly malformed: number;
    readonly unknownSession: number;
    readonly foreignAddress: number;
    readonly badCookie: number;
    readonly unsupported: number;
  };
  readonly handshakes: { readonly inductions: number; readonly accepted: number; readonly rejected: Record<string, number> };
  readonly originSockets: number;
}

export interface ProxyOptions {
  /** Host for SRT_LISTEN (the HTTP side always listens on 127.0.0.1). */
  readonly srtHost?: LoopbackHost;
  /** ORIGINS entries as `host:port` / `[::1]:port`. */
  readonly origins: readonly string[];
  readonly strategy?: string;
  readonly idleTimeoutMs?: number;
  readonly maxSessions?: number;
  readonly cookieSecret?: string;
  /** Extra env variables. */
  readonly env?: Record<string, string>;
  /**
   * 'ready' (default) waits for GET /readyz = 200; 'alive' accepts any HTTP answer from /readyz or /healthz once
   * the SRT port is bound (for set-ups with no reachable origin, where the proxy is rightly not ready).
   */
  readonly wait?: 'ready' | 'alive';
}

export const PROXY_MAIN = resolve(process.cwd(), 'dist/src/main.js');

/** A running proxy (`node dist/src/main.js`) on free loopback ports. */
export class ProxyProcess {
  private constructor(
    readonly process: ManagedProcess,
    readonly srtHost: LoopbackHost,
    readonly srtPort: number,
    readonly httpPort: number,
  ) {}

  static async start(options: ProxyOptions): Promise<ProxyProcess> {
    if (!existsSync(PROXY_MAIN)) {
      throw new Error(`${PROXY_MAIN} does not exist: run npm run build:test (the proxy's entry point is src/main.ts)`);
    }
    const srtHost = options.srtHost ?? '127.0.0.1';
    const srtPort = await freeUdpPort(srtHost);
    const httpPort = await freeTcpPort('127.0.0.1');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SRT_LISTEN: hostPort(srtHost, srtPort),
      HTTP_LISTEN: hostPort('127.0.0.1', httpPort),
      ORIGINS: options.origins.join(','),
      BALANCER_STRATEGY: options.strategy ?? 'round-robin',
      LOG_LEVEL: 'warn',
      // SIGTERM drains live sessions for DRAIN_TIMEOUT_MS (default 25 s): keep test teardown short.
      DRAIN_TIMEOUT_MS: '1000',
      ...(options.idleTimeoutMs !== undefined ? { SESSION_IDLE_TIMEOUT_MS: String(options.idleTimeoutMs) } : {}),
      ...(options.maxSessions !== undefined ? { MAX_SESSIONS: String(options.maxSessions) } : {}),
      ...(options.cookieSecret !== undefined ? { COOKIE_SECRET: options.cookieSecret } : {}),
      ...options.env,
    };
    const proc = new ManagedProcess(`proxy (srt ${hostPort(srtHost, srtPort)}, http ${httpPort})`, process.execPath, [PROXY_MAIN], {
      env,
      cwd: process.cwd(),
    });
    const proxy = new ProxyProcess(proc, srtHost, srtPort, httpPort);
    try {
      await proxy.waitReady(options.wait ?? 'ready', 10_000);
    } catch (error) {
      await proc.stop('SIGKILL', 2000);
      throw new Error(`${(error as Error).message}\n${proc.describe()}`);
    }
    return proxy;
  }

  private async waitReady(mode: 'ready' | 'alive', timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last = 'no answer';
    while (performance.now() < deadline) {
      if (!this.process.running) throw new Error(`proxy exited during start-up (${JSON.stringify(this.process.exitInfo)})`);
      try {
        const ready = await httpGet(this.url('/readyz'), 1000);
        last = `/readyz ${ready.status} ${ready.text.slice(0, 300)}`;
        if (ready.status === 200) return;
        if (mode === 'alive' && isUdpPortBound(this.srtPort)) return;
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(100);
    }
    throw new Error(`proxy not ready after ${timeoutMs} ms (last: ${last})`);
  }

  get pid(): number {
    return this.process.pid;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.httpPort}${path}`;
  }

  async getJson<T>(path: string): Promise<T> {
    const response = await httpGet<T>(this.url(path));
    if (response.status !== 200) throw new Error(`GET ${path}: HTTP ${response.status} ${response.text.slice(0, 500)}`);
    return response.body;
  }

  async sessions(): Promise<SessionView[]> {
    return (await this.getJson<{ sessions: SessionView[] }>('/api/v1/sessions')).sessions;
  }

  async stats(): Promise<ProxyStats> {
    return this.getJson<ProxyStats>('/api/v1/stats');
  }

  fds(): { total: number; sockets: number } {
    return fdCount(this.pid);
  }

  /** SIGTERM, then wait (SIGKILL after `graceMs`). Idempotent. */
  async stop(graceMs = 8000): Promise<void> {
    await this.process.stop('SIGTERM', graceMs);
  }

  describe(): string {
    return this.process.describe(20_000);
  }
}

/** Rejected-handshake counter for one wire code from /api/v1/stats (0 when absent). */
export function rejectedCount(stats: ProxyStats, wireCode: number): number {
  return stats.handshakes.rejected[String(wireCode)] ?? 0;
}
