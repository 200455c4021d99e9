/**
 * Passive health: an origin that failed a handshake (unreachable, or silent for the whole budget) sits out a
 * cooldown, so new streams and streams whose assignment pointed at it go to a live origin instead of failing again
 * and again. A successful handshake clears it at once.
 */
export class OriginHealth {
  private readonly downUntil = new Map<string, number>();

  constructor(
    private readonly cooldownMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  isUp(originId: string): boolean {
    const until = this.downUntil.get(originId);
    if (until === undefined) return true;
    if (this.clock() < until) return false;
    this.downUntil.delete(originId);
    return true;
  }

  reportFailure(originId: string): void {
    if (this.cooldownMs > 0) this.downUntil.set(originId, this.clock() + this.cooldownMs);
  }

  reportSuccess(originId: string): void {
    this.downUntil.delete(originId);
  }

  /** Origins currently sitting out, for readiness and the API. */
  downIds(): string[] {
    return [...this.downUntil.keys()].filter((id) => !this.isUp(id));
  }
}
