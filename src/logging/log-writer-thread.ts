/**
 * The log writer thread (started by LogWriter, one per JavaScript thread that logs). It takes one batch of log text
 * at a time and writes all of it with blocking writes, so a slow or stalled stdout holds up this thread only, never
 * the event loop that relays media. It reports each finished batch in the lane's shared memory, which the owning
 * thread reads without a message back, and which it waits on at exit, so the batch in flight is written exactly once
 * and before the lines the exit hook writes itself.
 */
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { LANE_DONE, LANE_DROPPED, LANE_TAKEN, type LogWriterData, type LogWriterMessage } from './log-writer-protocol.js';

/** A full non-blocking stdout (EAGAIN) is retried after this pause, until it takes the bytes. */
const EAGAIN_PAUSE_MS = 5;

if (parentPort === null) throw new Error('log-writer-thread.js runs as the log writer thread, not on its own');
const lanes = new Map<number, Int32Array>();
const pause = new Int32Array(new SharedArrayBuffer(4));

parentPort.on('message', (message: LogWriterMessage) => {
  if (message.kind === 'lane') {
    lanes.set(message.lane, new Int32Array(message.state));
    return;
  }
  const state = lanes.get(message.lane);
  if (state === undefined) return;
  Atomics.store(state, LANE_TAKEN, message.seq);
  const bytes = Buffer.from(message.text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(message.fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, EAGAIN_PAUSE_MS);
        continue;
      }
      // EPIPE, EBADF...: this batch cannot go anywhere; the next one tries again.
      Atomics.add(state, LANE_DROPPED, linesIn(bytes, offset));
      break;
    }
  }
  Atomics.store(state, LANE_DONE, message.seq);
  Atomics.notify(state, LANE_DONE);
});
Atomics.store(new Int32Array((workerData as LogWriterData).started), 0, 1);

/** Lines begun at or after `offset` (a line cut by a partial write counts as lost). */
function linesIn(bytes: Buffer, offset: number): number {
  let lines = 0;
  for (let i = bytes.indexOf(0x0a, offset); i !== -1; i = bytes.indexOf(0x0a, i + 1)) lines++;
  return Math.max(lines, 1);
}
