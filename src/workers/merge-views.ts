import type { SessionListing } from '../admin/session-listing.js';
import type { ProxySnapshot } from '../srt/session/proxy-snapshot.js';
import { sumLinkCounts } from '../srt/session/link-counts.js';
import { firstStreams, type StreamLinkFigures } from '../srt/session/stream-links.js';

/**
 * The main thread's sums of what its SRT workers report: every count adds up, a flag is set when any worker's is,
 * and lists of labelled figures ({mode, origin, ...numbers}) add up per label set.
 */
export function mergeSnapshots(snapshots: readonly ProxySnapshot[]): ProxySnapshot {
  if (snapshots.length === 0) throw new Error('no snapshot to merge');
  return snapshots.reduce((sum, s) => mergeValue(sum, s) as ProxySnapshot);
}

function mergeValue(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a || b;
  if (a instanceof Map && b instanceof Map) {
    const out = new Map(a);
    for (const [key, value] of b) out.set(key, out.has(key) ? mergeValue(out.get(key), value) : value);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) return mergeLabelled(a, b);
  if (isRecord(a) && isRecord(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = key in out ? mergeValue(out[key], value) : value;
    return out;
  }
  // Labels (strings) agree, or the first worker's stands.
  return a;
}

/** Entries with the same string fields (their labels) are one entry: their numbers add up. */
function mergeLabelled(a: readonly unknown[], b: readonly unknown[]): unknown[] {
  const out = new Map<string, unknown>();
  for (const entry of [...a, ...b]) {
    const key = labelsOf(entry);
    const held = out.get(key);
    out.set(key, held === undefined ? entry : mergeValue(held, entry));
  }
  return [...out.values()];
}

function labelsOf(entry: unknown): string {
  if (!isRecord(entry)) return JSON.stringify(entry);
  return JSON.stringify(Object.entries(entry).filter(([, v]) => typeof v === 'string'));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Map);
}

/** Counts per key summed over the workers (sessions per origin). */
export function mergeCounts(maps: readonly ReadonlyMap<string, number>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const map of maps) for (const [key, n] of map) out.set(key, (out.get(key) ?? 0) + n);
  return out;
}

/** Sessions per stream and mode summed over the workers. */
export function mergeByStream(maps: readonly ReadonlyMap<string, Record<string, number>>[]): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const map of maps) {
    for (const [key, modes] of map) {
      const held = out.get(key) ?? {};
      for (const [mode, n] of Object.entries(modes)) held[mode] = (held[mode] ?? 0) + n;
      out.set(key, held);
    }
  }
  return out;
}

/**
 * A stream's figures from every worker (a publisher on one, its players on others) as one: counts add up, the RTT
 * is the worst. Then the first `max` in stream key order, as one process would have kept them.
 */
export function mergeStreamLinks(lists: readonly (readonly StreamLinkFigures[])[], max: number): { streams: StreamLinkFigures[]; omitted: number } {
  const groups = new Map<string, StreamLinkFigures>();
  for (const list of lists) {
    for (const f of list) {
      const key = `${f.streamKey}|${f.mode}`;
      const g = groups.get(key);
      if (g === undefined) {
        groups.set(key, { ...f });
        continue;
      }
      groups.set(key, {
        streamKey: f.streamKey,
        mode: f.mode,
        sessions: g.sessions + f.sessions,
        rttSeconds: g.rttSeconds === undefined ? f.rttSeconds : f.rttSeconds === undefined ? g.rttSeconds : Math.max(g.rttSeconds, f.rttSeconds),
        ...sumLinkCounts(g, f),
      });
    }
  }
  return firstStreams([...groups.values()], max);
}

/** A worker's session as the API lists it: its id made unique across workers (`w<worker>-<id>`). */
export function workerSessionView(view: SessionListing, worker: number): SessionListing {
  return { ...view, id: workerSessionId(worker, view.id), worker };
}

export function workerSessionId(worker: number, id: string): string {
  return `w${worker}-${id}`;
}

/** The worker and its own session id of an id from workerSessionId; undefined for any other text. */
export function parseWorkerSessionId(id: string): { worker: number; id: string } | undefined {
  const match = /^w(\d{1,3})-(.+)$/.exec(id);
  return match === null ? undefined : { worker: Number(match[1]), id: match[2]! };
}
