export type ProbeVerdict = 'up' | 'down';

/**
 * The probe's verdict per origin from answered and missed probes: `missesToDown` misses in a row make it down, the
 * first answer makes it up (an origin that answers is reachable now; waiting for more would only delay recovery).
 * Each method returns the new verdict when it changed (or is the first), undefined otherwise. Pure.
 */
export class ProbeVerdicts {
  private readonly states = new Map<string, { misses: number; verdict: ProbeVerdict | undefined }>();

  constructor(private readonly missesToDown: number) {
    if (!Number.isSafeInteger(missesToDown) || missesToDown < 1) {
      throw new RangeError(`missesToDown must be a whole number >= 1, got ${missesToDown}`);
    }
  }

  answered(originId: string): ProbeVerdict | undefined {
    const state = this.stateOf(originId);
    state.misses = 0;
    return this.settle(state, 'up');
  }

  missed(originId: string): ProbeVerdict | undefined {
    const state = this.stateOf(originId);
    if (state.misses < this.missesToDown) state.misses += 1;
    return state.misses >= this.missesToDown ? this.settle(state, 'down') : undefined;
  }

  verdictOf(originId: string): ProbeVerdict | undefined {
    return this.states.get(originId)?.verdict;
  }

  /** Consecutive misses so far. */
  missesOf(originId: string): number {
    return this.states.get(originId)?.misses ?? 0;
  }

  forget(originId: string): void {
    this.states.delete(originId);
  }

  private stateOf(originId: string): { misses: number; verdict: ProbeVerdict | undefined } {
    let state = this.states.get(originId);
    if (state === undefined) {
      state = { misses: 0, verdict: undefined };
      this.states.set(originId, state);
    }
    return state;
  }

  private settle(state: { verdict: ProbeVerdict | undefined }, verdict: ProbeVerdict): ProbeVerdict | undefined {
    if (state.verdict === verdict) return undefined;
    state.verdict = verdict;
    return verdict;
  }
}
