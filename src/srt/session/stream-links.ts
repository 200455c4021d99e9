import type { StreamMode } from '../protocol/stream-id.js';
import type { Session } from './session.js';

/** Live link figures of one stream key and mode, summed over its connected sessions (one publisher, many players). */
export interface StreamLinkFigures {
  readonly streamKey: string;
  readonly mode: StreamMode;
  readonly sessions: number;
  /** The worst receiver RTT among the sessions, seconds; undefined before any full ACK. */
  readonly rttSeconds: number | undefined;
  readonly lostCallerToOrigin: number;
  readonly lostOriginToCaller: number;
  readonly retransmittedCallerToOrigin: number;
  readonly retransmittedOriginToCaller: number;
  readonly bitrateCallerToOrigin: number;
  readonly bitrateOriginToCaller: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What the grouping reads of a session. */
export type LinkSource = Pick<Session, 'state' | 'streamId' | 'telemetry' | 'retransmittedFromCaller' | 'retransmittedFromOrigin'>;

/**
 * Groups connected sessions by stream key and mode, keeping the first `max` groups in stream key order (a stable
 * choice, so a capped scrape shows the same streams each time). `omitted` counts the groups left out.
 */
export function streamLinks(sessions: Iterable<LinkSource>, max: number): { streams: StreamLinkFigures[]; omitted: number } {
  const groups = new Map<string, Mutable<StreamLinkFigures>>();
  for (const s of sessions) {
    const t = s.telemetry;
    if (s.state !== 'connected' || t === undefined) continue;
    const key = `${s.streamId.key}|${s.streamId.mode}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = {
        streamKey: s.streamId.key,
        mode: s.streamId.mode,
        sessions: 0,
        rttSeconds: undefined,
        lostCallerToOrigin: 0,
        lostOriginToCaller: 0,
        retransmittedCallerToOrigin: 0,
        retransmittedOriginToCaller: 0,
        bitrateCallerToOrigin: 0,
        bitrateOriginToCaller: 0,
      };
      groups.set(key, g);
    }
    g.sessions++;
    const receiver = t.receiver;
    if (receiver !== undefined) g.rttSeconds = Math.max(g.rttSeconds ?? 0, receiver.rttUs / 1e6);
    g.lostCallerToOrigin += t.byOrigin.lossReported;
    g.lostOriginToCaller += t.byCaller.lossReported;
    g.retransmittedCallerToOrigin += s.retransmittedFromCaller;
    g.retransmittedOriginToCaller += s.retransmittedFromOrigin;
    g.bitrateCallerToOrigin += t.bitrateFromCaller;
    g.bitrateOriginToCaller += t.bitrateFromOrigin;
  }
  const all = [...groups.values()].sort((a, b) => (a.streamKey < b.streamKey ? -1 : a.streamKey > b.streamKey ? 1 : a.mode < b.mode ? -1 : 1));
  return { streams: all.slice(0, max), omitted: Math.max(0, all.length - max) };
}
