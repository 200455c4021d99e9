import type { ProxySnapshot } from '../srt/session/proxy-snapshot.js';
import { mergeSnapshots } from './merge-views.js';

/**
 * A worker's snapshot with its gauges (what is live now: sessions, handshakes under way, open sockets, table sizes,
 * bitrates, queued events) at zero and its counters kept: what it still adds to the process's totals once it is gone.
 */
export function countsOnly(s: ProxySnapshot): ProxySnapshot {
  return {
    ...s,
    sessions: { ...s.sessions, live: [], connected: 0, handshaking: 0 },
    sources: { ...s.sources, limiterSources: 0, cappedSources: 0, cachedRejections: 0 },
    originSockets: 0,
    links: s.links.map((l) => ({ ...l, bitrateCallerToOrigin: 0, bitrateOriginToCaller: 0 })),
    events: { ...s.events, queued: 0 },
  };
}

/**
 * The counters of worker threads, kept past their answers so the merged totals never go backwards: Prometheus reads
 * a sum that drops as a counter reset, and the rate over it as a burst. A thread's last answer stands in when it
 * misses a scrape (busy, or being replaced), and is added to the retired sum when it exits; a restarted thread
 * counts from zero on top of that. What a crashed thread counted after its last answer is lost (never reported, so
 * no reader saw it go backwards).
 */
export class RetiredCounts<Thread> {
  private readonly last = new Map<Thread, ProxySnapshot>();
  private retired: ProxySnapshot | undefined;

  /** Merges this round's answers with the last known counts of the threads that did not answer and of those gone. */
  merge(answers: readonly { thread: Thread; snapshot: ProxySnapshot }[]): ProxySnapshot {
    if (answers.length === 0) throw new Error('no SRT worker answered');
    const answered = new Set<Thread>();
    for (const { thread, snapshot } of answers) {
      answered.add(thread);
      this.last.set(thread, countsOnly(snapshot));
    }
    const parts = answers.map((a) => a.snapshot);
    for (const [thread, counts] of this.last) if (!answered.has(thread)) parts.push(counts);
    if (this.retired !== undefined) parts.push(this.retired);
    return mergeSnapshots(parts);
  }

  /** `thread` exited: what it last reported stays in the totals. */
  retire(thread: Thread): void {
    const counts = this.last.get(thread);
    if (counts === undefined) return;
    this.last.delete(thread);
    this.retired = this.retired === undefined ? counts : mergeSnapshots([this.retired, counts]);
  }
}
