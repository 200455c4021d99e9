import { Worker } from 'node:worker_threads';
import { LANE_DONE, LANE_DROPPED, LANE_SLOTS, LANE_TAKEN, type LogWriterData, type LogWriterMessage } from './log-writer-protocol.js';
import { writeFully } from './write-fully.js';

const WRITER_ENTRY = new URL('./log-writer-thread.js', import.meta.url);
/** How often a wait for the writer looks whether the writer thread is still there. */
const WAIT_SLICE_MS = 50;
/** Writer threads that may die before taking their first message before this thread writes its lines itself. */
const MAX_FAILED_STARTS = 3;
/** How long a line written here (no writer thread) may wait for a full stdout. */
const FALLBACK_PATIENCE_MS = 1000;

/**
 * The log writer thread of this JavaScript thread (the main thread and each SRT worker have their own), started on
 * the first batch and shared by the destinations of the thread. It never keeps the process alive.
 */
class LogWriter {
  private static current: LogWriter | undefined;
  private static failedStarts = 0;
  private readonly worker: Worker;
  private readonly started = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  private lanes = 0;
  private exited = false;

  /** A live writer, or undefined when they keep failing to start (the caller writes itself). */
  static forThisThread(): LogWriter | undefined {
    const current = LogWriter.current;
    if (current !== undefined && !current.exited) return current;
    if (current !== undefined) LogWriter.failedStarts = Atomics.load(current.started, 0) === 1 ? 0 : LogWriter.failedStarts + 1;
    if (LogWriter.failedStarts >= MAX_FAILED_STARTS) return undefined;
    LogWriter.current = new LogWriter();
    return LogWriter.current;
  }

  private constructor() {
    const workerData: LogWriterData = { started: this.started.buffer as SharedArrayBuffer };
    // No execArgv: the parent's (`--input-type`, `--cpu-prof`...) are not for this thread.
    this.worker = new Worker(WRITER_ENTRY, { name: 'log-writer', workerData, execArgv: [] });
    this.worker.unref();
    // Only its exit matters (lanes look at what it had begun); the next batch starts a new writer.
    this.worker.on('error', () => undefined);
    this.worker.once('exit', () => {
      this.exited = true;
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** A new lane: its shared state, registered with the thread. */
  open(): { lane: number; state: Int32Array } {
    const lane = this.lanes++;
    const state = new SharedArrayBuffer(LANE_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    this.post({ kind: 'lane', lane, state });
    return { lane, state: new Int32Array(state) };
  }

  post(message: LogWriterMessage): void {
    this.worker.postMessage(message);
  }
}

/**
 * One destination's way to its log writer thread: one batch in flight at a time, whose end the destination reads
 * from shared memory (no message back, no callback on the event loop), and can wait for synchronously at exit.
 */
export class LogLane {
  private writer: LogWriter | undefined;
  private lane = 0;
  private state: Int32Array<ArrayBufferLike> = new Int32Array(LANE_SLOTS);
  private seq = 0;
  private inFlight: string | undefined;
  /** Lines lost with a writer thread that died in the middle of a batch, and those counted by earlier writers. */
  private lost = 0;

  constructor(private readonly fd: number) {}

  /** Hands one batch to the writer thread. The caller waits until the previous one is done (`busy` false). */
  submit(text: string): void {
    if ((this.writer === undefined || !this.writer.alive) && !this.attach()) {
      this.writeHere(text);
      return;
    }
    this.seq = (this.seq + 1) | 0;
    this.inFlight = text;
    this.writer!.post({ kind: 'batch', lane: this.lane, fd: this.fd, seq: this.seq, text });
  }

  /** A batch is being written. */
  get busy(): boolean {
    const text = this.inFlight;
    if (text === undefined) return false;
    if (Atomics.load(this.state, LANE_DONE) === this.seq) {
      this.inFlight = undefined;
      return false;
    }
    if (this.writer!.alive) return true;
    this.inFlight = undefined;
    if (Atomics.load(this.state, LANE_TAKEN) === this.seq) {
      // It died in the middle: how much reached stdout is unknown, and writing it again could double lines.
      this.lost += countLines(text);
      return false;
    }
    // Never begun: it goes to a new writer (or is written here).
    this.submit(text);
    return this.inFlight !== undefined;
  }

  /** Characters of the batch in flight (0 when none): they count towards what the destination holds. */
  get inFlightLength(): number {
    return this.busy ? this.inFlight!.length : 0;
  }

  /** Lines the writer could not write (stdout gone) or lost with its thread. */
  get droppedLines(): number {
    return this.lost + Atomics.load(this.state, LANE_DROPPED);
  }

  /** Blocks until the batch in flight is written or `deadline` (Date.now()) passes; true when nothing is in flight. */
  waitSync(deadline: number): boolean {
    while (this.busy) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.state, LANE_DONE, Atomics.load(this.state, LANE_DONE), Math.min(left, WAIT_SLICE_MS));
    }
    return true;
  }

  private attach(): boolean {
    const writer = LogWriter.forThisThread();
    if (writer === undefined) return false;
    this.lost += Atomics.load(this.state, LANE_DROPPED);
    this.writer = writer;
    ({ lane: this.lane, state: this.state } = writer.open());
    this.seq = 0;
    return true;
  }

  /** No writer thread will start: a blocking write here beats losing every line. */
  private writeHere(text: string): void {
    try {
      writeFully(this.fd, text, Date.now() + FALLBACK_PATIENCE_MS);
    } catch {
      this.lost += countLines(text);
    }
  }
}

export function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return Math.max(n, 1);
}
