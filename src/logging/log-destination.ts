import { LogRing, RING_BYTES } from './log-ring.js';
import { LogWriter } from './log-writer.js';
import { writeFully } from './write-fully.js';

/** Log bytes held in memory (the ring, counted full, and the lines waiting outside it) while stdout is slow; past this, lines are dropped (and counted) rather than waited for. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/**
 * Lines wait at most this long before they are published to the writer thread. A reconnect wave writes thousands of
 * session lines a second; published every 10 ms they cost at most a hundred wake-ups and writes a second whatever the
 * rate. 10 ms late is invisible to a reader and to log shippers, which batch by the second.
 */
const FLUSH_INTERVAL_MS = 10;
/** Unpublished bytes that are published at the end of the turn instead of waiting for the interval: bigger batches gain nothing. */
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
 * stdout as an asynchronous pino destination. Lines are encoded into a ring shared with a log writer thread and
 * published to it every 10 ms at most (at the end of the turn once 64 KiB wait); the writer thread writes them:
 * neither a reconnect wave (thousands of lines a second) nor a slow or stalled stdout pipe (a busy log shipper) costs
 * the event loop that relays media more than encoding its lines. When stdout falls behind by a whole ring, lines wait
 * as strings; what waits in all stays under 16 MiB, past which lines are dropped and counted instead of growing the
 * heap. Order is kept, and at exit (process.exit included) the writer is given what was published and waited for,
 * then what is left is written synchronously here, so the last lines of a shutdown are neither lost nor written twice.
 */
export class LogDestination implements LogStream {
  private ring: LogRing | undefined;
  /** Lines that did not fit in the ring (stdout behind), in order, after everything in the ring; from overflowHead on. */
  private overflow: string[] = [];
  private overflowHead = 0;
  private overflowLength = 0;
  private timer: NodeJS.Timeout | undefined;
  private endOfTurn = false;
  private dropped = 0;

  constructor(private readonly fd = 1) {
    // Worker threads (SRT workers) run it too, on their own exit.
    process.prependListener('exit', () => this.flushSync());
  }

  /** Kept for the callers that hand `destination.stream` to pino and the session log. */
  get stream(): LogStream {
    return this;
  }

  /** Lines lost because stdout could not keep up (or was gone). */
  get droppedLines(): number {
    return this.dropped + (this.ring?.droppedLines ?? 0);
  }

  /** Takes one line (ending in a newline); never blocks, never throws. False once lines are being dropped. */
  write(line: string): boolean {
    const ring = (this.ring ??= LogWriter.ring(this.fd));
    // The writer may have made room since: what waits outside goes in first (order).
    if (this.overflowHead !== this.overflow.length) this.moveOverflow(ring);
    if (this.overflowHead === this.overflow.length && ring.tryWrite(line)) {
      if (ring.unpublished >= BATCH_BYTES) this.handOffAtEndOfTurn();
      else this.timer ??= setTimeout(this.handOff, FLUSH_INTERVAL_MS).unref();
      return true;
    }
    if (RING_BYTES + this.overflowLength + line.length > MAX_BUFFERED_BYTES) {
      this.dropped += countLines(line);
      return false;
    }
    this.overflow.push(line);
    this.overflowLength += line.length;
    this.timer ??= setTimeout(this.handOff, FLUSH_INTERVAL_MS).unref();
    return true;
  }

  /**
   * Publishes what the ring holds and waits (bounded) until the writer has written it, then writes what is left
   * here: the writer moves `consumed` on after every write, so no byte is written twice and the order is kept.
   */
  flushSync(): void {
    const ring = this.ring;
    if (ring === undefined) return;
    const deadline = Date.now() + EXIT_WRITE_PATIENCE_MS;
    this.moveOverflow(ring);
    let drained: boolean;
    if (LogWriter.running) {
      LogWriter.publish(ring);
      drained = ring.waitDrained(deadline);
    } else {
      // No writer thread (none started yet, or it died): this thread writes the ring, where the writer left off.
      drained = ring.drainHere(deadline);
    }
    const rest = ring.takeUnpublished();
    const overflow = this.takeOverflow();
    if (rest.length === 0 && overflow === undefined) return;
    const lines = countNewlines(rest) + (overflow === undefined ? 0 : countLines(overflow));
    if (!drained) {
      // stdout has not taken what the writer holds for that long: writing beside it could cut its lines.
      this.dropped += lines;
      return;
    }
    try {
      writeFully(this.fd, rest, deadline);
      if (overflow !== undefined) writeFully(this.fd, overflow, deadline);
    } catch {
      // stdout is gone, or stayed full past the patience: nothing more can be written.
      this.dropped += lines;
    }
  }

  flush(cb?: (error?: Error) => void): void {
    this.handOff();
    if (cb === undefined) return;
    const check = (): void => {
      if (this.overflowHead === this.overflow.length && (this.ring?.empty ?? true)) cb();
      else setTimeout(check, 1).unref();
    };
    check();
  }

  private handOffAtEndOfTurn(): void {
    if (this.endOfTurn) return;
    this.endOfTurn = true;
    setImmediate(this.handOff).unref();
  }

  /** Publishes the ring (after moving in what waited outside it); comes back while lines still wait outside. */
  private readonly handOff = (): void => {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.endOfTurn = false;
    const ring = this.ring;
    if (ring === undefined) return;
    this.moveOverflow(ring);
    if (ring.unpublished !== 0) LogWriter.publish(ring);
    if (this.overflowHead !== this.overflow.length) this.timer = setTimeout(this.handOff, FLUSH_INTERVAL_MS).unref();
  };

  /** The waiting lines that fit into the ring, in order. */
  private moveOverflow(ring: LogRing): void {
    const lines = this.overflow;
    let head = this.overflowHead;
    while (head < lines.length && ring.tryWrite(lines[head]!)) {
      this.overflowLength -= lines[head]!.length;
      lines[head++] = '';
    }
    if (head === lines.length) {
      this.overflow = [];
      this.overflowHead = 0;
    } else if (head > 1024 && head * 2 > lines.length) {
      // Keeps the array from growing without end while stdout stays behind.
      this.overflow = lines.slice(head);
      this.overflowHead = 0;
    } else {
      this.overflowHead = head;
    }
  }

  private takeOverflow(): string | undefined {
    const lines = this.overflow;
    if (this.overflowHead === lines.length) return undefined;
    const text = lines.slice(this.overflowHead).join('');
    this.overflow = [];
    this.overflowHead = 0;
    this.overflowLength = 0;
    return text;
  }
}

export function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return Math.max(n, 1);
}

function countNewlines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** How long an exiting process waits for a stdout that does not take its lines before it gives them up. */
export const EXIT_WRITE_PATIENCE_MS = 10_000;
