import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { drainRing, LogRing } from './log-ring.js';

const WRITER_ENTRY = new URL('./log-writer-thread.js', import.meta.url);
/** Writer threads that may die before they start before this thread writes its lines itself. */
const MAX_FAILED_STARTS = 3;

/** What the writer thread is started with. */
export interface LogWriterData {
  /** Int32 rung (incremented, notified) when a ring has published bytes or a new ring waits on `rings`. */
  readonly bell: SharedArrayBuffer;
  /** New rings (RingShare), read synchronously by the thread. */
  readonly rings: MessagePort;
  /** Int32 set to 1 once the thread runs. */
  readonly started: SharedArrayBuffer;
}

/**
 * The log writer thread of this JavaScript thread (the main thread and each SRT worker have their own), started on
 * the first batch and shared by the rings of the thread's destinations. It never keeps the process alive. Should it
 * die, the next publish starts another, which goes on from each ring's `consumed`; should it fail to start
 * MAX_FAILED_STARTS times, the thread that logs writes its rings itself (blocking: better than losing every line).
 */
export class LogWriter {
  private static current: LogWriter | undefined;
  private static failedStarts = 0;
  private static readonly rings: LogRing[] = [];
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly bell = new Int32Array(new SharedArrayBuffer(4));
  private readonly started = new Int32Array(new SharedArrayBuffer(4));
  private exited = false;

  /** A new ring on `fd`, drained by this thread's writer. */
  static ring(fd: number): LogRing {
    const ring = LogRing.create(fd);
    LogWriter.rings.push(ring);
    LogWriter.current?.register(ring);
    return ring;
  }

  /** Publishes what `ring` holds and has it written. */
  static publish(ring: LogRing): void {
    ring.publish();
    const writer = LogWriter.live();
    if (writer === undefined) {
      drainRing(Buffer.from(ring.share.data), new Int32Array(ring.share.control), ring.share.fd);
      return;
    }
    Atomics.add(writer.bell, 0, 1);
    Atomics.notify(writer.bell, 0);
  }

  /** Whether a writer thread is (as far as this thread has heard) running, to be waited for. */
  static get running(): boolean {
    return LogWriter.current !== undefined && !LogWriter.current.exited;
  }

  private static live(): LogWriter | undefined {
    const current = LogWriter.current;
    if (current !== undefined && !current.exited) return current;
    if (current !== undefined) LogWriter.failedStarts = Atomics.load(current.started, 0) === 1 ? 0 : LogWriter.failedStarts + 1;
    if (LogWriter.failedStarts >= MAX_FAILED_STARTS) return undefined;
    const writer = new LogWriter();
    for (const ring of LogWriter.rings) writer.register(ring);
    LogWriter.current = writer;
    return writer;
  }

  private constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const workerData: LogWriterData = { bell: this.bell.buffer as SharedArrayBuffer, rings: port2, started: this.started.buffer as SharedArrayBuffer };
    // No execArgv: the parent's (`--input-type`, `--cpu-prof`...) are not for this thread.
    this.worker = new Worker(WRITER_ENTRY, { name: 'log-writer', workerData, transferList: [port2], execArgv: [] });
    this.worker.unref();
    // Only its exit matters: the rings keep what it had not written.
    this.worker.on('error', () => undefined);
    this.worker.once('exit', () => {
      this.exited = true;
    });
  }

  private register(ring: LogRing): void {
    this.port.postMessage(ring.share);
  }
}
