import { writeSync } from 'node:fs';

/** Bytes of one ring; a power of two, so positions can wrap around 2^32 and still index it. */
export const RING_BYTES = 1024 * 1024;
const MASK = RING_BYTES - 1;

/** Control slots (Int32): bytes published by the thread that logs, bytes written by the writer, lines dropped. */
const PUBLISHED = 0;
const CONSUMED = 1;
const DROPPED = 2;
const SLOTS = 3;
/** One more Int32 in the control block that nothing stores into: drainHere sleeps on it. */
const CONTROL_INTS = SLOTS + 1;

/** What a ring is made of, as it crosses to the writer thread. */
export interface RingShare {
  readonly fd: number;
  readonly data: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
}

/**
 * One destination's log bytes on their way to its fd: a single-producer, single-consumer ring in shared memory. The
 * thread that logs encodes lines straight into it (no joined string, no message per batch) and publishes them every
 * few milliseconds; the writer thread writes what is published and moves `consumed` on after every write, so at
 * any moment each byte is either written or not, never both: the exit path can wait for the writer and write the
 * rest itself, each byte once.
 */
export class LogRing {
  private readonly data: Buffer;
  private readonly control: Int32Array;
  /** Producer side: bytes encoded, published or not. */
  private head = 0;
  /** What `consumed` was when last read: free space is computed from it until it looks too small. */
  private consumedSeen = 0;

  constructor(readonly share: RingShare) {
    this.data = Buffer.from(share.data);
    this.control = new Int32Array(share.control);
  }

  static create(fd: number): LogRing {
    return new LogRing({ fd, data: new SharedArrayBuffer(RING_BYTES), control: new SharedArrayBuffer(CONTROL_INTS * 4) });
  }

  /** Encodes `line` after the bytes already in; false (nothing written) when it does not fit. */
  tryWrite(line: string): boolean {
    const bound = line.length * 3;
    if (!this.fits(bound)) {
      const bytes = Buffer.byteLength(line);
      if (!this.fits(bytes)) return false;
    }
    const at = this.head & MASK;
    if (at + bound <= RING_BYTES) {
      this.head = (this.head + this.data.write(line, at)) | 0;
      return true;
    }
    // Near the end of the ring: the line wraps around (once per megabyte).
    const bytes = Buffer.from(line);
    const first = Math.min(bytes.length, RING_BYTES - at);
    bytes.copy(this.data, at, 0, first);
    bytes.copy(this.data, 0, first);
    this.head = (this.head + bytes.length) | 0;
    return true;
  }

  /** Bytes encoded and not yet published. */
  get unpublished(): number {
    return (this.head - Atomics.load(this.control, PUBLISHED)) | 0;
  }

  /** Makes what is encoded visible to the writer. */
  publish(): void {
    Atomics.store(this.control, PUBLISHED, this.head);
  }

  /** Nothing published is left unwritten. */
  get drained(): boolean {
    return Atomics.load(this.control, CONSUMED) === Atomics.load(this.control, PUBLISHED);
  }

  /** Nothing is in the ring at all (published or not). */
  get empty(): boolean {
    return Atomics.load(this.control, CONSUMED) === this.head;
  }

  /** Blocks until the writer has written what is published, or `deadline` (Date.now()) passes; true when drained. */
  waitDrained(deadline: number): boolean {
    for (;;) {
      const consumed = Atomics.load(this.control, CONSUMED);
      if (consumed === Atomics.load(this.control, PUBLISHED)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.control, CONSUMED, consumed, Math.min(left, 50));
    }
  }

  /** Publishes and writes the ring on this thread (blocking; no writer thread may be draining it). */
  drainHere(deadline: number): boolean {
    this.publish();
    while (drainRing(this.data, this.control, this.share.fd) === 'again') {
      if (Date.now() >= deadline) return false;
      Atomics.wait(this.control, SLOTS, 0, 10);
    }
    return true;
  }

  /** The encoded bytes not yet published, taken back (the exit path writes them itself). */
  takeUnpublished(): Buffer {
    const from = Atomics.load(this.control, PUBLISHED);
    const bytes = copyOut(this.data, from, this.head);
    this.head = from;
    return bytes;
  }

  get droppedLines(): number {
    return Atomics.load(this.control, DROPPED);
  }

  private fits(bytes: number): boolean {
    if (RING_BYTES - ((this.head - this.consumedSeen) | 0) >= bytes) return true;
    this.consumedSeen = Atomics.load(this.control, CONSUMED);
    return RING_BYTES - ((this.head - this.consumedSeen) | 0) >= bytes;
  }
}

/**
 * The consumer: writes what is published, moving `consumed` on after each write. 'again' when the fd is a full
 * non-blocking pipe (EAGAIN): the caller retries later. A dead fd (EPIPE, EBADF...) drops what is published, counted.
 */
export function drainRing(data: Buffer, control: Int32Array, fd: number): 'done' | 'again' {
  let consumed = Atomics.load(control, CONSUMED);
  const published = Atomics.load(control, PUBLISHED);
  try {
    while (consumed !== published) {
      const at = consumed & MASK;
      const length = Math.min((published - consumed) | 0, RING_BYTES - at);
      consumed = (consumed + writeSync(fd, data, at, length)) | 0;
      Atomics.store(control, CONSUMED, consumed);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return 'again';
    Atomics.add(control, DROPPED, countNewlines(copyOut(data, consumed, published)));
    Atomics.store(control, CONSUMED, published);
  } finally {
    Atomics.notify(control, CONSUMED);
  }
  return 'done';
}

/** A copy of the ring's bytes from position `from` to `to`. */
function copyOut(data: Buffer, from: number, to: number): Buffer {
  const length = (to - from) | 0;
  const at = from & MASK;
  const first = Math.min(length, RING_BYTES - at);
  const out = Buffer.allocUnsafe(length);
  data.copy(out, 0, at, at + first);
  data.copy(out, first, 0, length - first);
  return out;
}

function countNewlines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) n++;
  return Math.max(n, 1);
}
