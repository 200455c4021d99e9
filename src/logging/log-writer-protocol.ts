/** What a thread that logs tells its log writer thread (src/logging/log-writer-thread.ts). */
export type LogWriterMessage =
  /** A destination's lane: its shared state (Int32Array slots below), sent once before its first batch. */
  | { kind: 'lane'; lane: number; state: SharedArrayBuffer }
  /** One batch: written in full (partial writes and EAGAIN retried), then `seq` is stored in LANE_DONE. */
  | { kind: 'batch'; lane: number; fd: number; seq: number; text: string };

/** Slot of a lane's state: the sequence number of the last batch written (or given up). */
export const LANE_DONE = 0;
/** Slot of a lane's state: lines the writer could not write (stdout gone: EPIPE, EBADF). */
export const LANE_DROPPED = 1;
/** Slot of a lane's state: the sequence number of the last batch the writer began. */
export const LANE_TAKEN = 2;
export const LANE_SLOTS = 3;

/** What the writer thread is started with: `started` (one Int32) is set to 1 once it takes messages. */
export interface LogWriterData {
  readonly started: SharedArrayBuffer;
}
