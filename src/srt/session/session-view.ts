import type { Session } from './session.js';

/** What the admin API reads of a live session: its identity, state, link counters (as just read) and telemetry. */
export type SessionView = Readonly<
  Pick<
    Session,
    | 'id'
    | 'callerAddress'
    | 'callerPort'
    | 'callerSocketId'
    | 'originSocketId'
    | 'origin'
    | 'streamId'
    | 'state'
    | 'startedAt'
    | 'packetsFromCaller'
    | 'bytesFromCaller'
    | 'packetsFromOrigin'
    | 'bytesFromOrigin'
    | 'drops'
    | 'sendQueueDrops'
    | 'sendErrors'
    | 'retransmittedFromCaller'
    | 'retransmittedFromOrigin'
    | 'telemetry'
  >
>;
