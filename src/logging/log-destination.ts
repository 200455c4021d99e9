import { countLines, LogLane } from './log-writer.js';
import { writeFully } from './write-fully.js';

/** Log bytes held in memory (waiting and being written) while stdout is slow; past this, lines are dropped (and counted) rather than waited for. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/**
 * Lines wait at most this long before they leave (longer only while the previous batch is still being written). A
 * reconnect wave writes thousands of session lines a second; gathered for 10 ms they leave in about a hundred writes
 * a second whatever the rate, so the cost per line is a push, not a hand-off. 10 ms late is invisible to a reader and
 * to log shippers, which batch by the second.
 */
const FLUSH_INTERVAL_MS = 10;
/** Held text that leaves at the end of the turn instead of waiting for the interval: bigger batches gain nothing. */
const BATCH_BYTES = 64 * 1024;

/** What pino and the session lines write into. */
export interface LogStream {
  write(line: string): boolean;
  /** Writes every line still held, synchronously (pino calls it after a fatal line; the exit hook calls it). */
  flushSync(): void;
  /** pino's `logger.flush(cb)`: hands the held lines to the writer now; `cb` once they are written. */
  flush(cb?: (error?: Error) => void): void;
}

/**
 * stdout as an asynchronous pino destination. Lines gather in memory and leave together every 10 ms at most (at the
 * end of the turn once 64 KiB wait), one batch at a time, written by a log writer thread: neither a reconnect wave
 * (thousands of lines a second) nor a slow or stalled stdout pipe (a busy log shipper) costs the event loop that
 * relays media more than joining a batch every 10 ms. Memory is bounded: what waits and what is being written
 * together stay under 16 MiB; past that, lines are dropped and counted instead of growing the heap. Order is kept,
 * and at exit (process.exit included) the batch being written is waited for and what still waits is then written
 * synchronously, so the last lines of a shutdown are neither lost nor written twice.
 */
export class LogDestination implements LogStream {
  private readonly lane: LogLane;
  /** Lines not yet handed to the writer. */
  private held: string[] = [];
  private heldLength = 0;
  private timer: NodeJS.Timeout | undefined;
  private endOfTurn = false;
  private dropped = 0;

  constructor(private readonly fd = 1) {
    this.lane = new LogLane(fd);
    // Worker threads (SRT workers) run it too, on their own exit.
    process.prependListener('exit', () => this.flushSync());
  }

  /** Kept for the callers that hand `destination.stream` to pino and the session log. */
  get stream(): LogStream {
    return this;
  }

  /** Lines lost because stdout could not keep up (or was gone). */
  get droppedLines(): number {
    return this.dropped + this.lane.droppedLines;
  }

  /** Takes one line (ending in a newline); never blocks, never throws. False once lines are being dropped. */
  write(line: string): boolean {
    const held = this.heldLength + line.length;
    if (held > MAX_BUFFERED_BYTES || held + this.lane.inFlightLength > MAX_BUFFERED_BYTES) {
      this.dropped += countLines(line);
      return false;
    }
    this.held.push(line);
    this.heldLength = held;
    if (held >= BATCH_BYTES) {
      if (!this.endOfTurn) {
        this.endOfTurn = true;
        setImmediate(this.handOff).unref();
      }
    } else if (this.timer === undefined) {
      this.timer = setTimeout(this.handOff, FLUSH_INTERVAL_MS).unref();
    }
    return true;
  }

  /**
   * Waits (bounded) for the batch being written, then writes what is held, here: the writer thread writes only one
   * batch at a time and nothing else writes meanwhile, so the order is kept and no line is written twice.
   */
  flushSync(): void {
    const deadline = Date.now() + EXIT_WRITE_PATIENCE_MS;
    const text = this.take();
    // Also with nothing held: an exiting process ends the writer thread right after the exit hooks.
    const idle = this.lane.waitSync(deadline);
    if (text === undefined) return;
    if (!idle) {
      // stdout has not taken the batch before these lines for that long: writing beside it could cut its lines.
      this.dropped += countLines(text);
      return;
    }
    try {
      writeFully(this.fd, text, deadline);
    } catch {
      // stdout is gone, or stayed full past the patience: nothing more can be written.
      this.dropped += countLines(text);
    }
  }

  flush(cb?: (error?: Error) => void): void {
    this.handOff();
    if (cb === undefined) return;
    const check = (): void => {
      if (this.held.length === 0 && !this.lane.busy) cb();
      else setTimeout(check, 1).unref();
    };
    check();
  }

  /** Hands what is held to the writer as one batch, unless the previous batch is still being written. */
  private readonly handOff = (): void => {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.endOfTurn = false;
    if (this.held.length === 0) return;
    if (this.lane.busy) {
      this.timer = setTimeout(this.handOff, FLUSH_INTERVAL_MS).unref();
      return;
    }
    this.lane.submit(this.take()!);
  };

  /** The held lines as one string (undefined when none), no longer held. */
  private take(): string | undefined {
    const lines = this.held;
    if (lines.length === 0) return undefined;
    this.held = [];
    this.heldLength = 0;
    return lines.length === 1 ? lines[0] : lines.join('');
  }
}

/** How long an exiting process waits for a stdout that does not take its lines before it gives them up. */
export const EXIT_WRITE_PATIENCE_MS = 10_000;
