/** The generator's randomness: one seeded stream, never Math.random, so that the same options give the same history. */

/** sfc32, seeded through splitmix32: small, fast, and good enough for synthetic data. */
export const createRandom = (seed: number) => {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const int = (n: number): number => Math.floor(next() * n);
  return {
    /** Uniform in [0, 1). */
    next,
    /** Uniform integer in [0, n). */
    int,
    between: (low: number, high: number): number => low + next() * (high - low),
    chance: (p: number): boolean => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    /** Picks by weight: weights need not sum to 1. */
    weighted: <T>(items: readonly (readonly [T, number])[]): T => {
      const total = items.reduce((sum, [, weight]) => sum + weight, 0);
      let u = next() * total;
      for (const [item, weight] of items) {
        u -= weight;
        if (u < 0) return item;
      }
      return items.at(-1)![0];
    },
    shuffle: <T>(items: T[]): T[] => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
  };
};
export type Random = ReturnType<typeof createRandom>;

/** Rank r (0-based) has weight (r + 1)^-s; draws a rank by binary search over the cumulative weights. */
export const createZipf = (n: number, exponent: number) => {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank++) {
    total += (rank + 1) ** -exponent;
    cumulative[rank] = total;
  }
  return {
    /** The share of draws that land on `rank`. */
    probability: (rank: number): number => (rank + 1) ** -exponent / total,
    draw: (random: Random): number => {
      const u = random.next() * total;
      let low = 0;
      let high = n - 1;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (cumulative[middle]! < u) low = middle + 1;
        else high = middle;
      }
      return low;
    },
  };
};
