/**
 * Seeded pseudo-random number generator (sfc32, seeded through splitmix32).
 * Pure and deterministic: the same seed always yields the same sequence on every platform.
 */

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, maxInclusive]. */
  int(min: number, maxInclusive: number): number;
  /** Uniform choice from a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** Standard normal deviate (mean 0, sd 1), Box–Muller. */
  normal(): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Uniform float in [min, max). */
  range(min: number, max: number): number;
  /** Choice weighted by non-negative weights (same length as items; at least one weight > 0). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
  /** Index chosen with the given weights. */
  weightedIndex(weights: readonly number[]): number;
  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[];
  /** An independent generator derived from this one's next output and a label. */
  fork(label?: string | number): Rng;
  /** A 32-bit unsigned integer. */
  uint32(): number;
}

/** splitmix32 step, used to expand a seed into sfc32 state. */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A Poisson draw by Knuth's multiplication method from uniform draws `u` in [0, 1): exact, O(λ) — for small λ. */
export function poisson(lambda: number, u: () => number): number {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= u();
  } while (p > l);
  return k - 1;
}

/** FNV-1a hash of a string to 32 bits, for labelled forks. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Creates a generator from an integer seed (any number; only its low 32 bits matter after truncation). */
export function createRng(seed: number): Rng {
  const init = splitmix32(Math.trunc(seed) >>> 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();

  const uint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  // Warm up so that close seeds diverge.
  for (let i = 0; i < 12; i++) uint32();

  const next = (): number => uint32() / 4294967296;
  let spare: number | null = null;

  const rng: Rng = {
    next,
    uint32,
    int(min, maxInclusive) {
      if (maxInclusive < min) throw new RangeError(`int(${min}, ${maxInclusive}): empty range`);
      return min + Math.floor(next() * (maxInclusive - min + 1));
    },
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)];
    },
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    chance(p) {
      return next() < p;
    },
    range(min, max) {
      return min + next() * (max - min);
    },
    weightedIndex(weights) {
      let total = 0;
      for (const w of weights) total += w > 0 ? w : 0;
      if (!(total > 0)) throw new RangeError('weighted pick needs a positive weight');
      let x = next() * total;
      for (let i = 0; i < weights.length; i++) {
        const w = weights[i] > 0 ? weights[i] : 0;
        if (x < w) return i;
        x -= w;
      }
      for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
      return weights.length - 1;
    },
    weighted<T>(items: readonly T[], weights: readonly number[]): T {
      if (items.length !== weights.length) throw new RangeError('items and weights differ in length');
      return items[rng.weightedIndex(weights)];
    },
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const t = items[i];
        items[i] = items[j];
        items[j] = t;
      }
      return items;
    },
    fork(label) {
      const base = uint32();
      const extra = label === undefined ? 0 : typeof label === 'number' ? label >>> 0 : hashString(label);
      return createRng((base ^ Math.imul(extra, 0x9e3779b1)) >>> 0);
    },
  };
  return rng;
}

/**
 * Cumulative-weight table for fast repeated weighted picks over a large fixed list (binary search).
 */
export class WeightedTable {
  private readonly cumulative: Float64Array;
  readonly total: number;
  constructor(weights: ArrayLike<number>) {
    this.cumulative = new Float64Array(weights.length);
    let t = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i];
      t += w > 0 ? w : 0;
      this.cumulative[i] = t;
    }
    if (!(t > 0)) throw new RangeError('WeightedTable needs a positive weight');
    this.total = t;
  }
  /** Index chosen with probability proportional to its weight. */
  pickIndex(rng: Rng): number {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
