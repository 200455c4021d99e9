import { writeSync } from 'node:fs';

const EAGAIN_PAUSE_MS = 10;

/**
 * Synchronous write of all of `text`, partial writes continued, a full non-blocking pipe (EAGAIN) retried until
 * `deadline` (Date.now()). Blocks the calling thread: the exit path and the log writer's fallback only.
 */
export function writeFully(fd: number, text: string | Buffer, deadline: number): void {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, EAGAIN_PAUSE_MS);
    }
  }
}
