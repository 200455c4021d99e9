/** What the ticker drives: a session in its origin handshake. */
export interface HandshakeTimed {
  /** `now` is Date.now() of this tick; the session resends or gives up when its time has come. */
  onHandshakeTick(now: number): void;
}

/** Resolution of the origin handshake's resends (every ~250 ms) and deadline (~2.5 s): late by at most this. */
export const HANDSHAKE_TICK_MS = 25;

/**
 * One interval for every origin handshake under way, instead of a deadline timer and a resend timer (and their
 * closures) per session: an accepted handshake then costs two Set operations, not three timers. The interval runs
 * only while some handshake is under way.
 */
export class HandshakeTimers {
  private readonly pending = new Set<HandshakeTimed>();
  private interval: NodeJS.Timeout | undefined;

  get size(): number {
    return this.pending.size;
  }

  watch(handshake: HandshakeTimed): void {
    this.pending.add(handshake);
    this.interval ??= setInterval(this.tick, HANDSHAKE_TICK_MS);
  }

  unwatch(handshake: HandshakeTimed): void {
    if (!this.pending.delete(handshake) || this.pending.size > 0 || this.interval === undefined) return;
    clearInterval(this.interval);
    this.interval = undefined;
  }

  private readonly tick = (): void => {
    const now = Date.now();
    // A session that finishes during its tick unwatches itself: deleting while iterating a Set is safe.
    for (const handshake of this.pending) handshake.onHandshakeTick(now);
  };
}
