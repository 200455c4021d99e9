/**
 * A process-wide limit split over N workers: worker `index` gets its share, the shares add up to `limit` (never
 * more), and 0 (no limit) stays 0. A limit below N still gives every worker 1 (a worker with 0 would be unlimited),
 * so then the process holds at most N.
 */
export function workerShare(limit: number, workers: number, index: number): number {
  if (limit === 0 || workers <= 1) return limit;
  const base = Math.floor(limit / workers);
  const share = base + (index < limit % workers ? 1 : 0);
  return Math.max(1, share);
}
