import type { Session } from './session.js';

/**
 * Link quality summed over sessions, each figure by the direction its data travelled: loss reported by the origin is
 * caller -> origin data that did not arrive, loss reported by the caller is origin -> caller data.
 */
export interface LinkCounts {
  readonly lostCallerToOrigin: number;
  readonly lostOriginToCaller: number;
  readonly retransmittedCallerToOrigin: number;
  readonly retransmittedOriginToCaller: number;
  /** Bits per second of the sessions connected now (a gauge; the rest are counters). */
  readonly bitrateCallerToOrigin: number;
  readonly bitrateOriginToCaller: number;
}

/** LinkCounts being summed. */
export type LinkCountsSum = { -readonly [K in keyof LinkCounts]: LinkCounts[K] };

/** What the sums read of a session. */
export type LinkCountsSource = Pick<Session, 'telemetry' | 'retransmittedFromCaller' | 'retransmittedFromOrigin'>;

export function noLinkCounts(): LinkCountsSum {
  return {
    lostCallerToOrigin: 0,
    lostOriginToCaller: 0,
    retransmittedCallerToOrigin: 0,
    retransmittedOriginToCaller: 0,
    bitrateCallerToOrigin: 0,
    bitrateOriginToCaller: 0,
  };
}

/** Adds a session's counts to `sum`, and its bitrates when it is `live` (an ended session has none). */
export function addSessionCounts(sum: LinkCountsSum, s: LinkCountsSource, live: boolean): void {
  sum.retransmittedCallerToOrigin += s.retransmittedFromCaller;
  sum.retransmittedOriginToCaller += s.retransmittedFromOrigin;
  const t = s.telemetry;
  if (t === undefined) return;
  sum.lostCallerToOrigin += t.byOrigin.lossReported;
  sum.lostOriginToCaller += t.byCaller.lossReported;
  if (!live) return;
  sum.bitrateCallerToOrigin += t.bitrateFromCaller;
  sum.bitrateOriginToCaller += t.bitrateFromOrigin;
}

/** Two sums as one (one stream's figures from two workers). */
export function sumLinkCounts(a: LinkCounts, b: LinkCounts): LinkCounts {
  return {
    lostCallerToOrigin: a.lostCallerToOrigin + b.lostCallerToOrigin,
    lostOriginToCaller: a.lostOriginToCaller + b.lostOriginToCaller,
    retransmittedCallerToOrigin: a.retransmittedCallerToOrigin + b.retransmittedCallerToOrigin,
    retransmittedOriginToCaller: a.retransmittedOriginToCaller + b.retransmittedOriginToCaller,
    bitrateCallerToOrigin: a.bitrateCallerToOrigin + b.bitrateCallerToOrigin,
    bitrateOriginToCaller: a.bitrateOriginToCaller + b.bitrateOriginToCaller,
  };
}
