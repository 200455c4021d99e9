import { writeSync } from 'node:fs';
import pino from 'pino';

/** Log bytes held in memory while stdout is slow; past this, lines are dropped (and counted) rather than waited for. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** What pino and the session lines write into. */
export interface LogStream {
  write(line: string): boolean;
  /** Writes every line still held, synchronously (pino calls it after a fatal line; the exit hook calls it). */
  flushSync(): void;
  /** pino's `logger.flush(cb)`: hands the held lines to the asynchronous writer now. */
  flush(cb?: (error?: Error) => void): void;
}

/**
 * stdout as an asynchronous pino destination: lines written during one event-loop turn are joined and leave in one
 * write, made by libuv's thread pool, so neither a reconnect wave (thousands of lines a second) nor a slow or stalled
 * stdout pipe (a busy log shipper) costs the event loop that relays media more than one hand-off per turn. Memory is
 * bounded: when the reader stalls for good, lines are dropped and counted instead of growing the heap. Order is
 * kept, and the held lines are written synchronously on exit (process.exit included), before pino's own exit flush,
 * so the last lines of a shutdown are not lost.
 */
export class LogDestination implements LogStream {
  private readonly sink: pino.DestinationStream & { flushSync(): void; flush(cb?: (error?: Error) => void): void };
  private readonly fd: number;
  /** Lines of this turn, not yet handed to the sink. */
  private pending: string[] = [];
  private pendingLength = 0;
  private handOffScheduled = false;
  private dropped = 0;

  constructor(fd = 1) {
    // The sink bounds what it holds while a write is in flight; this class bounds what one turn holds.
    const sink = pino.destination({ dest: fd, sync: false, minLength: 0, maxLength: MAX_BUFFERED_BYTES });
    sink.on('drop', (data: string | Buffer) => {
      this.dropped += countLines(data);
    });
    this.sink = sink;
    this.fd = fd;
    // Before pino's own exit hook (registered with the sink, main thread only); worker threads have only this one.
    process.prependListener('exit', () => this.flushSync());
  }

  /** Kept for the callers that hand `destination.stream` to pino and the session log. */
  get stream(): LogStream {
    return this;
  }

  /** Lines lost because stdout could not keep up. */
  get droppedLines(): number {
    return this.dropped;
  }

  /** Takes one line (ending in a newline); never blocks, never throws. False once lines are being dropped. */
  write(line: string): boolean {
    if (this.pendingLength + line.length > MAX_BUFFERED_BYTES) {
      this.dropped += countLines(line);
      return false;
    }
    this.pending.push(line);
    this.pendingLength += line.length;
    if (!this.handOffScheduled) {
      this.handOffScheduled = true;
      setImmediate(this.handOff);
    }
    return true;
  }

  /**
   * The sink's lines first (they are older), then this turn's, written here: handed to the sink, they would start an
   * asynchronous write, which the sink's flushSync leaves to the thread pool and an exiting process never waits for.
   */
  flushSync(): void {
    const text = this.take();
    try {
      this.sink.flushSync();
      if (text !== undefined) writeFully(this.fd, text);
    } catch {
      // The sink was ended, or stdout is gone: nothing more can be written.
      if (text !== undefined) this.dropped += countLines(text);
    }
  }

  flush(cb?: (error?: Error) => void): void {
    this.handOff();
    this.sink.flush(cb);
  }

  /** Hands this turn's lines to the sink as one string: one write (or one append while a write is in flight). */
  private readonly handOff = (): void => {
    this.handOffScheduled = false;
    const text = this.take();
    if (text === undefined) return;
    try {
      this.sink.write(text);
    } catch {
      // The sink was ended (pino ends it on beforeExit): the lines cannot go anywhere any more.
      this.dropped += countLines(text);
    }
  };

  /** The held lines as one string (undefined when none), no longer held. */
  private take(): string | undefined {
    const lines = this.pending;
    if (lines.length === 0) return undefined;
    this.pending = [];
    this.pendingLength = 0;
    return lines.length === 1 ? lines[0] : lines.join('');
  }
}

/** How long an exiting process keeps retrying a stdout that is full (EAGAIN) before it gives its last lines up. */
const EXIT_WRITE_PATIENCE_MS = 10_000;
const EAGAIN_PAUSE_MS = 10;

/** Synchronous write of all of `text`, retrying a full non-blocking pipe for a bounded time (exit path only). */
function writeFully(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  let waitedMs = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || waitedMs >= EXIT_WRITE_PATIENCE_MS) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, EAGAIN_PAUSE_MS);
      waitedMs += EAGAIN_PAUSE_MS;
    }
  }
}

function countLines(data: string | Buffer): number {
  const text = typeof data === 'string' ? data : data.toString('utf8');
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return Math.max(n, 1);
}
