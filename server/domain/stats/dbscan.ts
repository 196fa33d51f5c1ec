/**
 * DBSCAN (Ester et al. 1996) over planar points in metres: a point with at least `minPoints` points (itself
 * included) within `eps` is a core point; clusters are the core points reachable from one another through cores,
 * plus the border points within `eps` of a core. Others are noise (label −1). Neighbour queries go through a
 * kd-tree (kdbush), so a run is O(n log n) for the sparse point sets this is used on (overdue cases).
 */
import KDBush from 'kdbush';

export interface DbscanResult {
  /** Cluster id per point (0, 1, …), or −1 for noise. Ids follow the order in which clusters were found. */
  labels: Int32Array;
  clusters: number;
}

export function dbscan(xs: ArrayLike<number>, ys: ArrayLike<number>, eps: number, minPoints: number): DbscanResult {
  const n = xs.length;
  if (ys.length !== n) throw new Error(`dbscan: ${n} x values but ${ys.length} y values`);
  if (!(eps > 0)) throw new Error(`dbscan: eps must be above 0, got ${eps}`);
  if (!(Number.isInteger(minPoints) && minPoints >= 1)) throw new Error(`dbscan: minPoints must be an integer ≥ 1, got ${minPoints}`);
  const labels = new Int32Array(n).fill(-2); // −2 unvisited
  if (n === 0) return { labels, clusters: 0 };
  const index = new KDBush(n, 64, Float64Array);
  for (let i = 0; i < n; i++) index.add(xs[i], ys[i]);
  index.finish();
  let cluster = 0;
  const queue: number[] = [];
  for (let i = 0; i < n; i++) {
    if (labels[i] !== -2) continue;
    const seeds = index.within(xs[i], ys[i], eps);
    if (seeds.length < minPoints) {
      labels[i] = -1;
      continue;
    }
    const id = cluster++;
    labels[i] = id;
    queue.length = 0;
    for (const j of seeds) if (j !== i) queue.push(j);
    while (queue.length) {
      const j = queue.pop()!;
      if (labels[j] === -1) labels[j] = id; // noise reached from a core: a border point
      if (labels[j] !== -2) continue;
      labels[j] = id;
      const around = index.within(xs[j], ys[j], eps);
      if (around.length >= minPoints) for (const k of around) if (labels[k] < 0) queue.push(k);
    }
  }
  return { labels, clusters: cluster };
}
