import type { SessionListing } from '../admin/session-listing.js';
import type { StreamMode } from './protocol/stream-id.js';
import type { ProxySnapshot } from './session/proxy-snapshot.js';
import type { StreamLinkFigures } from './session/stream-links.js';

/** DI token of the SrtSide. */
export const SRT_SIDE = Symbol('SRT_SIDE');

/** The SRT side's worker threads as the API and metrics show them. */
export interface WorkerStats {
  /** SRT workers configured (1 = the SRT side runs in the main thread). */
  readonly workers: number;
  /** Worker restarts since start, by cause: a crash (uncaught error, unexpected exit) or the admin API. */
  readonly restarts: { readonly crash: number; readonly admin: number };
  /** One entry per worker: whether its socket is bound, and its restarts. Empty with WORKERS=1. */
  readonly threads: readonly { readonly worker: number; readonly bound: boolean; readonly restarts: number }[];
}

export type WorkerRestart = 'terminate' | 'crash';

/**
 * What the HTTP side (API, health, metrics, shutdown) asks of the SRT side, which runs either in this thread
 * (WORKERS=1: src/srt/local-srt-side.ts) or in N worker threads (src/workers/worker-pool.ts). Reads are async
 * because a worker answers over its message port; none of them runs per packet.
 */
export interface SrtSide {
  /** Binds the SRT port (every worker's socket) and starts relaying. */
  start(): Promise<void>;
  /** Ends every session (SHUTDOWN both ways) and frees the SRT port. */
  stop(): Promise<void>;
  /** The SRT address once every socket is bound; undefined before (and while a worker restarts). */
  listening(): { address: string; port: number } | undefined;
  readonly isDraining: boolean;
  /** New callers get 2402 from now on, on every worker; live sessions go on. */
  drain(): void;
  /** Sessions alive now (connected or in their handshake), summed over the workers. */
  liveSessions(): Promise<number>;
  /** Every count, summed over the workers. */
  snapshot(): Promise<ProxySnapshot>;
  sessions(): Promise<SessionListing[]>;
  sessionsByStream(): Promise<Map<string, Record<string, number>>>;
  sessionsByOrigin(): Promise<Map<string, number>>;
  streamLinks(max: number): Promise<{ streams: StreamLinkFigures[]; omitted: number }>;
  /** Ends a session by its id (DELETE /api/v1/sessions/:id); false when there is no such live session. */
  endSession(id: string): Promise<boolean>;
  /** `observer` hears each accepted handshake's duration (seconds). */
  observeHandshakes(observer: (seconds: number) => void): void;
  /** `observer` hears connected sessions' RTT samples (seconds). */
  observeRtt(observer: (mode: StreamMode, origin: string, seconds: number) => void): void;
  workerStats(): WorkerStats;
  /** Restarts worker `index`; false when there is no such worker (always with WORKERS=1). */
  restartWorker(index: number, how: WorkerRestart): boolean;
}
