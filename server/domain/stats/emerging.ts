/**
 * Emerging hot spots, after ArcGIS Pro's Emerging Hot Spot Analysis ("How Emerging Hot Spot Analysis works"): Gi*
 * per time step on the same weights, then per unit the Mann–Kendall trend of its Gi* z-scores, and a category from
 * the unit's history of significant hot (H) and cold (C) steps. n steps, the last one final:
 *
 * - new: H at the final step and never significant before;
 * - consecutive: one uninterrupted run of ≥ 2 H steps ending at the final step, never H before the run, and fewer
 *   than 90 % of steps H;
 * - intensifying / persistent / diminishing: H in ≥ 90 % of steps, the final step included, with a significant
 *   increasing trend / no significant trend / a significant decreasing trend of the z-scores;
 * - sporadic: H at the final step, fewer than 90 % of steps H, on-again off-again, never C;
 * - oscillating: H at the final step, fewer than 90 % of steps H, C at some earlier step;
 * - historical: not H at the final step, but H in ≥ 90 % of steps;
 * and the cold equivalents with H and C (and the trend's direction) swapped. Everything else: no pattern.
 *
 * Simplification, stated: ArcGIS's space-time Gi* also pools neighbouring time steps; here each step's Gi* is
 * spatial only, which is what a month of governance data supports.
 */
import { mannKendall } from './mann-kendall.ts';
import { giStarTest } from './gi-star.ts';
import type { Weights } from './weights.ts';

export const EMERGING_PATTERNS = ['new', 'consecutive', 'intensifying', 'persistent', 'diminishing', 'sporadic', 'oscillating', 'historical'] as const;
export type EmergingPattern = (typeof EMERGING_PATTERNS)[number];
export type EmergingCategory = `${EmergingPattern}-hot` | `${EmergingPattern}-cold` | 'none';
export const EMERGING_CATEGORIES: readonly EmergingCategory[] = [
  ...EMERGING_PATTERNS.map((p) => `${p}-hot` as const),
  ...EMERGING_PATTERNS.map((p) => `${p}-cold` as const),
  'none',
];

/**
 * The category of one unit from its per-step significance (`sig[t]`: 1 significant hot, −1 significant cold, 0 not)
 * and the trend of its z-scores (`trendZ` and its two-sided `trendP`), at trend significance `alpha`.
 */
export function classifyEmerging(sig: ArrayLike<number>, trendZ: number, trendP: number, alpha = 0.05): EmergingCategory {
  const hot = classifySide(sig, 1, trendZ, trendP, alpha);
  if (hot) return `${hot}-hot`;
  const cold = classifySide(sig, -1, -trendZ, trendP, alpha);
  if (cold) return `${cold}-cold`;
  return 'none';
}

/** One side: `side` 1 reads hot spots (trend as given), −1 reads cold spots (trend sign flipped by the caller). */
function classifySide(sig: ArrayLike<number>, side: 1 | -1, trendZ: number, trendP: number, alpha: number): EmergingPattern | null {
  const n = sig.length;
  if (n === 0) return null;
  let same = 0;
  let opposite = 0;
  for (let t = 0; t < n; t++) {
    if (sig[t] === side) same++;
    else if (sig[t] === -side) opposite++;
  }
  const share = same / n;
  const final = sig[n - 1] === side;
  if (!final) return share >= 0.9 ? 'historical' : null;
  if (share >= 0.9) {
    if (trendP <= alpha && trendZ > 0) return 'intensifying';
    if (trendP <= alpha && trendZ < 0) return 'diminishing';
    return 'persistent';
  }
  // The final run of `side` steps, and what came before it.
  let run = 0;
  while (run < n && sig[n - 1 - run] === side) run++;
  let sameBefore = 0;
  for (let t = 0; t < n - run; t++) if (sig[t] === side) sameBefore++;
  if (opposite > 0) return 'oscillating';
  if (sameBefore === 0) return run === 1 ? 'new' : 'consecutive';
  return 'sporadic';
}

export interface EmergingResult {
  steps: number;
  categories: EmergingCategory[];
  /** Per unit: Mann–Kendall Z and two-sided p of its Gi* z-scores over the steps. */
  trendZ: Float64Array;
  trendP: Float64Array;
  /** Per unit: the Gi* z-score and bin of the final step. */
  finalZ: Float64Array;
  finalBin: Int8Array;
}

/**
 * Emerging hot spot analysis of `series[t][i]` (value of unit i at step t, oldest first) over `w`. A step counts
 * as significant when its (FDR-adjusted, with `fdr`) two-sided p is at most `alpha`.
 */
export function emergingHotSpots(
  series: readonly ArrayLike<number>[],
  w: Weights,
  options: { alpha?: number; fdr?: boolean } = {},
): EmergingResult {
  const alpha = options.alpha ?? 0.05;
  const steps = series.length;
  const n = w.n;
  const z = new Float64Array(steps * n);
  const sig = new Int8Array(steps * n);
  let finalBin: Int8Array = new Int8Array(n);
  for (let t = 0; t < steps; t++) {
    if (series[t].length !== n) throw new Error(`emergingHotSpots: step ${t} has ${series[t].length} values, expected ${n}`);
    const r = giStarTest(series[t], w, { fdr: options.fdr ?? false });
    z.set(r.z, t * n);
    for (let i = 0; i < n; i++) if (r.q[i] <= alpha) sig[t * n + i] = r.z[i] > 0 ? 1 : r.z[i] < 0 ? -1 : 0;
    if (t === steps - 1) finalBin = r.bin;
  }
  const categories: EmergingCategory[] = new Array(n);
  const trendZ = new Float64Array(n);
  const trendP = new Float64Array(n);
  const finalZ = new Float64Array(n);
  const zs = new Float64Array(steps);
  const ss = new Int8Array(steps);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < steps; t++) {
      zs[t] = z[t * n + i];
      ss[t] = sig[t * n + i];
    }
    const mk = mannKendall(zs);
    trendZ[i] = mk.z;
    trendP[i] = mk.p;
    finalZ[i] = steps ? zs[steps - 1] : 0;
    categories[i] = classifyEmerging(ss, mk.z, mk.p, alpha);
  }
  return { steps, categories, trendZ, trendP, finalZ, finalBin };
}
