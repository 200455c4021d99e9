import type { Session } from './session.js';

export const enum Lookup {
  Found,
  UnknownSocketId,
  ForeignAddress,
}

/**
 * The sessions, indexed twice: by the caller's (address, port, socket id) while and after the handshake, so
 * repeated CONCLUSIONs find their session; and by the origin's socket id for relaying, a Map with a number key so
 * the per-packet lookup allocates nothing. Two origins may hand out the same socket id, so each slot chains the
 * sessions sharing it and the caller's address and port pick the right one: a packet from any other address never
 * reaches an origin.
 */
export class SessionTable {
  private readonly byHandshake = new Map<string, Session>();
  private readonly byOriginSocketId = new Map<number, Session>();
  private connected = 0;
  /**
   * Set by find(): the session found; for a foreign address the session that datagram most likely targets (so the
   * drop is charged to it), or undefined when no session is a better guess than another. Valid until the next call.
   */
  found: Session | undefined;

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

  /** Makes a session reachable by the origin socket id its caller now uses as destination. */
  index(session: Session): void {
    session.nextWithSameOriginSocketId = this.byOriginSocketId.get(session.originSocketId);
    this.byOriginSocketId.set(session.originSocketId, session);
    this.connected++;
  }

  find(originSocketId: number, address: string, port: number): Lookup {
    let s = this.byOriginSocketId.get(originSocketId);
    if (s === undefined) return Lookup.UnknownSocketId;
    const only = s.nextWithSameOriginSocketId === undefined ? s : undefined;
    let sameAddress: Session | undefined;
    while (s !== undefined) {
      if (s.callerAddress === address) {
        if (s.callerPort === port) {
          this.found = s;
          return Lookup.Found;
        }
        // Same host, another port: a NAT rebinding or a spoofer aiming at this caller; either way, its session.
        sameAddress ??= s;
      }
      s = s.nextWithSameOriginSocketId;
    }
    // Several sessions share the id and none has this address: charging the chain's head would blame a bystander.
    this.found = sameAddress ?? only;
    return Lookup.ForeignAddress;
  }

  remove(session: Session, wasIndexed: boolean): void {
    if (this.byHandshake.get(session.handshakeKey) === session) this.byHandshake.delete(session.handshakeKey);
    if (!wasIndexed) return;
    this.connected--;
    let prev: Session | undefined;
    let s = this.byOriginSocketId.get(session.originSocketId);
    while (s !== undefined && s !== session) {
      prev = s;
      s = s.nextWithSameOriginSocketId;
    }
    if (s === undefined) return;
    if (prev === undefined) {
      if (session.nextWithSameOriginSocketId === undefined) this.byOriginSocketId.delete(session.originSocketId);
      else this.byOriginSocketId.set(session.originSocketId, session.nextWithSameOriginSocketId);
    } else {
      prev.nextWithSameOriginSocketId = session.nextWithSameOriginSocketId;
    }
    session.nextWithSameOriginSocketId = undefined;
  }

  values(): IterableIterator<Session> {
    return this.byHandshake.values();
  }
}
