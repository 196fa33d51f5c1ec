import type { Rng } from '../../domain/prng.ts';

export interface WeightedPoint {
  x: number;
  y: number;
  w: number;
}

/**
 * Weighted k-means (k-means++ start, Lloyd iterations): compact clusters of roughly equal spread, used for
 * communities inside a subdistrict. Returns a cluster index per point; every cluster is non-empty.
 */
export function kMeans(points: readonly WeightedPoint[], k: number, rng: Rng, iterations = 15): number[] {
  const n = points.length;
  if (k >= n) return points.map((_, i) => i);
  const cx: number[] = [], cy: number[] = [];
  const first = rng.weightedIndex(points.map((p) => p.w));
  cx.push(points[first].x);
  cy.push(points[first].y);
  const d2 = points.map((p) => (p.x - cx[0]) ** 2 + (p.y - cy[0]) ** 2);
  while (cx.length < k) {
    const i = rng.weightedIndex(d2.map((d, j) => d * points[j].w));
    cx.push(points[i].x);
    cy.push(points[i].y);
    points.forEach((p, j) => (d2[j] = Math.min(d2[j], (p.x - points[i].x) ** 2 + (p.y - points[i].y) ** 2)));
  }
  const assign = new Array<number>(n).fill(0);
  for (let it = 0; it < iterations; it++) {
    for (let j = 0; j < n; j++) {
      let best = 0, bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const d = (points[j].x - cx[c]) ** 2 + (points[j].y - cy[c]) ** 2;
        if (d < bestD) (bestD = d), (best = c);
      }
      assign[j] = best;
    }
    const sx = new Array(k).fill(0), sy = new Array(k).fill(0), sw = new Array(k).fill(0);
    points.forEach((p, j) => {
      sx[assign[j]] += p.x * p.w;
      sy[assign[j]] += p.y * p.w;
      sw[assign[j]] += p.w;
    });
    for (let c = 0; c < k; c++) if (sw[c] > 0) (cx[c] = sx[c] / sw[c]), (cy[c] = sy[c] / sw[c]);
  }
  // An emptied cluster takes the point farthest from its own centre, so k clusters always come back.
  for (let c = 0; c < k; c++) {
    if (assign.includes(c)) continue;
    let far = -1, farD = -1;
    for (let j = 0; j < n; j++) {
      const counts = assign.filter((a) => a === assign[j]).length;
      const d = (points[j].x - cx[assign[j]]) ** 2 + (points[j].y - cy[assign[j]]) ** 2;
      if (counts > 1 && d > farD) (farD = d), (far = j);
    }
    assign[far] = c;
  }
  return assign;
}

/**
 * Recursive weighted bisection into k parts of nearly equal weight, cutting across the longer side each time:
 * the way block planners split a community into blocks of similar household counts. Returns a part per point.
 */
export function bisect(points: readonly WeightedPoint[], k: number): number[] {
  const out = new Array<number>(points.length).fill(0);
  const recurse = (idx: number[], parts: number, offset: number) => {
    if (parts <= 1 || idx.length <= 1) {
      for (const i of idx) out[i] = offset;
      return;
    }
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const i of idx) {
      const p = points[i];
      minX = Math.min(minX, p.x), maxX = Math.max(maxX, p.x), minY = Math.min(minY, p.y), maxY = Math.max(maxY, p.y);
    }
    const byX = maxX - minX >= maxY - minY;
    const sorted = [...idx].sort((a, b) => (byX ? points[a].x - points[b].x : points[b].y - points[a].y) || a - b);
    const left = Math.floor(parts / 2);
    const total = sorted.reduce((t, i) => t + points[i].w, 0);
    const want = (total * left) / parts;
    let acc = 0, cut = 0;
    while (cut < sorted.length - 1 && acc + points[sorted[cut]].w / 2 < want) acc += points[sorted[cut++]].w;
    // Each side needs at least as many points as parts.
    cut = Math.min(Math.max(cut, left), sorted.length - (parts - left));
    recurse(sorted.slice(0, cut), left, offset);
    recurse(sorted.slice(cut), parts - left, offset + left);
  };
  recurse(points.map((_, i) => i), k, 0);
  return out;
}

/**
 * Reading order used by the unit-grid code scheme: rows from north to south, west to east within a row.
 * Returns the indices of centres in that order.
 */
export function readingOrder(centres: ReadonlyArray<{ x: number; y: number }>): number[] {
  if (centres.length === 0) return [];
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const c of centres) minX = Math.min(minX, c.x), maxX = Math.max(maxX, c.x), minY = Math.min(minY, c.y), maxY = Math.max(maxY, c.y);
  const rows = Math.max(1, Math.round(Math.sqrt((centres.length * (maxY - minY + 1)) / (maxX - minX + 1))));
  const h = (maxY - minY + 1e-9) / rows;
  const row = (y: number) => Math.min(rows - 1, Math.floor((maxY - y) / h));
  return centres
    .map((_, i) => i)
    .sort((a, b) => row(centres[a].y) - row(centres[b].y) || centres[a].x - centres[b].x || a - b);
}

/** Largest-remainder apportionment of `total` seats by weight, with at least `min` each. */
export function apportion(weights: readonly number[], total: number, min = 1): number[] {
  const n = weights.length;
  const seats = new Array<number>(n).fill(min);
  let left = total - min * n;
  if (left < 0) throw new RangeError(`cannot give ${min} each of ${total} to ${n}`);
  const sum = weights.reduce((a, b) => a + b, 0);
  const quotas = weights.map((w) => (w / sum) * (total - min * n));
  quotas.forEach((q, i) => {
    seats[i] += Math.floor(q);
    left -= Math.floor(q);
  });
  const order = quotas.map((q, i) => [q - Math.floor(q), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let j = 0; j < left; j++) seats[order[j][1]]++;
  return seats;
}
