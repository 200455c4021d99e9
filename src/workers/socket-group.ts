import type { ListenSockets } from './listen-sockets.js';

/**
 * The main thread's SO_REUSEPORT sockets, one per worker slot: opened in slot order (the kernel's group then holds
 * slot i at index i, and keeps it there while worker i restarts), each closed once, only at the pool's end.
 */
export class SocketGroup {
  private readonly fds: (number | undefined)[];

  constructor(
    private readonly sockets: ListenSockets,
    size: number,
  ) {
    this.fds = new Array<number | undefined>(size).fill(undefined);
  }

  /**
   * Opens every slot's socket on host:port; port 0 takes a free port for the first and the same for the rest.
   * Throws the first bind error, with the sockets opened so far closed again.
   */
  open(host: string, port: number, receiveBufferBytes: number, sendBufferBytes: number): { address: string; port: number } {
    if (this.fds.some((fd) => fd !== undefined)) throw new Error('the SRT sockets are open already');
    let bound = { address: host, port };
    try {
      for (let slot = 0; slot < this.fds.length; slot++) {
        const opened = this.sockets.open(host, bound.port, receiveBufferBytes, sendBufferBytes);
        this.fds[slot] = opened.fd;
        bound = { address: opened.address, port: opened.port };
      }
    } catch (error) {
      this.closeAll();
      throw error;
    }
    return bound;
  }

  /** The socket worker `slot` adopts; undefined before open() and after closeAll(). */
  fdOf(slot: number): number | undefined {
    return this.fds[slot];
  }

  /** Closes every open socket (each once; its workers must have exited); the errors, for the log. */
  closeAll(): Error[] {
    const errors: Error[] = [];
    for (let slot = 0; slot < this.fds.length; slot++) {
      const fd = this.fds[slot];
      if (fd === undefined) continue;
      // Forgotten first: a number that failed to close is never tried again (it may be another socket's by then).
      this.fds[slot] = undefined;
      try {
        this.sockets.close(fd);
      } catch (error) {
        errors.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return errors;
  }
}
