// Seeded PRNG for property and fuzz tests, so a failure is reproducible from the printed seed.

export interface Rng {
  /** Uniform uint32. */
  u32(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  bool(): boolean;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
}

/** mulberry32: tiny, fast, good enough for test-case generation. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const u32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const int = (min: number, max: number): number => min + Math.floor((u32() / 0x100000000) * (max - min + 1));
  return {
    u32,
    int,
    bool: () => (u32() & 1) === 1,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)],
    bytes: (n: number): Buffer => {
      const out = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) out[i] = u32() & 0xff;
      return out;
    },
  };
}
