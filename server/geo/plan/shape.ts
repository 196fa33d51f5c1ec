/**
 * Shape measures of a block polygon on a local planar projection (metres): area, perimeter, and the two
 * compactness scores redistricting uses — Polsby–Popper (4πA / P², 1 for a circle) and Reock (A over the area of
 * the smallest enclosing circle, 1 for a circle). Over a district (≈ 40 km) an equirectangular projection around
 * its centre distorts both far less than any floor a planner would set.
 */
import type { Position } from 'geojson';
import type { Areal } from './parcel-topology.ts';

const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LON_EQUATOR = 111_320;

export interface ShapeMeasures {
  areaM2: number;
  perimeterM: number;
  polsbyPopper: number;
  reock: number;
  /** Polygons of the (multi)polygon. */
  parts: number;
}

export interface PlanarFrame {
  kx: number;
  ky: number;
  lon0: number;
  lat0: number;
}

export function planarFrame(lon0: number, lat0: number): PlanarFrame {
  return { kx: M_PER_DEG_LON_EQUATOR * Math.cos((lat0 * Math.PI) / 180), ky: M_PER_DEG_LAT, lon0, lat0 };
}

export function shapeOf(g: Areal, f: PlanarFrame): ShapeMeasures {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  let area = 0;
  let perimeter = 0;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const rings of polys) {
    rings.forEach((ring, r) => {
      const a = ringMeasures(ring, f);
      area += r === 0 ? Math.abs(a.area) : -Math.abs(a.area);
      perimeter += a.length;
      // Holes never touch the enclosing circle: only the outer rings' vertices matter.
      if (r === 0) for (const p of ring) xs.push((p[0] - f.lon0) * f.kx), ys.push((p[1] - f.lat0) * f.ky);
    });
  }
  const circle = enclosingCircleRadius(xs, ys);
  return {
    areaM2: area,
    perimeterM: perimeter,
    polsbyPopper: perimeter > 0 ? (4 * Math.PI * area) / (perimeter * perimeter) : 0,
    reock: circle > 0 ? area / (Math.PI * circle * circle) : 0,
    parts: polys.length,
  };
}

function ringMeasures(ring: readonly Position[], f: PlanarFrame): { area: number; length: number } {
  let s = 0;
  let len = 0;
  for (let i = 1; i < ring.length; i++) {
    const x0 = (ring[i - 1][0] - f.lon0) * f.kx, y0 = (ring[i - 1][1] - f.lat0) * f.ky;
    const x1 = (ring[i][0] - f.lon0) * f.kx, y1 = (ring[i][1] - f.lat0) * f.ky;
    s += x0 * y1 - x1 * y0;
    len += Math.hypot(x1 - x0, y1 - y0);
  }
  return { area: s / 2, length: len };
}

/**
 * Radius of the smallest circle enclosing the points: Welzl's incremental algorithm on the convex hull (few points),
 * visited in a fixed scrambled order so the expected cost stays linear and the answer is reproducible.
 */
export function enclosingCircleRadius(xs: readonly number[], ys: readonly number[]): number {
  const hull = convexHull(xs, ys);
  const n = hull.length;
  if (n === 0) return 0;
  const order = hull.map((_, i) => i).sort((a, b) => scramble(a) - scramble(b));
  const P = order.map((i) => hull[i]);
  let c = { x: P[0][0], y: P[0][1], r: 0 };
  const inside = (p: readonly number[]) => Math.hypot(p[0] - c.x, p[1] - c.y) <= c.r * (1 + 1e-12) + 1e-9;
  for (let i = 1; i < n; i++) {
    if (inside(P[i])) continue;
    c = { x: P[i][0], y: P[i][1], r: 0 };
    for (let j = 0; j < i; j++) {
      if (inside(P[j])) continue;
      c = circle2(P[i], P[j]);
      for (let k = 0; k < j; k++) if (!inside(P[k])) c = circle3(P[i], P[j], P[k]);
    }
  }
  return c.r;
}

const scramble = (i: number) => Math.imul(i + 1, 0x9e3779b1) >>> 0;

function circle2(a: readonly number[], b: readonly number[]) {
  return { x: (a[0] + b[0]) / 2, y: (a[1] + b[1]) / 2, r: Math.hypot(a[0] - b[0], a[1] - b[1]) / 2 };
}

function circle3(a: readonly number[], b: readonly number[], c: readonly number[]) {
  const bx = b[0] - a[0], by = b[1] - a[1], cx = c[0] - a[0], cy = c[1] - a[1];
  const d = 2 * (bx * cy - by * cx);
  if (Math.abs(d) < 1e-12) {
    // Collinear: the circle on the farthest pair.
    const pairs = [circle2(a, b), circle2(a, c), circle2(b, c)];
    return pairs.reduce((m, p) => (p.r > m.r ? p : m));
  }
  const b2 = bx * bx + by * by, c2 = cx * cx + cy * cy;
  const x = (cy * b2 - by * c2) / d, y = (bx * c2 - cx * b2) / d;
  return { x: x + a[0], y: y + a[1], r: Math.hypot(x, y) };
}

/** Andrew's monotone chain. */
function convexHull(xs: readonly number[], ys: readonly number[]): [number, number][] {
  const pts = xs.map((x, i): [number, number] => [x, ys[i]]).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  if (pts.length <= 2) return pts;
  const cross = (o: number[], a: number[], b: number[]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: [number, number][] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** Area-weighted centroid [lon, lat] of the largest polygon's outer ring (a parcel's representative point). */
export function centroidOf(g: Areal): [number, number] {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  let best: [number, number] = [NaN, NaN];
  let bestArea = -1;
  for (const rings of polys) {
    const ring = rings[0];
    let a = 0, cx = 0, cy = 0;
    const [x0, y0] = ring[0];
    for (let i = 1; i < ring.length - 1; i++) {
      // Relative to the first vertex: keeps the products small and the sums exact enough.
      const ax = ring[i][0] - x0, ay = ring[i][1] - y0, bx = ring[i + 1][0] - x0, by = ring[i + 1][1] - y0;
      const c = ax * by - bx * ay;
      a += c;
      cx += (ax + bx) * c;
      cy += (ay + by) * c;
    }
    if (Math.abs(a) > bestArea) {
      bestArea = Math.abs(a);
      best = a === 0 ? [x0, y0] : [x0 + cx / (3 * a), y0 + cy / (3 * a)];
    }
  }
  return best;
}
