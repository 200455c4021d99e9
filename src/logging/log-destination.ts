import pino from 'pino';

/** Log bytes held in memory while stdout is slow; past this, lines are dropped (and counted) rather than waited for. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * stdout as an asynchronous pino destination: a line is appended to a buffer and written by libuv's thread pool,
 * so a slow or stalled stdout pipe (a busy log shipper) never blocks the event loop that relays media. The buffer
 * is bounded: when the reader stalls for good, lines are dropped and counted instead of growing the heap. pino
 * flushes it synchronously on exit (process.exit included), so the last lines of a shutdown are not lost.
 */
export class LogDestination {
  readonly stream: pino.DestinationStream & { flushSync(): void };
  private dropped = 0;

  constructor(fd = 1) {
    const stream = pino.destination({ dest: fd, sync: false, minLength: 0, maxLength: MAX_BUFFERED_BYTES });
    stream.on('drop', (data: string | Buffer) => {
      this.dropped += countLines(data);
    });
    this.stream = stream;
  }

  /** Lines lost because stdout could not keep up. */
  get droppedLines(): number {
    return this.dropped;
  }
}

function countLines(data: string | Buffer): number {
  const text = typeof data === 'string' ? data : data.toString('utf8');
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return Math.max(n, 1);
}
