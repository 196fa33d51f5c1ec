/**
 * Spatial weights for local statistics, in compressed sparse row form: row i lists the units j with w_ij > 0 —
 * the focal unit itself included, as Gi* wants — in `indices[offsets[i] … offsets[i+1])`, with the weights in
 * `values` (null: all 1, binary weights). Row sums W_i = Σ_j w_ij and S_i = Σ_j w_ij² are precomputed, since every
 * Gi* evaluation needs them and they do not depend on the data.
 *
 * Two conceptualisations are provided:
 * - contiguity (blocks): w_ij = 1 for the unit itself and every unit sharing a boundary point (queen contiguity);
 * - distance band (H3 hexagons, points): w_ij = 1 for every unit whose centre lies within `band` metres, itself
 *   included. Choose a band that gives every unit some neighbours (for hexagons: a little over the centre spacing,
 *   so a hexagon's ring of six is in).
 */
import KDBush from 'kdbush';

export interface Weights {
  n: number;
  offsets: Uint32Array;
  indices: Uint32Array;
  /** Per-entry weights; null when every weight is 1. */
  values: Float64Array | null;
  /** W_i = Σ_j w_ij (focal unit included). */
  rowSum: Float64Array;
  /** S_i = Σ_j w_ij². */
  rowSumSq: Float64Array;
}

function finish(n: number, offsets: Uint32Array, indices: Uint32Array, values: Float64Array | null): Weights {
  const rowSum = new Float64Array(n);
  const rowSumSq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let w = 0;
    let w2 = 0;
    for (let k = offsets[i]; k < offsets[i + 1]; k++) {
      const v = values ? values[k] : 1;
      w += v;
      w2 += v * v;
    }
    rowSum[i] = w;
    rowSumSq[i] = w2;
  }
  return { n, offsets, indices, values, rowSum, rowSumSq };
}

/** Binary weights from neighbour lists (which must not contain the unit itself); the focal unit is added. */
export function weightsFromAdjacency(adjacency: readonly (readonly number[])[]): Weights {
  const n = adjacency.length;
  const offsets = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + adjacency[i].length + 1;
  const indices = new Uint32Array(offsets[n]);
  for (let i = 0; i < n; i++) {
    let k = offsets[i];
    indices[k++] = i;
    for (const j of adjacency[i]) {
      if (j === i) throw new Error(`adjacency[${i}] lists unit ${i} itself; the focal unit is added here`);
      indices[k++] = j;
    }
  }
  return finish(n, offsets, indices, null);
}

/** General weights: `rows[i]` is a list of [j, w_ij]; the focal unit must be listed by the caller if it counts. */
export function weightsFromRows(rows: readonly (readonly (readonly [number, number])[])[]): Weights {
  const n = rows.length;
  const offsets = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + rows[i].length;
  const indices = new Uint32Array(offsets[n]);
  const values = new Float64Array(offsets[n]);
  for (let i = 0; i < n; i++) {
    let k = offsets[i];
    for (const [j, w] of rows[i]) {
      if (!(j >= 0 && j < n) || !Number.isInteger(j)) throw new Error(`rows[${i}] names unit ${j}; expected 0…${n - 1}`);
      if (!(w > 0) || !Number.isFinite(w)) throw new Error(`rows[${i}] gives unit ${j} weight ${w}; expected a finite weight above 0`);
      indices[k] = j;
      values[k++] = w;
    }
  }
  return finish(n, offsets, indices, values);
}

/**
 * Binary distance-band weights over planar points (metres): j is a neighbour of i when |p_i − p_j| ≤ band; every
 * unit is its own neighbour. A kd-tree answers each radius query, so building the weights is O(n log n + edges).
 */
export function distanceBandWeights(xs: ArrayLike<number>, ys: ArrayLike<number>, band: number): Weights {
  const n = xs.length;
  if (ys.length !== n) throw new Error(`distanceBandWeights: ${n} x values but ${ys.length} y values`);
  if (!(band > 0)) throw new Error(`distanceBandWeights: band must be above 0, got ${band}`);
  const offsets = new Uint32Array(n + 1);
  if (n === 0) return finish(0, offsets, new Uint32Array(0), null);
  const index = new KDBush(n, 64, Float64Array);
  for (let i = 0; i < n; i++) index.add(xs[i], ys[i]);
  index.finish();
  const lists: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const found = index.within(xs[i], ys[i], band);
    found.sort((a, b) => a - b);
    lists[i] = found;
    offsets[i + 1] = offsets[i] + found.length;
  }
  const indices = new Uint32Array(offsets[n]);
  for (let i = 0; i < n; i++) indices.set(lists[i], offsets[i]);
  return finish(n, offsets, indices, null);
}

/** Metres east/north of (lon0, lat0), equirectangular: exact enough for a district-sized area and a distance band. */
export function projectLocal(lon: ArrayLike<number>, lat: ArrayLike<number>, lon0: number, lat0: number): { xs: Float64Array; ys: Float64Array } {
  const n = lon.length;
  const k = (Math.PI / 180) * 6_371_008.8;
  const kx = k * Math.cos((lat0 * Math.PI) / 180);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = (lon[i] - lon0) * kx;
    ys[i] = (lat[i] - lat0) * k;
  }
  return { xs, ys };
}
