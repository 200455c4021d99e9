import { Worker } from 'node:worker_threads';
import { LANE_DONE, LANE_DROPPED, LANE_SLOTS, type LogWriterMessage } from './log-writer-protocol.js';

const WRITER_ENTRY = new URL('./log-writer-thread.js', import.meta.url);
/** How often a wait for the writer looks whether the writer thread is still there. */
const WAIT_SLICE_MS = 50;

/**
 * The log writer thread of this JavaScript thread (the main thread and each SRT worker have their own), started on
 * the first batch and shared by the destinations of the thread. It never keeps the process alive.
 */
class LogWriter {
  private static current: LogWriter | undefined;
  private readonly worker: Worker;
  private lanes = 0;
  private exited = false;

  static forThisThread(): LogWriter {
    if (LogWriter.current === undefined || LogWriter.current.exited) LogWriter.current = new LogWriter();
    return LogWriter.current;
  }

  private constructor() {
    this.worker = new Worker(WRITER_ENTRY, { name: 'log-writer' });
    this.worker.unref();
    // Only its exit matters (the batch in flight is then lost and counted); the next batch starts a new writer.
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
  /** Lines lost with a writer thread that exited, and those counted by earlier writers. */
  private lost = 0;

  constructor(private readonly fd: number) {}

  /** Hands one batch to the writer thread. The caller waits until the previous one is done (`busy` false). */
  submit(text: string): void {
    if (this.writer === undefined || !this.writer.alive) this.attach();
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
    this.lost += countLines(text);
    this.inFlight = undefined;
    return false;
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

  private attach(): void {
    this.lost += Atomics.load(this.state, LANE_DROPPED);
    this.writer = LogWriter.forThisThread();
    ({ lane: this.lane, state: this.state } = this.writer.open());
    this.seq = 0;
  }
}

export function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return Math.max(n, 1);
}
