// Process, port and /proc helpers for the benchmarks. Linux only (reads /proc).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A UDP port that was free on `host` a moment ago. */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** A TCP port that was free on `host` a moment ago. */
export async function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** GET on a fresh connection (no keep-alive), JSON-decoded when possible. */
export function httpGet<T = unknown>(url: string, timeoutMs = 2000): Promise<{ status: number; body: T; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let body: unknown;
        try {
          body = text.length > 0 ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: response.statusCode ?? 0, body: body as T, text });
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url}: timeout after ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// CPU accounting

let clockTicks: number | undefined;

/** CLK_TCK from `getconf CLK_TCK` (100 on every Linux we know, used if getconf is missing). */
export function clkTck(): number {
  if (clockTicks === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number.parseInt(out.stdout ?? '', 10);
    clockTicks = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return clockTicks;
}

export interface CpuSample {
  /** utime + stime of all threads, seconds (from /proc/<pid>/stat, CLK_TCK resolution). */
  readonly statSeconds: number;
  /** Sum of on-CPU time over /proc/<pid>/task/*\/schedstat, seconds (ns resolution); NaN if unavailable. */
  readonly schedSeconds: number;
  /** Wall clock, ms (performance.now()). */
  readonly at: number;
}

export function cpuSample(pid: number): CpuSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces); field 3 (state) is index 0, so utime (14) is 11.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  let sched = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        sched += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // Thread ended between readdir and read: its time is folded into the process by the kernel.
      }
    }
  } catch {
    sched = Number.NaN;
  }
  return { statSeconds: ticks / clkTck(), schedSeconds: sched / 1e9, at: performance.now() };
}

export function cpuDelta(a: CpuSample, b: CpuSample): { stat: number; sched: number; wallMs: number } {
  return { stat: b.statSeconds - a.statSeconds, sched: b.schedSeconds - a.schedSeconds, wallMs: b.at - a.at };
}

/**
 * Per-socket receive-queue drops from /proc/net/udp{,6}, keyed by local port (summed if several sockets share
 * a port). These are datagrams the kernel threw away because the receiving socket's buffer was full.
 */
export function udpDropsByPort(): Map<number, number> {
  const drops = new Map<number, number>();
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 13) continue;
      const port = Number.parseInt(cols[1]!.split(':').pop()!, 16);
      drops.set(port, (drops.get(port) ?? 0) + Number(cols[cols.length - 1]));
    }
  }
  return drops;
}

// ---------------------------------------------------------------------------------------------------------------
// CPU pinning

export interface Pinning {
  readonly enabled: boolean;
  readonly note: string;
  /** Command prefix that runs a program on `cpu` (empty when pinning is off). */
  prefix(cpu: number): string[];
}

export function pinning(wanted: boolean): Pinning {
  const off = (note: string): Pinning => ({ enabled: false, note, prefix: () => [] });
  if (!wanted) return off('pinning off (--no-pin)');
  if (availableParallelism() < 2) return off('pinning off (fewer than 2 CPUs)');
  if (spawnSync('taskset', ['-V']).status !== 0) return off('pinning off (taskset not found)');
  return { enabled: true, note: 'pinned with taskset', prefix: (cpu) => ['taskset', '-c', String(cpu)] };
}

/** Moves every thread of `pid` to `cpu` (taskset -a -p). */
export function pinProcess(pid: number, cpu: number): boolean {
  return spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' }).status === 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Children

/** Children still running: killed when the bench process exits, whatever happened. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // gone
    }
  }
});

/**
 * A spawned child with a line-oriented stdout (commands on stdin, one reply line each) and a captured stderr tail.
 */
export class Child {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly lines: string[] = [];
  private waiters: (() => void)[] = [];
  private errTail = '';
  private done = false;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: { env?: NodeJS.ProcessEnv; stdout?: 'lines' | 'ignore'; logFile?: string } = {},
  ) {
    const stdout = options.logFile !== undefined ? 'lines' : (options.stdout ?? 'lines');
    const log = options.logFile !== undefined ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
    this.child = spawn(command, [...args], {
      env: options.env ?? process.env,
      stdio: ['pipe', stdout === 'lines' ? 'pipe' : 'ignore', 'pipe'],
    });
    live.add(this.child);
    if (this.child.stdout) {
      createInterface({ input: this.child.stdout }).on('line', (line) => {
        log?.write(`${line}\n`);
        if (stdout === 'ignore') return;
        this.lines.push(line);
        this.wake();
      });
    }
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      log?.write(chunk);
      this.errTail = (this.errTail + chunk).slice(-8000);
    });
    this.child.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.errTail += `\n[spawn error] ${error.message}`;
      });
      this.child.once('close', (code, signal) => {
        log?.end();
        this.done = true;
        live.delete(this.child);
        this.wake();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name}: not started (${this.errTail.trim()})`);
    return this.child.pid;
  }

  get running(): boolean {
    return !this.done;
  }

  get stderr(): string {
    return this.errTail;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  write(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** The next stdout line matching `prefix` (earlier non-matching lines are dropped). Rejects on timeout/exit. */
  async nextLine(prefix: RegExp, timeoutMs: number): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      while (this.lines.length > 0) {
        const line = this.lines.shift()!;
        if (prefix.test(line)) return line;
      }
      if (this.done) throw new Error(`${this.name} exited before printing ${prefix}; stderr: ${this.errTail.trim()}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${this.name}: no ${prefix} within ${timeoutMs} ms; stderr: ${this.errTail.trim()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** SIGTERM (or the given signal), SIGKILL after `graceMs`. Idempotent. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    if (this.done) return;
    try {
      this.child.stdin!.end();
      this.child.kill(signal);
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        this.child.kill('SIGKILL');
      } catch {
        // gone
      }
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The proxy

export const PROXY_MAIN = 'dist/src/main.js';
/** The node flags `npm start` and the Dockerfile run the proxy with, so the bench measures what is deployed. */
export const PROXY_NODE_FLAGS = ['--max-semi-space-size=1'];

export interface ProxyHandle {
  readonly child: Child;
  readonly srtPort: number;
  readonly httpPort: number;
  url(path: string): string;
  getJson<T>(path: string): Promise<T>;
}

/** Starts `node dist/src/main.js` on free loopback ports and waits for GET /readyz = 200. */
export async function startProxy(
  origins: string,
  options: { prefix?: string[]; env?: Record<string, string>; nodeArgs?: string[]; logFile?: string } = {},
): Promise<ProxyHandle> {
  if (!existsSync(PROXY_MAIN)) throw new Error(`${PROXY_MAIN} not found: run from the repo root after npm run build:test`);
  const srtPort = await freeUdpPort('127.0.0.1');
  const httpPort = await freeTcpPort('127.0.0.1');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SRT_LISTEN: `127.0.0.1:${srtPort}`,
    HTTP_LISTEN: `127.0.0.1:${httpPort}`,
    ORIGINS: origins,
    LOG_LEVEL: 'warn',
    SESSION_IDLE_TIMEOUT_MS: '60000',
    ...options.env,
  };
  const prefix = options.prefix ?? [];
  const argv = [...prefix, process.execPath, ...PROXY_NODE_FLAGS, ...(options.nodeArgs ?? []), PROXY_MAIN];
  const child = new Child('proxy', argv[0]!, argv.slice(1), { env, stdout: 'ignore', ...(options.logFile !== undefined ? { logFile: options.logFile } : {}) });
  const url = (path: string): string => `http://127.0.0.1:${httpPort}${path}`;
  const deadline = performance.now() + 15_000;
  let last = 'no answer';
  for (;;) {
    if (!child.running) throw new Error(`proxy exited during start-up: ${child.stderr.trim()}`);
    try {
      const r = await httpGet(url('/readyz'), 1000);
      if (r.status === 200) break;
      last = `/readyz ${r.status} ${r.text.slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (performance.now() > deadline) {
      await child.stop('SIGKILL');
      throw new Error(`proxy not ready after 15 s (last: ${last}); stderr: ${child.stderr.trim()}`);
    }
    await sleep(100);
  }
  return {
    child,
    srtPort,
    httpPort,
    url,
    async getJson<T>(path: string): Promise<T> {
      const r = await httpGet<T>(url(path));
      if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
      return r.body;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

export function pad(text: string | number, width: number, left = false): string {
  const s = String(text);
  return left ? s.padEnd(width) : s.padStart(width);
}

/**
 * Time from /proc/stat for one CPU (`cpu` = 0, 1, ...) or all of them (`cpu` = 'all'), seconds (CLK_TCK
 * resolution): task time (user+nice+system), interrupt context (irq, softirq) and time stolen by the hypervisor.
 */
export function cpuLineSample(cpu: number | 'all'): { task: number; irq: number; softirq: number; steal: number } {
  const prefix = cpu === 'all' ? 'cpu ' : `cpu${cpu} `;
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(prefix));
  // cpuN user nice system idle iowait irq softirq steal ...
  const f = (line ?? '').trim().split(/\s+/).map(Number);
  const t = clkTck();
  return {
    task: ((f[1] ?? Number.NaN) + (f[2] ?? Number.NaN) + (f[3] ?? Number.NaN)) / t,
    irq: (f[6] ?? Number.NaN) / t,
    softirq: (f[7] ?? Number.NaN) / t,
    steal: (f[8] ?? Number.NaN) / t,
  };
}
