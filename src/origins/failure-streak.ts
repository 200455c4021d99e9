/**
 * Passive evidence that an origin is down: consecutive failed handshakes. One failure proves little (a caller that
 * gave up, one lost datagram, a stream the origin refused), so an origin counts as down only after `threshold`
 * failures in a row with no success between them. How long "down" then lasts is the registry's business (its
 * cooldown); this class only counts. Pure: no timers, no I/O.
 */
export class FailureStreak {
  private readonly streaks = new Map<string, { count: number; downSince: number | undefined }>();

  constructor(
    private readonly threshold: number,
    private readonly clock: () => number = Date.now,
  ) {
    if (!Number.isSafeInteger(threshold) || threshold < 1) {
      throw new RangeError(`failure threshold must be a whole number >= 1, got ${threshold}`);
    }
  }

  /** Records a failed handshake; true only for the failure that reaches the threshold (the origin is now down). */
  failure(originId: string): boolean {
    let streak = this.streaks.get(originId);
    if (streak === undefined) {
      streak = { count: 0, downSince: undefined };
      this.streaks.set(originId, streak);
    }
    if (streak.count >= this.threshold) return false;
    streak.count += 1;
    if (streak.count < this.threshold) return false;
    streak.downSince = this.clock();
    return true;
  }

  /** A completed handshake: the origin answers, whatever came before. */
  success(originId: string): void {
    this.streaks.delete(originId);
  }

  isDown(originId: string): boolean {
    const streak = this.streaks.get(originId);
    return streak !== undefined && streak.count >= this.threshold;
  }

  /** When the streak reached the threshold (clock time), for a cooldown; undefined when not down. */
  downSince(originId: string): number | undefined {
    return this.streaks.get(originId)?.downSince;
  }

  /** Consecutive failures so far (0 when none), for views and logs. */
  failuresOf(originId: string): number {
    return this.streaks.get(originId)?.count ?? 0;
  }

  /** Drops an origin that left the registry, so the map holds only origins that exist. */
  forget(originId: string): void {
    this.streaks.delete(originId);
  }
}
