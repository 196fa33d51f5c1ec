/**
 * Topology of imported boundaries: each polygon made valid where that is safe, and the set checked for overlaps and
 * gaps (which are reported, never silently "fixed": which side a contested strip belongs to is the district's call).
 *
 * Safe repairs (the shape the source meant is unambiguous): an unclosed ring is closed, repeated consecutive vertices
 * are dropped, rings are wound as RFC 7946 asks (outer counter-clockwise, holes clockwise), and a self-intersecting
 * ring (a "bow tie") is resolved by polygon-clipping's union into the simple polygons it encloses. A ring with fewer
 * than three distinct vertices cannot be repaired: as a hole it is dropped, as an outer ring it drops its polygon.
 *
 * Pure: no I/O. Areas are geodesic square metres (turf).
 */
import { area as turfArea } from '@turf/turf';
import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import polygonClipping, { type MultiPolygon as PcMultiPolygon, type Polygon as PcPolygon } from 'polygon-clipping';

export type Areal = Polygon | MultiPolygon;

/** Why a geometry was changed or refused; the constants the report and the UI show. */
export const REPAIR = {
  closedRing: 'ring-closed',
  duplicateVertices: 'duplicate-vertices-removed',
  rewound: 'ring-rewound',
  selfIntersection: 'self-intersection-resolved',
  degenerateHole: 'degenerate-hole-dropped',
  degeneratePolygon: 'degenerate-polygon-dropped',
} as const;
export type Repair = (typeof REPAIR)[keyof typeof REPAIR];

export interface Repaired {
  /** null when nothing valid is left (every outer ring degenerate, or not a polygon at all). */
  geometry: Areal | null;
  repairs: Repair[];
}

/** Twice the signed area in degree² (shoelace): > 0 counter-clockwise. */
function signedArea2(ring: Position[]): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) s += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return s;
}

function segmentsCross(a: Position, b: Position, c: Position, d: Position): boolean {
  const o = (p: Position, q: Position, r: Position) => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  const o1 = o(a, b, c);
  const o2 = o(a, b, d);
  const o3 = o(c, d, a);
  const o4 = o(c, d, b);
  return o1 * o2 < 0 && o3 * o4 < 0;
}

/** Whether a closed ring crosses itself (proper crossings of non-adjacent edges; O(n²), rings are small). */
export function ringSelfIntersects(ring: Position[]): boolean {
  const n = ring.length - 1;
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue;
      if (segmentsCross(ring[i], ring[i + 1], ring[j], ring[j + 1])) return true;
    }
  }
  return false;
}

/** Closes the ring and drops repeated vertices; null when fewer than 3 distinct vertices remain. */
function cleanRing(ring: Position[], repairs: Set<Repair>): Position[] | null {
  const out: Position[] = [];
  for (const p of ring) {
    if (p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) continue;
    const last = out[out.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) {
      repairs.add(REPAIR.duplicateVertices);
      continue;
    }
    out.push([p[0], p[1]]);
  }
  if (out.length > 1 && (out[0][0] !== out[out.length - 1][0] || out[0][1] !== out[out.length - 1][1])) {
    repairs.add(REPAIR.closedRing);
    out.push([out[0][0], out[0][1]]);
  }
  return out.length >= 4 ? out : null;
}

/** Makes a polygon or multipolygon valid where that is safe (see the module comment). */
export function repairAreal(g: { type: string; coordinates?: unknown }): Repaired {
  const repairs = new Set<Repair>();
  const polys: Position[][][] =
    g.type === 'Polygon' ? [g.coordinates as Position[][]] : g.type === 'MultiPolygon' ? (g.coordinates as Position[][][]) : [];
  const cleaned: Position[][][] = [];
  let crossing = false;
  for (const rings of polys) {
    const outer = cleanRing(rings[0] ?? [], repairs);
    if (!outer) {
      repairs.add(REPAIR.degeneratePolygon);
      continue;
    }
    const kept: Position[][] = [outer];
    for (const ring of rings.slice(1)) {
      const hole = cleanRing(ring, repairs);
      if (hole) kept.push(hole);
      else repairs.add(REPAIR.degenerateHole);
    }
    if (kept.some(ringSelfIntersects)) crossing = true;
    cleaned.push(kept);
  }
  if (cleaned.length === 0) return { geometry: null, repairs: [...repairs] };
  let result: Position[][][] = cleaned;
  if (crossing) {
    repairs.add(REPAIR.selfIntersection);
    result = polygonClipping.union(cleaned as PcMultiPolygon) as Position[][][];
    if (result.length === 0) return { geometry: null, repairs: [...repairs] };
  }
  for (const rings of result) {
    rings.forEach((ring, i) => {
      const ccw = signedArea2(ring) > 0;
      if (ccw !== (i === 0)) {
        ring.reverse();
        repairs.add(REPAIR.rewound);
      }
    });
  }
  const geometry: Areal = result.length === 1 ? { type: 'Polygon', coordinates: result[0] } : { type: 'MultiPolygon', coordinates: result };
  return { geometry, repairs: [...repairs] };
}

const asPc = (g: Areal): PcMultiPolygon => (g.type === 'Polygon' ? [g.coordinates as PcPolygon] : (g.coordinates as PcMultiPolygon));
const asGeometry = (m: PcMultiPolygon): MultiPolygon => ({ type: 'MultiPolygon', coordinates: m as Position[][][] });

export function areaM2(g: Areal): number {
  return turfArea(g);
}

function bbox(g: Areal): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const poly of asPc(g)) {
    for (const p of poly[0]) {
      if (p[0] < x0) x0 = p[0];
      if (p[0] > x1) x1 = p[0];
      if (p[1] < y0) y0 = p[1];
      if (p[1] > y1) y1 = p[1];
    }
  }
  return [x0, y0, x1, y1];
}

export interface Overlap {
  a: number;
  b: number;
  areaM2: number;
  /** A point of the overlap (for the report). */
  at: [number, number];
}

export interface Gap {
  areaM2: number;
  at: [number, number];
}

/** Below this (m²), an overlap or gap is rounding between two sources' vertices (a datum shift, digitising), not a topology error. */
export const SLIVER_M2 = 50;

function somePoint(m: PcMultiPolygon): [number, number] {
  const ring = m[0][0];
  let x = 0, y = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    x += ring[i][0];
    y += ring[i][1];
  }
  const n = Math.max(1, ring.length - 1);
  return [x / n, y / n];
}

/** Pairs of polygons that overlap by more than a sliver (candidates by bounding box, then exact intersection). */
export function findOverlaps(polygons: readonly Areal[], minM2 = SLIVER_M2): Overlap[] {
  if (polygons.length < 2) return [];
  const boxes = polygons.map(bbox);
  const index = new Flatbush(polygons.length);
  for (const b of boxes) index.add(b[0], b[1], b[2], b[3]);
  index.finish();
  const out: Overlap[] = [];
  boxes.forEach((b, i) => {
    for (const j of index.search(b[0], b[1], b[2], b[3])) {
      if (j <= i) continue;
      const inter = polygonClipping.intersection(asPc(polygons[i]), asPc(polygons[j]));
      if (inter.length === 0) continue;
      const a = areaM2(asGeometry(inter));
      if (a > minM2) out.push({ a: i, b: j, areaM2: a, at: somePoint(inter) });
    }
  });
  return out;
}

/** The union of the polygons (null for none). */
export function unionOf(polygons: readonly Areal[]): MultiPolygon | null {
  if (polygons.length === 0) return null;
  const [first, ...rest] = polygons.map(asPc);
  return asGeometry(polygonClipping.union(first, ...rest));
}

/**
 * Gaps: holes of the polygons' union (land enclosed by polygons but in none), and, given an outline the polygons
 * should tile, the parts of the outline they leave uncovered.
 */
export function findGaps(union: MultiPolygon | null, outline: Areal | null = null, minM2 = SLIVER_M2): Gap[] {
  if (!union) return [];
  const gaps: Gap[] = [];
  for (const poly of union.coordinates) {
    for (const hole of poly.slice(1)) {
      const a = areaM2({ type: 'Polygon', coordinates: [[...hole].reverse()] });
      if (a > minM2) gaps.push({ areaM2: a, at: somePoint([[hole]] as PcMultiPolygon) });
    }
  }
  if (outline) {
    for (const piece of polygonClipping.difference(asPc(outline), union.coordinates as PcMultiPolygon)) {
      const a = areaM2({ type: 'Polygon', coordinates: piece as Position[][] });
      if (a > minM2) gaps.push({ areaM2: a, at: somePoint([piece]) });
    }
  }
  return gaps;
}
