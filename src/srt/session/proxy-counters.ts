import type { StreamMode } from '../protocol/stream-id.js';
import type { CloseReason } from './close-reason.js';

/**
 * Process-wide counters of the session logic (the handshake engine's and the sessions'; the data path keeps its own
 * datagram counters). Plain number fields, cheaper than a prom-client `inc()` by far; exporters read them at scrape
 * time through SessionManager.snapshot().
 */
export class ProxyCounters {
  // Datagrams dropped, by reason.
  /** Datagrams with destination socket id 0 that are no handshake the engine can read. */
  malformed = 0;
  badCookie = 0;
  /** Rendezvous, HSv4 and other handshakes a stream-id relay cannot route. */
  unsupported = 0;
  /** Datagrams from an origin socket that arrived before the session could relay them. */
  originStray = 0;
  /** CONCLUSIONs over their source's handshake budget (HANDSHAKE_RATE_PER_SOURCE), dropped unanswered. */
  rateLimited = 0;
  /** Refusals answered from the negative cache (also counted in `rejected` by code). */
  cachedRejections = 0;
  /** CONCLUSIONs refused (2402) because their source holds MAX_SESSIONS_PER_SOURCE sessions. */
  sourceCapped = 0;

  inductions = 0;
  conclusions = 0;
  /** CONCLUSIONs a caller sent again for a session already under way (answered from the session). */
  repeatedConclusions = 0;
  accepted = 0;
  readonly rejected = new Map<number, number>();

  sessionsOpened = 0;
  sessionsClosed = 0;

  /** Relay totals of sessions already closed; live sessions hold theirs until they close (then added here). */
  closedPacketsFromCaller = 0;
  closedBytesFromCaller = 0;
  closedPacketsFromOrigin = 0;
  closedBytesFromOrigin = 0;
  closedSessionDrops = 0;
  closedSendQueueDrops = 0;
  closedRelaySendErrors = 0;
  /** Sessions that connected, by mode then origin id: bounded by the origins known, never by stream or caller. */
  readonly connectedByModeOrigin = new Map<StreamMode, Map<string, number>>();
  /** Connected sessions that ended, by reason. */
  readonly endedByReason = new Map<CloseReason, number>();

  countRejection(wireCode: number): void {
    this.rejected.set(wireCode, (this.rejected.get(wireCode) ?? 0) + 1);
  }

  countConnected(mode: StreamMode, origin: string): void {
    let byOrigin = this.connectedByModeOrigin.get(mode);
    if (byOrigin === undefined) this.connectedByModeOrigin.set(mode, (byOrigin = new Map()));
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + 1);
  }

  countEnded(reason: CloseReason): void {
    this.endedByReason.set(reason, (this.endedByReason.get(reason) ?? 0) + 1);
  }
}
