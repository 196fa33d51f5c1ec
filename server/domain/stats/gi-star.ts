/**
 * The local Getis–Ord Gi* statistic (Getis & Ord 1992; Ord & Getis 1995) for any weights, focal unit included:
 *
 *   Gi*(i) = (Σ_j w_ij x_j − x̄ W_i) / ( s √((n S_i − W_i²) / (n − 1)) ),   W_i = Σ_j w_ij, S_i = Σ_j w_ij²,
 *
 * x̄ and s the mean and (population) standard deviation of all n values — the form ArcGIS Hot Spot Analysis uses.
 * Under the null of no spatial association Gi* is approximately standard normal.
 *
 * Confidence bins follow ArcGIS's Gi_Bin: ±3 at 99 %, ±2 at 95 %, ±1 at 90 % (two-sided), 0 not significant; with
 * the false discovery rate option the Benjamini–Hochberg adjusted p-value is compared with the levels instead of
 * the raw one, so that testing every unit at once does not flag ~10 % of a patternless map at 90 %.
 *
 * Why Gi* and not a threshold: a block with 6 cases is unremarkable where every block has 5 and alarming where the
 * mean is 0.3; Gi* compares a neighbourhood's sum with what the district-wide mean and variance would give.
 */
import { benjaminiHochberg } from './fdr.ts';
import { normalTwoSided } from './normal.ts';
import type { Weights } from './weights.ts';

/** Gi* z-scores of `x` over `w`; all zeros when the values do not vary (or n < 2). */
export function giStar(x: ArrayLike<number>, w: Weights, out = new Float64Array(x.length)): Float64Array {
  const n = x.length;
  if (w.n !== n) throw new Error(`giStar: ${n} values but weights for ${w.n} units`);
  if (n < 2) return out.fill(0);
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    sum += v;
    sum2 += v * v;
  }
  const mean = sum / n;
  const variance = sum2 / n - mean * mean;
  // Relative guard: a constant series can leave rounding noise in the variance.
  if (!(variance > 1e-12 * Math.max(1, mean * mean))) return out.fill(0);
  const s = Math.sqrt(variance);
  const { offsets, indices, values, rowSum, rowSumSq } = w;
  for (let i = 0; i < n; i++) {
    let local = 0;
    const end = offsets[i + 1];
    if (values) for (let k = offsets[i]; k < end; k++) local += values[k] * x[indices[k]];
    else for (let k = offsets[i]; k < end; k++) local += x[indices[k]];
    const wi = rowSum[i];
    const denom = s * Math.sqrt((n * rowSumSq[i] - wi * wi) / (n - 1));
    out[i] = denom > 0 ? (local - mean * wi) / denom : 0;
  }
  return out;
}

/** Confidence levels of the bins, as two-sided significance levels. */
export const BIN_LEVELS = [0.1, 0.05, 0.01] as const;

export interface GiStarResult {
  z: Float64Array;
  /** Two-sided p-values. */
  p: Float64Array;
  /** Benjamini–Hochberg adjusted p-values (equal to p when the FDR option is off). */
  q: Float64Array;
  /** −3…3: sign of z × (1 at 90 %, 2 at 95 %, 3 at 99 % confidence); 0 not significant. */
  bin: Int8Array;
  fdr: boolean;
}

/** The bin of one unit from its z and the p (or q) it is judged by. */
export function confidenceBin(z: number, p: number): number {
  const level = p <= 0.01 ? 3 : p <= 0.05 ? 2 : p <= 0.1 ? 1 : 0;
  return z > 0 ? level : z < 0 ? -level : 0;
}

/** Gi* with p-values, optional FDR correction and confidence bins. */
export function giStarTest(x: ArrayLike<number>, w: Weights, options: { fdr?: boolean } = {}): GiStarResult {
  const fdr = options.fdr ?? false;
  const z = giStar(x, w);
  const n = z.length;
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = normalTwoSided(z[i]);
  const q = fdr ? benjaminiHochberg(p) : p;
  const bin = new Int8Array(n);
  for (let i = 0; i < n; i++) bin[i] = confidenceBin(z[i], q[i]);
  return { z, p, q, bin, fdr };
}
