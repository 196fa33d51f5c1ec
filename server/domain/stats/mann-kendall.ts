/**
 * The Mann–Kendall trend test (Mann 1945; Kendall 1975; as in Gilbert 1987, §16.4):
 *
 *   S = Σ_{i<j} sgn(x_j − x_i)
 *   Var(S) = [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)] / 18      (t_g: size of each group of tied values)
 *   Z = (S − 1)/√Var(S) if S > 0,  0 if S = 0,  (S + 1)/√Var(S) if S < 0     (continuity correction)
 *   p = P(|N(0,1)| ≥ |Z|) (two-sided),  τ = S / (n(n−1)/2)
 *
 * O(n²), meant for short series (months, weeks). Non-finite values are not allowed.
 */
import { normalTwoSided } from './normal.ts';

export interface MannKendall {
  n: number;
  s: number;
  varS: number;
  z: number;
  /** Two-sided p-value. */
  p: number;
  /** Kendall's τ_a. */
  tau: number;
}

export function mannKendall(x: ArrayLike<number>): MannKendall {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i];
    if (!Number.isFinite(xi)) throw new Error(`mannKendall: value ${i} is ${xi}; expected a finite number`);
    for (let j = i + 1; j < n; j++) {
      const d = x[j] - xi;
      s += d > 0 ? 1 : d < 0 ? -1 : 0;
    }
  }
  // Tie groups: sort a copy and count runs of equal values.
  const sorted = Float64Array.from(x).sort();
  let ties = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    const t = j - i;
    if (t > 1) ties += t * (t - 1) * (2 * t + 5);
    i = j;
  }
  const varS = (n * (n - 1) * (2 * n + 5) - ties) / 18;
  const z = varS > 0 ? (s > 0 ? (s - 1) / Math.sqrt(varS) : s < 0 ? (s + 1) / Math.sqrt(varS) : 0) : 0;
  const pairs = (n * (n - 1)) / 2;
  return { n, s, varS, z, p: varS > 0 ? normalTwoSided(z) : 1, tau: pairs > 0 ? s / pairs : 0 };
}
