/**
 * Benjamini–Hochberg adjusted p-values (q-values), in the input order: q_(k) = min_{m ≥ k} p_(m) · n / m over the
 * ascending order, capped at 1. Rejecting every q ≤ α controls the false discovery rate at α for independent or
 * positively dependent tests (overlapping Gi* neighbourhoods are the latter).
 */
export function benjaminiHochberg(p: ArrayLike<number>): Float64Array {
  const n = p.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => p[a] - p[b] || a - b);
  const q = new Float64Array(n);
  let running = 1;
  for (let k = n - 1; k >= 0; k--) {
    const i = order[k];
    running = Math.min(running, (p[i] * n) / (k + 1));
    q[i] = running;
  }
  return q;
}
