import type { StreamMode } from '../srt/protocol/stream-id.js';
import type { DataPathKind } from '../srt/transport/data-path.js';

/** What the main thread hands a new SRT worker (workerData). Never logged: it holds the cookie secret. */
export interface SrtWorkerData {
  /** 0..workers-1; a restarted worker keeps its number. */
  readonly index: number;
  readonly workers: number;
  /** The SRT port every worker binds (worker 0 learns it first when SRT_LISTEN's port is 0). */
  readonly port: number;
  /** One secret for all workers, so any worker verifies a cookie another one issued. */
  readonly cookieSecret: string;
  /**
   * The socket of this worker's slot, opened by the main thread (native data path), to adopt instead of binding:
   * it outlives the worker (src/workers/socket-group.ts). Undefined: the worker binds its own.
   */
  readonly listenFd?: number;
}

/** Methods the main thread answers (the worker calls them). */
export const MainMethods = {
  /** call (streamKey) -> Origin | undefined */
  acquire: 'acquire',
  /** note (streamKey, origin, connected) */
  release: 'release',
  /** note (origin) */
  originFailed: 'originFailed',
  originSucceeded: 'originSucceeded',
  /** note (ObservationBatch) */
  observations: 'observations',
} as const;

/** Methods a worker answers (the main thread calls them). */
export const WorkerMethods = {
  /** call (draining) -> WorkerBinding once the worker's socket is bound */
  start: 'start',
  /** call () -> void: ends every session, frees the socket */
  stop: 'stop',
  snapshot: 'snapshot',
  sessions: 'sessions',
  sessionsByStream: 'sessionsByStream',
  sessionsByOrigin: 'sessionsByOrigin',
  streamLinks: 'streamLinks',
  endSession: 'endSession',
  liveSessions: 'liveSessions',
  /** note () */
  drain: 'drain',
  /** note (): throw an uncaught error (the crash path, for operators' and tests' restarts) */
  crash: 'crash',
} as const;

/** A worker's answer to `start`: where it listens and which data path it runs. */
export interface WorkerBinding {
  readonly address: string;
  readonly port: number;
  readonly dataPath: DataPathKind;
}

/** Histogram samples a worker collected since its last batch (sent once a second, bounded). */
export interface ObservationBatch {
  readonly handshakeSeconds: number[];
  readonly rtt: { mode: StreamMode; origin: string; seconds: number }[];
}
