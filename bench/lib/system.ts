// CPU accounting, pinning, the proxy as deployed and table helpers for the benchmarks. Linux only (reads /proc).
// Ports, child processes, sleep and the other /proc readers are shared with the e2e tests: test/support/.

import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ProxyProcess } from '../../test/support/proxy.js';

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

/**
 * utime+stime of `pid` and of every process descending from it (WORKERS=N may fork), plus the time of children that
 * already exited and were reaped (cutime+cstime of `pid`), seconds. Threads are in their process's figures.
 */
export function processTreeCpuSeconds(pid: number): number {
  const parents = new Map<number, number[]>();
  const times = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    entries = [String(pid)];
  }
  for (const entry of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended between readdir and read
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const self = Number(entry);
    const ppid = Number(fields[1]);
    const own = Number(fields[11]) + Number(fields[12]);
    times.set(self, self === pid ? own + Number(fields[13]) + Number(fields[14]) : own);
    const siblings = parents.get(ppid);
    if (siblings) siblings.push(self);
    else parents.set(ppid, [self]);
  }
  let ticks = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    ticks += times.get(p) ?? 0;
    for (const child of parents.get(p) ?? []) stack.push(child);
  }
  return ticks / clkTck();
}

export function cpuDelta(a: CpuSample, b: CpuSample): { stat: number; sched: number; wallMs: number } {
  return { stat: b.statSeconds - a.statSeconds, sched: b.schedSeconds - a.schedSeconds, wallMs: b.at - a.at };
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
// The proxy

/** The node flags `npm start` and the Dockerfile run the proxy with, so the bench measures what is deployed. */
export const PROXY_NODE_FLAGS = ['--max-semi-space-size=4', '--single-threaded-gc'];

/**
 * Starts `node dist/src/main.js` (with {@link PROXY_NODE_FLAGS}) in front of `origins` on free loopback ports and
 * waits (at most 15 s) for GET /readyz = 200.
 */
export function startProxy(
  origins: string,
  options: { prefix?: string[]; env?: Record<string, string>; nodeArgs?: string[]; logFile?: string } = {},
): Promise<ProxyProcess> {
  return ProxyProcess.start({
    env: { ORIGINS: origins, SESSION_IDLE_TIMEOUT_MS: '60000', ...options.env },
    nodeArgs: [...PROXY_NODE_FLAGS, ...(options.nodeArgs ?? [])],
    prefix: options.prefix ?? [],
    stdout: 'ignore',
    logFile: options.logFile,
    readyTimeoutMs: 15_000,
  });
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

// ---------------------------------------------------------------------------------------------------------------
// Entry point

/** Runs a bench's `main`, then exits: 0, or 1 with the error on stderr. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
