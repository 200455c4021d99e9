import type { Session } from './session.js';

/**
 * The live sessions by the caller's (address, port, socket id), so repeated CONCLUSIONs find their session, and how
 * many of them are connected. Relaying does not look here: the data path keeps its own index of relaying links.
 */
export class SessionTable {
  private readonly byHandshake = new Map<string, Session>();
  private connected = 0;

  get size(): number {
    return this.byHandshake.size;
  }

  get connectedCount(): number {
    return this.connected;
  }

  get handshakingCount(): number {
    return this.byHandshake.size - this.connected;
  }

  getByHandshake(key: string): Session | undefined {
    return this.byHandshake.get(key);
  }

  add(session: Session): void {
    this.byHandshake.set(session.handshakeKey, session);
  }

  /** Counts a session that reached the connected state (removed with `wasConnected` later). */
  markConnected(): void {
    this.connected++;
  }

  remove(session: Session, wasConnected: boolean): void {
    if (this.byHandshake.get(session.handshakeKey) === session) this.byHandshake.delete(session.handshakeKey);
    if (wasConnected) this.connected--;
  }

  values(): IterableIterator<Session> {
    return this.byHandshake.values();
  }
}
