/**
 * The log writer thread (started by LogWriter, one per JavaScript thread that logs). It sleeps on its bell, and when
 * rung writes what its rings have published, with blocking writes: a slow or stalled stdout holds up this thread
 * only, never the event loop that relays media. No event loop here: a loop on Atomics.wait, new rings picked up from
 * the port synchronously.
 */
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { drainRing, type RingShare } from './log-ring.js';
import type { LogWriterData } from './log-writer.js';

/** A full non-blocking stdout (EAGAIN) is tried again after this pause. */
const EAGAIN_PAUSE_MS = 5;

const { bell: bellShare, rings: port, started } = workerData as LogWriterData;
const bell = new Int32Array(bellShare);
const rings: { data: Buffer; control: Int32Array; fd: number }[] = [];

function openRings(port: MessagePort): void {
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    const share = m.message as RingShare;
    rings.push({ data: Buffer.from(share.data), control: new Int32Array(share.control), fd: share.fd });
  }
}

Atomics.store(new Int32Array(started), 0, 1);
for (;;) {
  const rung = Atomics.load(bell, 0);
  openRings(port);
  let again = false;
  for (const ring of rings) if (drainRing(ring.data, ring.control, ring.fd) === 'again') again = true;
  Atomics.wait(bell, 0, rung, again ? EAGAIN_PAUSE_MS : undefined);
}
