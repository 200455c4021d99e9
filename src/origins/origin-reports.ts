import type { Origin } from './origin.js';

/**
 * Passive health evidence from the SRT side: an origin answered or failed a session's handshake. The registry
 * takes it in the main thread; an SRT worker forwards it there (src/workers/remote-origin-reports.ts).
 */
export interface OriginReports {
  reportFailure(origin: Origin): void;
  reportSuccess(origin: Origin): void;
}

export const ORIGIN_REPORTS = Symbol('ORIGIN_REPORTS');
