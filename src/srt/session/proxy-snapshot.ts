import type { StreamMode } from '../protocol/stream-id.js';
import type { CloseReason } from './close-reason.js';
import type { LinkFigures } from './link-totals.js';
import type { AdmissionCounts } from '../../admission/admission-counters.js';
import type { SessionEventCounts } from '../../events/session-events.js';
import type { DataPathKind } from '../transport/data-path.js';

/** Packets and bytes relayed each way, and datagrams a session refused to relay. */
export interface TrafficTotals {
  readonly packetsFromCaller: number;
  readonly bytesFromCaller: number;
  readonly packetsFromOrigin: number;
  readonly bytesFromOrigin: number;
  /** Datagrams charged to a session but not relayed (foreign source address, stray origin packets). */
  readonly sessionDrops: number;
  /** Relay datagrams dropped because a socket's send queue was at its bound (the kernel was not taking them). */
  readonly sendQueueDrops: number;
  /** Relay sends the kernel refused. */
  readonly sendErrors: number;
}

export interface ModeOriginCount {
  readonly mode: StreamMode;
  readonly origin: string;
  readonly count: number;
}

/** Datagrams the proxy dropped, by reason. */
export interface DropCounts {
  readonly malformed: number;
  readonly unknownSession: number;
  readonly foreignAddress: number;
  readonly badCookie: number;
  readonly unsupported: number;
  readonly originStray: number;
  /** CONCLUSIONs over their source's handshake budget. */
  readonly rateLimited: number;
  /** Handshake datagrams the data path dropped because more arrived in one loop turn than it hands over. */
  readonly handshakesShed: number;
}

/** The per-source limits: table sizes now, and what they refused since start. */
export interface SourceLimitCounts {
  /** Sources the handshake budget tracks now (bounded by HANDSHAKE_LIMITER_SOURCES). */
  readonly limiterSources: number;
  /** Sources holding at least one live session. */
  readonly cappedSources: number;
  /** Refusals held in the negative cache now. */
  readonly cachedRejections: number;
  /** CONCLUSIONs refused with 2402 for MAX_SESSIONS_PER_SOURCE. */
  readonly sourceCapped: number;
  /** Rejections answered from the negative cache. */
  readonly cachedRejectionsSent: number;
}

/**
 * Everything the proxy has counted, as plain numbers read in one go (at scrape time): the exporters' view of the
 * data path, so they never reach into the session table or the live counters.
 */
export interface ProxySnapshot {
  readonly sessions: {
    /** Connected now, by mode and origin. */
    readonly live: readonly ModeOriginCount[];
    /** Connected now (the sum of `live`). */
    readonly connected: number;
    /** Callers whose handshake is under way (routing, or the origin handshake). */
    readonly handshaking: number;
    /** Sessions opened (accepted CONCLUSIONs) and freed since start, whatever their end. */
    readonly opened: number;
    readonly closed: number;
    /** Sessions that reached the connected state since start, by mode and origin. */
    readonly connectedTotal: readonly ModeOriginCount[];
    /** Connected sessions that ended, by reason. */
    readonly endedTotal: ReadonlyMap<CloseReason, number>;
  };
  readonly handshakes: {
    readonly inductions: number;
    readonly conclusions: number;
    readonly repeatedConclusions: number;
    readonly accepted: number;
    /** Rejections sent to callers, by wire code (proxy's own and forwarded from origins). */
    readonly rejected: ReadonlyMap<number, number>;
  };
  readonly traffic: TrafficTotals;
  readonly drops: DropCounts;
  readonly sources: SourceLimitCounts;
  readonly errors: { readonly send: number; readonly origin: number; readonly socket: number };
  /** The data path's open links (origin sockets). */
  readonly originSockets: number;
  /** Which data path relays: the native addon or the TypeScript fallback. */
  readonly dataPath: DataPathKind;
  readonly draining: boolean;
  /** Loss, retransmissions and bitrate by mode and origin (zeros when SRT_TELEMETRY is off). */
  readonly links: readonly LinkFigures[];
  /** Admission decisions by source, webhook calls, cache hits (the CIDR rules and ADMISSION_URL). */
  readonly admission: AdmissionCounts;
  /** Session events (EVENTS_URL): delivered, dropped on a full queue, failed, waiting. */
  readonly events: SessionEventCounts;
}
