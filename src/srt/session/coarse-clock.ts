/**
 * A millisecond clock refreshed by the session sweeper, so the per-packet path records activity with a field read
 * instead of a Date.now() call. Accuracy is the sweep interval, ample for idle timeouts of seconds.
 */
export class CoarseClock {
  now = Date.now();

  tick(): number {
    this.now = Date.now();
    return this.now;
  }
}
