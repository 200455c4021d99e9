import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolveWorkerCount, type WorkerCount } from './worker-count.js';

const CGROUP_CPU_MAX = '/sys/fs/cgroup/cpu.max';

/** resolveWorkerCount with this machine's facts (the cgroup file read once, at start-up). */
export function readWorkerCount(configured: number | undefined): WorkerCount {
  let cpuMax: string | undefined;
  try {
    cpuMax = readFileSync(CGROUP_CPU_MAX, 'utf8');
  } catch {
    cpuMax = undefined;
  }
  return resolveWorkerCount(configured, { cpuMax, parallelism: availableParallelism(), nodeVersion: process.versions.node });
}
