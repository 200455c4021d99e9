import type { StreamMode } from '../protocol/stream-id.js';
import type { Session } from './session.js';

/**
 * Link quality summed by mode and origin, each figure by the direction its data travelled: loss reported by the
 * origin is caller -> origin data that did not arrive, loss reported by the caller is origin -> caller data.
 */
export interface LinkFigures {
  readonly mode: StreamMode;
  readonly origin: string;
  readonly lostCallerToOrigin: number;
  readonly lostOriginToCaller: number;
  readonly retransmittedCallerToOrigin: number;
  readonly retransmittedOriginToCaller: number;
  /** Bits per second of the sessions connected now (a gauge; the rest are counters since start). */
  readonly bitrateCallerToOrigin: number;
  readonly bitrateOriginToCaller: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Keeps the counts of ended sessions so the counters never go backwards when a session ends. */
export class LinkTotals {
  private readonly ended = new Map<string, Mutable<LinkFigures>>();

  addEnded(session: Session): void {
    if (session.origin === undefined || session.state !== 'closed') return;
    add(entryOf(this.ended, session.streamId.mode, session.origin.id), session, false);
  }

  /** Ended sessions' counts plus the live ones', and the live sessions' bitrates. */
  collect(live: Iterable<Session>): LinkFigures[] {
    const out = new Map<string, Mutable<LinkFigures>>();
    for (const [key, figures] of this.ended) out.set(key, { ...figures });
    for (const s of live) {
      if (s.state !== 'connected' || s.origin === undefined) continue;
      add(entryOf(out, s.streamId.mode, s.origin.id), s, true);
    }
    return [...out.values()];
  }
}

function entryOf(map: Map<string, Mutable<LinkFigures>>, mode: StreamMode, origin: string): Mutable<LinkFigures> {
  const key = `${mode}|${origin}`;
  let entry = map.get(key);
  if (entry === undefined) {
    entry = {
      mode,
      origin,
      lostCallerToOrigin: 0,
      lostOriginToCaller: 0,
      retransmittedCallerToOrigin: 0,
      retransmittedOriginToCaller: 0,
      bitrateCallerToOrigin: 0,
      bitrateOriginToCaller: 0,
    };
    map.set(key, entry);
  }
  return entry;
}

function add(entry: Mutable<LinkFigures>, s: Session, live: boolean): void {
  entry.retransmittedCallerToOrigin += s.retransmittedFromCaller;
  entry.retransmittedOriginToCaller += s.retransmittedFromOrigin;
  const t = s.telemetry;
  if (t === undefined) return;
  entry.lostCallerToOrigin += t.byOrigin.lossReported;
  entry.lostOriginToCaller += t.byCaller.lossReported;
  if (live) {
    entry.bitrateCallerToOrigin += t.bitrateFromCaller;
    entry.bitrateOriginToCaller += t.bitrateFromOrigin;
  }
}
