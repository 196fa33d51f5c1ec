/**
 * Exact percentiles and box-plot summaries.
 *
 * Definition: Hyndman & Fan (1996) type 7, the default of R's `quantile`, NumPy's `percentile` and Excel's
 * PERCENTILE.INC: for n sorted values x₀ ≤ … ≤ xₙ₋₁ and 0 ≤ p ≤ 1, h = (n − 1)·p and
 *   Q(p) = x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋).
 * The box plot's quartiles are Q(0.25), Q(0.5), Q(0.75); whiskers are the extreme values within 1.5 × IQR of the
 * box (Tukey), so the plot and the table agree on every number.
 *
 * Two paths give the same numbers: `quantileSorted` on a sorted array, and `summarize`, which for non-negative
 * integers below COUNTING_LIMIT (the review's intervals are whole minutes) counts instead of sorting — O(n + max)
 * rather than O(n log n), which is what keeps district-wide box plots over 10⁶ cases fast.
 */
import type { IntervalSummary } from '../../contract/review.ts';

/** A type-7 box-plot summary, as the API gives it (contract/review.ts). */
export type Summary = IntervalSummary;

/** Type-7 quantile of ascending values (NaN when empty). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantileSorted: p must be in [0, 1], got ${p}`);
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Counting is used for integer data up to this value (a bit over 69 days in minutes). */
export const COUNTING_LIMIT = 100_000;

/** Walks a histogram of integer values upwards: `at(k)` is the k-th smallest value (0-based). */
class CountCursor {
  private v = 0;
  private cum = 0; // values < v counted so far
  constructor(private readonly counts: Uint32Array) {}
  /** k must not decrease between calls. */
  at(k: number): number {
    while (this.cum + this.counts[this.v] <= k) this.cum += this.counts[this.v++];
    return this.v;
  }
}

/** Box-plot summary of the first `n` values (all of them when n is omitted); null when there are none. */
export function summarize(values: ArrayLike<number>, n: number = values.length): Summary | null {
  if (n === 0) return null;
  let min = Infinity, max = -Infinity, sum = 0, integral = true;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    if (integral && !Number.isInteger(v)) integral = false;
  }
  let q: (p: number) => number;
  let lowWhisker: (limit: number) => number;
  let highWhisker: (limit: number) => number;
  if (integral && min >= 0 && max <= COUNTING_LIMIT) {
    const counts = new Uint32Array(max + 1);
    for (let i = 0; i < n; i++) counts[values[i]]++;
    q = (p) => {
      const h = (n - 1) * p;
      const lo = Math.floor(h);
      const cur = new CountCursor(counts);
      const a = cur.at(lo);
      const b = cur.at(Math.min(lo + 1, n - 1));
      return a + (h - lo) * (b - a);
    };
    lowWhisker = (limit) => { let v = Math.max(0, Math.ceil(limit)); while (v <= max && counts[v] === 0) v++; return v; };
    highWhisker = (limit) => { let v = Math.min(max, Math.floor(limit)); while (v >= 0 && counts[v] === 0) v--; return v; };
  } else {
    const sorted = Float64Array.from({ length: n }, (_, i) => values[i]).sort();
    q = (p) => quantileSorted(sorted, p);
    lowWhisker = (limit) => { let i = 0; while (sorted[i] < limit) i++; return sorted[i]; };
    highWhisker = (limit) => { let i = n - 1; while (sorted[i] > limit) i--; return sorted[i]; };
  }
  const q1 = q(0.25), q3 = q(0.75), iqr = q3 - q1;
  return {
    n, min, q1, median: q(0.5), q3, p90: q(0.9), max, mean: sum / n,
    whiskerLow: lowWhisker(q1 - 1.5 * iqr),
    whiskerHigh: highWhisker(q3 + 1.5 * iqr),
  };
}

/**
 * A histogram of non-negative whole numbers (minutes) that answers the same type-7 summary as `summarize` on the
 * values added, exactly: counts for values up to COUNTING_LIMIT, the rare larger ones kept and sorted on demand.
 * Adding is O(1), so a summary over 10⁶ values costs one pass and one scan of the counts instead of a sort.
 */
export class MinuteHistogram {
  private readonly counts = new Uint32Array(COUNTING_LIMIT + 1);
  private readonly large: number[] = [];
  n = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;

  /** v must be a non-negative integer. */
  add(v: number): void {
    if (v <= COUNTING_LIMIT) this.counts[v]++;
    else this.large.push(v);
    this.n++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  summary(): Summary | null {
    const n = this.n;
    if (n === 0) return null;
    const large = Float64Array.from(this.large).sort();
    const small = n - large.length;
    const top = Math.min(COUNTING_LIMIT, this.max);
    // k-th smallest (0-based); ks asked in ascending order within one cursor.
    const cursor = () => {
      let v = 0, cum = 0;
      return (k: number): number => {
        if (k >= small) return large[k - small];
        while (cum + this.counts[v] <= k) cum += this.counts[v++];
        return v;
      };
    };
    const q = (p: number) => {
      const h = (n - 1) * p;
      const lo = Math.floor(h);
      const at = cursor();
      const a = at(lo);
      const b = at(Math.min(lo + 1, n - 1));
      return a + (h - lo) * (b - a);
    };
    const q1 = q(0.25), q3 = q(0.75), iqr = q3 - q1;
    const lowLimit = q1 - 1.5 * iqr, highLimit = q3 + 1.5 * iqr;
    let whiskerLow = this.min;
    if (whiskerLow < lowLimit) {
      let v = Math.max(0, Math.ceil(lowLimit));
      while (v <= top && this.counts[v] === 0) v++;
      whiskerLow = v <= top ? v : large.find((x) => x >= lowLimit)!;
    }
    let whiskerHigh = this.max;
    if (whiskerHigh > highLimit) {
      let i = large.length - 1;
      while (i >= 0 && large[i] > highLimit) i--;
      if (i >= 0) whiskerHigh = large[i];
      else {
        let v = Math.min(top, Math.floor(highLimit));
        while (v >= 0 && this.counts[v] === 0) v--;
        whiskerHigh = v;
      }
    }
    return { n, min: this.min, q1, median: q(0.5), q3, p90: q(0.9), max: this.max, mean: this.sum / n, whiskerLow, whiskerHigh };
  }
}
