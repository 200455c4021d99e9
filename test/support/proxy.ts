// The proxy under test or measurement (`node dist/src/main.js`) on free loopback ports, shared by the e2e tests
// (test/e2e/support/proxy.ts adds their defaults) and the benchmarks (bench/lib/system.ts adds theirs).

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ManagedProcess, sleep } from './process.js';
import { freeTcpPort, freeUdpPort, hostPort, httpGet, type LoopbackHost } from './net.js';
import { fdCount, isUdpPortBound, unlistedSockets } from './procfs.js';
import { envSchema } from '../../src/config/config.schema.js';

export interface SessionView {
  readonly id: string;
  /** The SRT worker holding the session (0 with WORKERS=1). */
  readonly worker: number;
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
  /** Datagrams not relayed (foreign address, stray origin packets). */
  readonly drops: number;
  /** Relay datagrams dropped because the kernel refused them (EAGAIN/ENOBUFS) or the send queue was full. */
  readonly sendQueueDrops: number;
  /** Relay sends that failed otherwise. */
  readonly sendErrors: number;
}

export interface ProxyStats {
  readonly sessions: { readonly active: number; readonly handshaking: number; readonly opened: number; readonly closed: number };
  readonly drops: {
    readonly malformed: number;
    readonly unknownSession: number;
    readonly foreignAddress: number;
    readonly badCookie: number;
    readonly unsupported: number;
    readonly rateLimited: number;
  };
  readonly sources: {
    readonly limiterSources: number;
    readonly cappedSources: number;
    readonly cachedRejections: number;
    readonly sourceCapped: number;
    readonly cachedRejectionsSent: number;
  };
  readonly handshakes: { readonly inductions: number; readonly accepted: number; readonly rejected: Record<string, number> };
  readonly originSockets: number;
  /** Process-wide failures: `send` counts handshake-path sends the kernel refused or that failed. */
  readonly errors: { readonly send: number; readonly origin: number; readonly socket: number };
  readonly dataPath: 'native' | 'js';
  readonly origins: { readonly known: number; readonly available: number };
}

export interface ProxyLaunchOptions {
  /** Host for SRT_LISTEN (the HTTP side always listens on 127.0.0.1). */
  readonly srtHost?: LoopbackHost;
  /** Env variables (ORIGINS at least) on top of this process's env, SRT_LISTEN, HTTP_LISTEN, LOG_LEVEL=warn, WORKERS=1. */
  readonly env: Record<string, string>;
  /** node flags before the entry point. */
  readonly nodeArgs?: readonly string[];
  /** Command the proxy runs under, e.g. `taskset -c 0`. */
  readonly prefix?: readonly string[];
  /** The proxy's stdout: kept for describe() ('capture', default) or not read ('ignore'). */
  readonly stdout?: 'capture' | 'ignore';
  /** Appends the proxy's stdout and stderr to this file. */
  readonly logFile?: string;
  /**
   * 'ready' (default) waits for GET /readyz = 200; 'alive' accepts any HTTP answer from /readyz once the SRT port
   * is bound (for set-ups with no reachable origin, where the proxy is rightly not ready).
   */
  readonly wait?: 'ready' | 'alive';
  /** How long start-up may take (default 60 s: 15 s seen on a loaded 2-core machine); then the proxy is killed and start() rejects. */
  readonly readyTimeoutMs?: number;
  /**
   * 'ours' (default): SRT_LISTEN, HTTP_LISTEN and LOG_LEVEL=warn are set. 'reference': only the Go proxy's
   * PROXY_SRT_SERVER and PROXY_SYSTEM_API, and no variable of ours is inherited from this process either.
   */
  readonly variables?: 'ours' | 'reference';
}

export const PROXY_MAIN = resolve(process.cwd(), 'dist/src/main.js');

/** Node flags that let {@link ProxyProcess.collectGarbage} run a full GC in the proxy (test-only preload). */
export const GC_ON_SIGNAL_NODE_ARGS: readonly string[] = ['--expose-gc', '--import', resolve(process.cwd(), 'dist/test/support/gc-on-signal.js')];

/**
 * WORKERS for proxies under test: 1 (the SRT side in the main thread, as each test's expectations of one process's
 * logs, limits and queues assume), or SRT_PROXY_TEST_WORKERS to run a whole suite with N workers (issue 7).
 * A test that is about workers sets WORKERS itself.
 */
function testWorkers(): string {
  return process.env.SRT_PROXY_TEST_WORKERS ?? '1';
}

/** `env` without any variable the proxy reads under its own names. */
function withoutProxyVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const ours = new Set(Object.keys(envSchema.shape));
  return Object.fromEntries(Object.entries(env).filter(([name]) => !ours.has(name)));
}

/** A running proxy (`node dist/src/main.js`) on free loopback ports. */
export class ProxyProcess {
  private constructor(
    readonly process: ManagedProcess,
    readonly srtHost: LoopbackHost,
    readonly srtPort: number,
    readonly httpPort: number,
  ) {}

  static async start(options: ProxyLaunchOptions): Promise<ProxyProcess> {
    if (!existsSync(PROXY_MAIN)) {
      throw new Error(`${PROXY_MAIN} does not exist: run npm run build:test (the proxy's entry point is src/main.ts)`);
    }
    const srtHost = options.srtHost ?? '127.0.0.1';
    const srtPort = await freeUdpPort(srtHost);
    const httpPort = await freeTcpPort('127.0.0.1');
    const listen =
      options.variables === 'reference'
        ? { PROXY_SRT_SERVER: hostPort(srtHost, srtPort), PROXY_SYSTEM_API: hostPort('127.0.0.1', httpPort) }
        : { SRT_LISTEN: hostPort(srtHost, srtPort), HTTP_LISTEN: hostPort('127.0.0.1', httpPort), LOG_LEVEL: 'warn', WORKERS: testWorkers() };
    const inherited = options.variables === 'reference' ? withoutProxyVariables(process.env) : process.env;
    const env: NodeJS.ProcessEnv = { ...inherited, ...listen, ...options.env };
    const argv = [...(options.prefix ?? []), process.execPath, ...(options.nodeArgs ?? []), PROXY_MAIN];
    const proc = new ManagedProcess(`proxy (srt ${hostPort(srtHost, srtPort)}, http ${httpPort})`, argv[0]!, argv.slice(1), {
      env,
      cwd: process.cwd(),
      stdout: options.stdout ?? 'capture',
      ...(options.logFile !== undefined ? { logFile: options.logFile } : {}),
    });
    const proxy = new ProxyProcess(proc, srtHost, srtPort, httpPort);
    try {
      await proxy.waitReady(options.wait ?? 'ready', options.readyTimeoutMs ?? 60_000);
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

  /** A full GC in the proxy (started with GC_ON_SIGNAL_NODE_ARGS), then a moment for it to finish. */
  async collectGarbage(): Promise<void> {
    process.kill(this.pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 300));
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

  /** HTTP status of a GET (e.g. 200/503 for /readyz). */
  async getStatus(path: string): Promise<number> {
    return (await httpGet(this.url(path))).status;
  }

  /** Polls /api/v1/stats until `accept` holds; the last stats on timeout, so the assertion shows them. */
  async waitForStats(accept: (stats: ProxyStats) => boolean, timeoutMs: number): Promise<ProxyStats> {
    const deadline = performance.now() + timeoutMs;
    let stats = await this.stats();
    while (!accept(stats) && performance.now() < deadline) {
      await sleep(50);
      stats = await this.stats();
    }
    return stats;
  }

  /** null while the proxy runs. */
  exitCode(): number | null {
    return this.process.running ? null : (this.process.exitInfo?.code ?? -1);
  }

  async sessions(): Promise<SessionView[]> {
    return (await this.getJson<{ sessions: SessionView[] }>('/api/v1/sessions')).sessions;
  }

  async stats(): Promise<ProxyStats> {
    return this.getJson<ProxyStats>('/api/v1/stats');
  }

  /**
   * Open fds and sockets, less the origin sockets the native data path keeps for the next sessions (`kept`: they hold
   * no port, and at most 256 per address family per worker; docs/DATA-PATH.md), so that leak checks compare what
   * sessions hold.
   */
  fds(): { total: number; sockets: number; kept: number } {
    const kept = unlistedSockets(this.pid);
    const { total, sockets } = fdCount(this.pid);
    return { total: total - kept, sockets: sockets - kept, kept };
  }

  /** SIGTERM, then wait (SIGKILL after `graceMs`). Idempotent. */
  async stop(graceMs = 8000): Promise<void> {
    await this.process.stop('SIGTERM', graceMs);
  }

  describe(): string {
    return this.process.describe(20_000);
  }
}
