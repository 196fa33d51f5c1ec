/**
 * Hotspots of case counts on blocks: the local Getis–Ord Gi* statistic with binary contiguity weights, one-sided
 * (hot only), corrected for testing every block at once by the Benjamini–Hochberg false discovery rate, and the
 * significant blocks grouped into connected clusters. Pure: no database, no framework.
 *
 * Why Gi* and not a fixed threshold: a block with 6 late cases is unremarkable in a district where every block has
 * 5, and alarming where the mean is 0.3. Gi* compares the sum over a block and its neighbours with what the
 * district-wide mean and variance would give for a neighbourhood of that size, so the answer scales with the data.
 *
 *   Gi*(i) = (Σ_j w_ij x_j − x̄ W_i) / ( s √((n S_i − W_i²) / (n − 1)) ),   W_i = Σ_j w_ij, S_i = Σ_j w_ij²
 *
 * with w_ij = 1 for j = i and for every block sharing a boundary point with i (queen contiguity), x̄ and s the mean
 * and standard deviation of all n counts. Under the null of no spatial association Gi* is approximately standard
 * normal; p = 1 − Φ(z). The n tests are positively dependent (neighbourhoods overlap), a case in which
 * Benjamini–Hochberg still controls the false discovery rate. The statistic itself is the one in stats/gi-star.ts,
 * shared with the insight analyses; the wall asks the one-sided question (where are cases piling up).
 */
import polygonClipping from 'polygon-clipping';
import { benjaminiHochberg as bh } from './stats/fdr.ts';
import { giStar } from './stats/gi-star.ts';
import { normalUpperTail } from './stats/normal.ts';
import { weightsFromAdjacency, type Weights } from './stats/weights.ts';

export type Position = [number, number];
export type Ring = Position[];
/** A block's polygon parts, GeoJSON style: polygons of rings (outer first). */
export type PolygonParts = Ring[][];

/** Neighbour lists by index (not including the block itself). */
export type Adjacency = number[][];

/**
 * Queen contiguity from the polygons: two blocks are neighbours when they share a boundary point. Blocks of one
 * boundary version tile the district with shared vertices, so a vertex key (coordinates rounded to ~1 cm) is
 * enough. A block left without any neighbour (an island, or a tiling that does not share vertices exactly) gets its
 * `fallbackK` nearest blocks by centre distance, so every block is tested against a neighbourhood.
 */
export function queenContiguity(polygons: readonly PolygonParts[], centers: readonly Position[], fallbackK = 4): Adjacency {
  const n = polygons.length;
  const byVertex = new Map<string, number[]>();
  const sets: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  for (let i = 0; i < n; i++) {
    const seen = new Set<string>();
    for (const poly of polygons[i]) {
      for (const ring of poly) {
        for (const [x, y] of ring) {
          const key = `${Math.round(x * 1e7)},${Math.round(y * 1e7)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const list = byVertex.get(key);
          if (list) {
            for (const j of list) {
              sets[i].add(j);
              sets[j].add(i);
            }
            list.push(i);
          } else byVertex.set(key, [i]);
        }
      }
    }
  }
  for (let i = 0; i < n; i++) {
    if (sets[i].size > 0 || n < 2) continue;
    const [cx, cy] = centers[i];
    const order = centers
      .map(([x, y], j) => ({ j, d: (x - cx) ** 2 + (y - cy) ** 2 }))
      .filter((o) => o.j !== i)
      .sort((a, b) => a.d - b.d)
      .slice(0, fallbackK);
    for (const { j } of order) {
      sets[i].add(j);
      sets[j].add(i);
    }
  }
  return sets.map((s) => [...s].sort((a, b) => a - b));
}

export { erfc, normalUpperTail } from './stats/normal.ts';

/** Gi* z-scores of counts `x` over `adjacency` (binary weights, self included). All zeros when the counts do not vary. */
export function getisOrdGiStar(x: readonly number[], adjacency: Adjacency): number[] {
  return Array.from(giStar(x, weightsFromAdjacency(adjacency)));
}

/** Benjamini–Hochberg adjusted p-values (q-values), in the input order. */
export function benjaminiHochberg(p: readonly number[]): number[] {
  return Array.from(bh(p));
}

export interface BlockStat {
  index: number;
  z: number;
  p: number;
  /** Benjamini–Hochberg adjusted p. */
  q: number;
}

export interface HotspotCluster {
  /** Block indices of the cluster, highest z first. */
  members: number[];
  /** The member with the highest z: the cluster's core, whose governor answers for it. */
  core: number;
  zMax: number;
  pMin: number;
  qMin: number;
  /** Sum of the members' counts. */
  count: number;
  /** What the district mean would give for that many blocks. */
  expected: number;
}

export interface HotspotResult {
  n: number;
  total: number;
  mean: number;
  alpha: number;
  stats: BlockStat[];
  clusters: HotspotCluster[];
}

export interface HotspotOptions {
  /** False discovery rate (default 0.05). */
  alpha?: number;
  /** A cluster whose members hold fewer cases than this is dropped (default 3): two stray cases are no hotspot. */
  minCount?: number;
}

/**
 * Significant hot blocks (z > 0 and BH-adjusted p ≤ alpha) grouped into clusters of contiguous blocks, strongest
 * first. A significant block may be one with few cases of its own inside a hot neighbourhood; it stays in its
 * cluster (the outline covers the neighbourhood that carried the signal), but a cluster needs `minCount` cases.
 */
export function findHotspots(
  x: readonly number[],
  adjacency: Adjacency,
  options: HotspotOptions = {},
  weights: Weights = weightsFromAdjacency(adjacency),
): HotspotResult {
  const alpha = options.alpha ?? 0.05;
  const minCount = options.minCount ?? 3;
  const n = x.length;
  const z = Array.from(giStar(x, weights));
  const p = z.map(normalUpperTail);
  const q = Array.from(bh(p));
  const stats = z.map((zi, i) => ({ index: i, z: zi, p: p[i], q: q[i] }));
  const total = x.reduce((a, b) => a + b, 0);
  const mean = n ? total / n : 0;
  const hot = new Set<number>();
  for (let i = 0; i < n; i++) if (z[i] > 0 && q[i] <= alpha) hot.add(i);
  const seen = new Set<number>();
  const clusters: HotspotCluster[] = [];
  for (const start of hot) {
    if (seen.has(start)) continue;
    const members: number[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length) {
      const i = stack.pop()!;
      members.push(i);
      for (const j of adjacency[i]) {
        if (hot.has(j) && !seen.has(j)) {
          seen.add(j);
          stack.push(j);
        }
      }
    }
    members.sort((a, b) => z[b] - z[a] || a - b);
    const count = members.reduce((a, i) => a + x[i], 0);
    if (count < minCount) continue;
    const core = members.reduce((best, i) => (x[i] > x[best] || (x[i] === x[best] && z[i] > z[best]) ? i : best), members[0]);
    clusters.push({
      members,
      core,
      zMax: z[members[0]],
      pMin: Math.min(...members.map((i) => p[i])),
      qMin: Math.min(...members.map((i) => q[i])),
      count,
      expected: mean * members.length,
    });
  }
  clusters.sort((a, b) => b.zMax - a.zMax || b.count - a.count);
  return { n, total, mean, alpha, stats, clusters };
}

/** The merged outline of a cluster's blocks (their union), as GeoJSON Polygon/MultiPolygon coordinates. */
export function mergeOutline(parts: readonly PolygonParts[]): { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] } {
  const polys = parts.flat();
  let merged: Ring[][];
  try {
    merged = polys.length === 1 ? [polys[0]] : (polygonClipping.union(polys[0] as never, ...(polys.slice(1) as never[])) as unknown as Ring[][]);
  } catch {
    merged = polys; // a degenerate input: the parts as they are still outline the cluster
  }
  return merged.length === 1 ? { type: 'Polygon', coordinates: merged[0] } : { type: 'MultiPolygon', coordinates: merged };
}
