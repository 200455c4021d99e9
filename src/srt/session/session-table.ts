import type { Session } from './session.js';

/**
 * The live sessions by the caller's (address, port, socket id), so repeated CONCLUSIONs find their session, and how
 * many of them are connected. Relaying does not look here: the data path keeps its own index of relaying links.
 *
 * Indexed by the socket id alone (a number: no key string to build and hash per CONCLUSION), the address and port
 * compared on a hit; callers are free to pick socket ids, so one that another caller's live session already has
 * goes into a second index under the whole (address, port, socket id) text, looked at only while it is not empty.
 */
export class SessionTable {
  private readonly bySocketId = new Map<number, Session>();
  /** Sessions whose socket id another caller's session held when they were added. */
  private readonly shared = new Map<string, Session>();
  private connected = 0;

  get size(): number {
    return this.bySocketId.size + this.shared.size;
  }

  get connectedCount(): number {
    return this.connected;
  }

  get handshakingCount(): number {
    return this.size - this.connected;
  }

  get(address: string, port: number, socketId: number): Session | undefined {
    const s = this.bySocketId.get(socketId);
    if (s !== undefined && s.callerPort === port && s.callerAddress === address) return s;
    return this.shared.size === 0 ? undefined : this.shared.get(sharedKeyOf(address, port, socketId));
  }

  /** A session for the same (address, port, socket id) as one already here takes its place in the index. */
  add(session: Session): void {
    const id = session.callerSocketId;
    const s = this.bySocketId.get(id);
    if (s === undefined || (s.callerPort === session.callerPort && s.callerAddress === session.callerAddress)) this.bySocketId.set(id, session);
    else this.shared.set(sharedKeyOf(session.callerAddress, session.callerPort, id), session);
  }

  /** Counts a session that reached the connected state (removed with `wasConnected` later). */
  markConnected(): void {
    this.connected++;
  }

  remove(session: Session, wasConnected: boolean): void {
    const id = session.callerSocketId;
    if (this.bySocketId.get(id) === session) this.bySocketId.delete(id);
    else if (this.shared.size !== 0) {
      const key = sharedKeyOf(session.callerAddress, session.callerPort, id);
      if (this.shared.get(key) === session) this.shared.delete(key);
    }
    if (wasConnected) this.connected--;
  }

  values(): IterableIterator<Session> {
    return this.shared.size === 0 ? this.bySocketId.values() : this.all();
  }

  private *all(): IterableIterator<Session> {
    yield* this.bySocketId.values();
    yield* this.shared.values();
  }
}

function sharedKeyOf(address: string, port: number, socketId: number): string {
  return `${address}|${port}|${socketId}`;
}
