/**
 * Live sessions per source, so that one address cannot hold every slot up to MAX_SESSIONS by varying its SRT
 * socket id. The map holds only sources with a live session, so it is bounded by MAX_SESSIONS, not by traffic.
 */
export class SessionCap {
  private readonly live = new Map<string, number>();

  /** `max` = 0: no cap, nothing tracked. */
  constructor(private readonly max: number) {}

  /** false with `max` = 0: nothing is capped, and callers need not work out sources at all. */
  get enabled(): boolean {
    return this.max !== 0;
  }

  /** Whether `source` may open one more session. */
  admits(source: string): boolean {
    return this.max === 0 || (this.live.get(source) ?? 0) < this.max;
  }

  opened(source: string): void {
    if (this.max === 0) return;
    this.live.set(source, (this.live.get(source) ?? 0) + 1);
  }

  closed(source: string): void {
    if (this.max === 0) return;
    const count = this.live.get(source);
    if (count === undefined) return;
    if (count <= 1) this.live.delete(source);
    else this.live.set(source, count - 1);
  }

  /** Live sessions of `source`. */
  countOf(source: string): number {
    return this.live.get(source) ?? 0;
  }

  /** Sources with at least one live session. */
  get sources(): number {
    return this.live.size;
  }
}
