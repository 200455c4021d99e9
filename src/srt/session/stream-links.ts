import type { StreamMode } from '../protocol/stream-id.js';
import { addSessionCounts, noLinkCounts, type LinkCounts, type LinkCountsSum } from './link-counts.js';
import type { Session } from './session.js';

/** Live link figures of one stream key and mode, summed over its connected sessions (one publisher, many players). */
export interface StreamLinkFigures extends LinkCounts {
  readonly streamKey: string;
  readonly mode: StreamMode;
  readonly sessions: number;
  /** The worst receiver RTT among the sessions, seconds; undefined before any full ACK. */
  readonly rttSeconds: number | undefined;
}

/** What the grouping reads of a session. */
export type LinkSource = Pick<Session, 'state' | 'streamId' | 'telemetry' | 'retransmittedFromCaller' | 'retransmittedFromOrigin'>;

type Group = LinkCountsSum & { readonly streamKey: string; readonly mode: StreamMode; sessions: number; rttSeconds: number | undefined };

/**
 * Groups connected sessions by stream key and mode, keeping the first `max` groups in stream key order (a stable
 * choice, so a capped scrape shows the same streams each time). `omitted` counts the groups left out.
 */
export function streamLinks(sessions: Iterable<LinkSource>, max: number): { streams: StreamLinkFigures[]; omitted: number } {
  const groups = new Map<string, Group>();
  for (const s of sessions) {
    const t = s.telemetry;
    if (s.state !== 'connected' || t === undefined) continue;
    const key = `${s.streamId.key}|${s.streamId.mode}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { streamKey: s.streamId.key, mode: s.streamId.mode, sessions: 0, rttSeconds: undefined, ...noLinkCounts() };
      groups.set(key, g);
    }
    g.sessions++;
    const receiver = t.receiver;
    if (receiver !== undefined) g.rttSeconds = Math.max(g.rttSeconds ?? 0, receiver.rttUs / 1e6);
    addSessionCounts(g, s, true);
  }
  return firstStreams([...groups.values()], max);
}

/** The first `max` streams in stream key (then mode) order, and how many were left out. */
export function firstStreams(all: StreamLinkFigures[], max: number): { streams: StreamLinkFigures[]; omitted: number } {
  all.sort((a, b) => (a.streamKey < b.streamKey ? -1 : a.streamKey > b.streamKey ? 1 : a.mode < b.mode ? -1 : 1));
  return { streams: all.slice(0, max), omitted: Math.max(0, all.length - max) };
}
