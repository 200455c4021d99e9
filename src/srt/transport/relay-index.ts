/** What the index needs of a relaying link. */
export interface RelayEntry<T> {
  readonly originSocketId: number;
  readonly callerAddress: string;
  readonly callerPort: number;
  /** Chains the links whose origins picked the same socket id. */
  nextWithSameOriginSocketId: T | undefined;
}

export const enum Lookup {
  Found,
  UnknownSocketId,
  ForeignAddress,
}

/**
 * Relaying links by the origin socket id their caller uses as destination: a Map with a number key so the
 * per-packet lookup allocates nothing. Two origins may hand out the same socket id, so each slot chains the links
 * sharing it and the caller's address and port pick the right one: a datagram from any other address never reaches
 * an origin.
 */
export class RelayIndex<T extends RelayEntry<T>> {
  private readonly bySocketId = new Map<number, T>();
  /**
   * Set by find(): the link found; for a foreign address the link that datagram most likely targets (so the drop is
   * charged to it), or undefined when no link is a better guess than another. Valid until the next call.
   */
  found: T | undefined;

  add(entry: T): void {
    entry.nextWithSameOriginSocketId = this.bySocketId.get(entry.originSocketId);
    this.bySocketId.set(entry.originSocketId, entry);
  }

  find(originSocketId: number, address: string, port: number): Lookup {
    let e = this.bySocketId.get(originSocketId);
    if (e === undefined) return Lookup.UnknownSocketId;
    const only = e.nextWithSameOriginSocketId === undefined ? e : undefined;
    let sameAddress: T | undefined;
    while (e !== undefined) {
      if (e.callerAddress === address) {
        if (e.callerPort === port) {
          this.found = e;
          return Lookup.Found;
        }
        // Same host, another port: a NAT rebinding or a spoofer aiming at this caller; either way, its link.
        sameAddress ??= e;
      }
      e = e.nextWithSameOriginSocketId;
    }
    // Several links share the id and none has this address: charging the chain's head would blame a bystander.
    this.found = sameAddress ?? only;
    return Lookup.ForeignAddress;
  }

  remove(entry: T): void {
    let prev: T | undefined;
    let e = this.bySocketId.get(entry.originSocketId);
    while (e !== undefined && e !== entry) {
      prev = e;
      e = e.nextWithSameOriginSocketId;
    }
    if (e === undefined) return;
    if (prev === undefined) {
      if (entry.nextWithSameOriginSocketId === undefined) this.bySocketId.delete(entry.originSocketId);
      else this.bySocketId.set(entry.originSocketId, entry.nextWithSameOriginSocketId);
    } else {
      prev.nextWithSameOriginSocketId = entry.nextWithSameOriginSocketId;
    }
    entry.nextWithSameOriginSocketId = undefined;
  }

  get size(): number {
    return this.bySocketId.size;
  }
}
