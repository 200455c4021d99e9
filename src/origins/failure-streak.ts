// Stand-in with the contract's exact public surface (interfaces6.md); helper B's version replaces it at merge.
/** Passive evidence from handshakes: an origin is down after `threshold` consecutive failures. */
export class FailureStreak {
  private readonly streaks = new Map<string, number>();

  constructor(
    private readonly threshold: number,
    _clock: () => number = Date.now,
  ) {}

  /** true when this failure makes the streak reach the threshold (origin now 'down'). */
  failure(originId: string): boolean {
    const n = (this.streaks.get(originId) ?? 0) + 1;
    this.streaks.set(originId, n);
    return n === this.threshold;
  }

  success(originId: string): void {
    this.streaks.delete(originId);
  }

  isDown(originId: string): boolean {
    return (this.streaks.get(originId) ?? 0) >= this.threshold;
  }

  forget(originId: string): void {
    this.streaks.delete(originId);
  }
}
