import type { StreamMode } from '../protocol/stream-id.js';
import { addSessionCounts, noLinkCounts, type LinkCounts, type LinkCountsSum } from './link-counts.js';
import type { Session } from './session.js';

/** Link quality summed by mode and origin: counters since start, bitrates of the sessions connected now. */
export interface LinkFigures extends LinkCounts {
  readonly mode: StreamMode;
  readonly origin: string;
}

type Entry = LinkCountsSum & { readonly mode: StreamMode; readonly origin: string };

/** Keeps the counts of ended sessions so the counters never go backwards when a session ends. */
export class LinkTotals {
  /** In the order the (mode, origin) pairs first ended: the order collect() reports them. */
  private readonly ended = new Map<string, Entry>();
  /** The same entries by mode, then origin: every ended session finds its entry without a key string. */
  private readonly endedByMode = new Map<StreamMode, Map<string, Entry>>();

  addEnded(session: Session): void {
    if (session.origin === undefined || session.state !== 'closed') return;
    const mode = session.streamId.mode;
    const origin = session.origin.id;
    let byOrigin = this.endedByMode.get(mode);
    if (byOrigin === undefined) this.endedByMode.set(mode, (byOrigin = new Map()));
    let entry = byOrigin.get(origin);
    if (entry === undefined) byOrigin.set(origin, (entry = entryOf(this.ended, mode, origin)));
    addSessionCounts(entry, session, false);
  }

  /** Ended sessions' counts plus the live ones', and the live sessions' bitrates. */
  collect(live: Iterable<Session>): LinkFigures[] {
    const out = new Map<string, Entry>();
    for (const [key, figures] of this.ended) out.set(key, { ...figures });
    for (const s of live) {
      if (s.state !== 'connected' || s.origin === undefined) continue;
      addSessionCounts(entryOf(out, s.streamId.mode, s.origin.id), s, true);
    }
    return [...out.values()];
  }
}

function entryOf(map: Map<string, Entry>, mode: StreamMode, origin: string): Entry {
  const key = `${mode}|${origin}`;
  let entry = map.get(key);
  if (entry === undefined) {
    entry = { mode, origin, ...noLinkCounts() };
    map.set(key, entry);
  }
  return entry;
}
