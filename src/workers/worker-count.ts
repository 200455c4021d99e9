/**
 * How many SRT workers a process runs when WORKERS is not set: the CPUs the pod may use. In a container
 * os.availableParallelism() reports the node's CPUs, not the pod's limit, so the cgroup v2 quota (`cpu.max`,
 * "<quota> <period>" or "max <period>") is read and rounded up (a 1.5 CPU limit gets 2 workers: the kernel's
 * throttling spreads the quota over both).
 */
export interface WorkerCountFacts {
  /** The text of /sys/fs/cgroup/cpu.max, undefined when it cannot be read (cgroup v1, not Linux). */
  readonly cpuMax: string | undefined;
  /** os.availableParallelism(). */
  readonly parallelism: number;
  /** process.versions.node. */
  readonly nodeVersion: string;
}

export interface WorkerCount {
  readonly workers: number;
  /** Why this many, for the start-up log line. */
  readonly why: string;
  /** Set when the count was forced down (the start-up log says it at WARN). */
  readonly warning?: string;
}

/** dgram's `reusePort` arrived in Node 22.12 (and 23.1). */
export function nodeHasReusePort(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 22 ? !(major === 23 && minor < 1) : major === 22 && minor >= 12;
}

/** CPUs allowed by a cgroup v2 `cpu.max` text, rounded up; undefined for no quota or unreadable text. */
export function cpusOfCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max' || period === undefined) return undefined;
  const q = Number(quota);
  const p = Number(period);
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return undefined;
  return Math.ceil(q / p);
}

/** `configured` is WORKERS (undefined = automatic). */
export function resolveWorkerCount(configured: number | undefined, facts: WorkerCountFacts): WorkerCount {
  if (!nodeHasReusePort(facts.nodeVersion)) {
    const warning = `Node ${facts.nodeVersion} has no dgram reusePort (needs >= 22.12): running 1 SRT worker`;
    return { workers: 1, why: 'no reusePort in this Node', warning };
  }
  if (configured !== undefined) return { workers: configured, why: `WORKERS=${configured}` };
  const parallelism = Math.max(1, facts.parallelism);
  const quota = facts.cpuMax === undefined ? undefined : cpusOfCpuMax(facts.cpuMax);
  if (quota === undefined) return { workers: parallelism, why: `${parallelism} CPUs available, no cgroup CPU limit` };
  const workers = Math.max(1, Math.min(quota, parallelism));
  return { workers, why: `cgroup cpu.max "${facts.cpuMax!.trim()}" allows ${quota} CPUs, ${parallelism} available` };
}
