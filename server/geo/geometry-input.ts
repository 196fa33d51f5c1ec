/**
 * The check of a geometry a client sends (GeoJSON, RFC 7946) before anything else touches it: its type, its nesting,
 * how many positions it has, their range, closed rings, and no self-intersection. Every later step (clipping,
 * unions, area, the locator) may then assume a bounded, well-formed input: a 10⁷-vertex polygon, a ring that
 * crosses itself or a coordinate of 1e308 is refused here with a reason, never handed to a library that would
 * spin, throw or return nonsense.
 *
 * Pure: returns `{ valid: true, geometry }` or `{ valid: false, reason, path, detail }` (the reason one of the
 * exported constants, the path where in the input it is, e.g. `coordinates[0][12]`). The route maps a refusal to 400
 * (malformed: not GeoJSON of the accepted shape) or 422 (well formed, but invalid geometry).
 */
import Flatbush from 'flatbush';
import type { MultiPolygon, Point, Polygon, Position } from 'geojson';

export const NOT_GEOJSON = 'not-geojson';
export const TYPE_NOT_ACCEPTED = 'type-not-accepted';
export const TOO_MANY_VERTICES = 'too-many-vertices';
export const TOO_MANY_PARTS = 'too-many-parts';
export const BAD_POSITION = 'bad-position';
export const OUT_OF_RANGE = 'out-of-range';
export const RING_NOT_CLOSED = 'ring-not-closed';
export const RING_TOO_SHORT = 'ring-too-short';
export const SELF_INTERSECTION = 'self-intersection';

export type GeometryReason =
  | typeof NOT_GEOJSON | typeof TYPE_NOT_ACCEPTED | typeof TOO_MANY_VERTICES | typeof TOO_MANY_PARTS
  | typeof BAD_POSITION | typeof OUT_OF_RANGE | typeof RING_NOT_CLOSED | typeof RING_TOO_SHORT | typeof SELF_INTERSECTION;

/** Which reasons mean the input is not the GeoJSON asked for (400) rather than an invalid geometry (422). */
export const MALFORMED_REASONS: ReadonlySet<GeometryReason> = new Set([NOT_GEOJSON, TYPE_NOT_ACCEPTED, BAD_POSITION]);

export type GeometryCheck<G> =
  | { valid: true; geometry: G }
  | { valid: false; reason: GeometryReason; path: string; detail: string };

export interface GeometryLimits {
  /** Accepted GeoJSON types. */
  types: readonly ('Point' | 'Polygon' | 'MultiPolygon')[];
  /** Most positions in the whole geometry (default 20,000). */
  maxVertices?: number;
  /** Most rings (outer and holes, over all polygons) (default 500). */
  maxRings?: number;
  /** [minLon, minLat, maxLon, maxLat] every position must lie in (default the whole WGS-84 range). */
  extent?: readonly [number, number, number, number];
}

const DEFAULTS = { maxVertices: 20_000, maxRings: 500, extent: [-180, -90, 180, 90] as const };

type Fail = { valid: false; reason: GeometryReason; path: string; detail: string };
const fail = (reason: GeometryReason, path: string, detail: string): Fail => ({ valid: false, reason, path, detail });

/** Checks `raw` against `limits`; on success the geometry holds only the members RFC 7946 defines for it. */
export function checkGeometryInput(raw: unknown, limits: GeometryLimits): GeometryCheck<Point | Polygon | MultiPolygon> {
  const maxVertices = limits.maxVertices ?? DEFAULTS.maxVertices;
  const maxRings = limits.maxRings ?? DEFAULTS.maxRings;
  const [minLon, minLat, maxLon, maxLat] = limits.extent ?? DEFAULTS.extent;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(NOT_GEOJSON, '', 'must be a GeoJSON geometry object');
  const g = raw as { type?: unknown; coordinates?: unknown };
  if (typeof g.type !== 'string') return fail(NOT_GEOJSON, 'type', 'must be a GeoJSON geometry type');
  if (!(limits.types as readonly string[]).includes(g.type)) {
    return fail(TYPE_NOT_ACCEPTED, 'type', `must be ${limits.types.join(' or ')}, got ${JSON.stringify(g.type.slice(0, 40))}`);
  }
  let vertices = 0;
  let rings = 0;

  /** One position: exactly [lon, lat] (an altitude is allowed and dropped), finite, within the extent. */
  const position = (p: unknown, path: string): Position | Fail => {
    if (!Array.isArray(p) || p.length < 2 || p.length > 3) return fail(BAD_POSITION, path, 'must be [longitude, latitude]');
    if (!p.every((v) => typeof v === 'number' && Number.isFinite(v))) return fail(BAD_POSITION, path, 'must hold finite numbers');
    const [lon, lat] = p as number[];
    if (lon < minLon || lon > maxLon || lat < minLat || lat > maxLat) {
      return fail(OUT_OF_RANGE, path, `[${lon}, ${lat}] lies outside ${minLon}…${maxLon}, ${minLat}…${maxLat}`);
    }
    if (++vertices > maxVertices) return fail(TOO_MANY_VERTICES, path, `more than ${maxVertices} positions`);
    return [lon, lat];
  };

  /** A linear ring: ≥ 4 positions, closed, not crossing itself. */
  const ring = (r: unknown, path: string): Position[] | Fail => {
    if (!Array.isArray(r)) return fail(BAD_POSITION, path, 'must be an array of positions');
    if (++rings > maxRings) return fail(TOO_MANY_PARTS, path, `more than ${maxRings} rings`);
    if (r.length + vertices > maxVertices) return fail(TOO_MANY_VERTICES, path, `more than ${maxVertices} positions`);
    const out: Position[] = [];
    for (let i = 0; i < r.length; i++) {
      const p = position(r[i], `${path}[${i}]`);
      if (!Array.isArray(p)) return p;
      // A repeated position adds no edge (sources often write them); kept, it would read as the ring touching itself.
      const last = out[out.length - 1];
      if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
    }
    if (out.length < 4) return fail(RING_TOO_SHORT, path, `a ring needs at least 4 positions, got ${out.length}`);
    const [a, b] = [out[0], out[out.length - 1]];
    if (a[0] !== b[0] || a[1] !== b[1]) return fail(RING_NOT_CLOSED, path, 'the last position must repeat the first');
    const crossing = selfIntersection(out);
    if (crossing !== null) return fail(SELF_INTERSECTION, `${path}[${crossing}]`, `the ring crosses itself at segment ${crossing}`);
    return out;
  };

  const polygon = (p: unknown, path: string): Position[][] | Fail => {
    if (!Array.isArray(p) || p.length === 0) return fail(BAD_POSITION, path, 'must be a non-empty array of rings');
    const out: Position[][] = [];
    for (let i = 0; i < p.length; i++) {
      const r = ring(p[i], `${path}[${i}]`);
      if (!Array.isArray(r)) return r;
      out.push(r);
    }
    return out;
  };

  if (g.type === 'Point') {
    const p = position(g.coordinates, 'coordinates');
    return Array.isArray(p) ? { valid: true, geometry: { type: 'Point', coordinates: p } } : p;
  }
  if (g.type === 'Polygon') {
    const p = polygon(g.coordinates, 'coordinates');
    return Array.isArray(p) ? { valid: true, geometry: { type: 'Polygon', coordinates: p } } : p;
  }
  if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) return fail(BAD_POSITION, 'coordinates', 'must be a non-empty array of polygons');
  if (g.coordinates.length > maxRings) return fail(TOO_MANY_PARTS, 'coordinates', `more than ${maxRings} polygons`);
  const polys: Position[][][] = [];
  for (let i = 0; i < g.coordinates.length; i++) {
    const p = polygon(g.coordinates[i], `coordinates[${i}]`);
    if (!Array.isArray(p)) return p;
    polys.push(p);
  }
  return { valid: true, geometry: { type: 'MultiPolygon', coordinates: polys } };
}

/**
 * The first segment of a closed ring that meets a non-adjacent segment (crossing, touching or overlapping), or null.
 * Segments are indexed by their boxes (flatbush), so a ring of n segments costs about n log n, not n².
 */
export function selfIntersection(ring: readonly Position[]): number | null {
  const n = ring.length - 1; // segments; the last position repeats the first
  if (n < 3) return null;
  const index = new Flatbush(n);
  for (let i = 0; i < n; i++) {
    const [a, b] = [ring[i], ring[i + 1]];
    index.add(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
  }
  index.finish();
  for (let i = 0; i < n; i++) {
    const [a, b] = [ring[i], ring[i + 1]];
    const near = index.search(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
    for (const j of near) {
      if (j <= i) continue;
      // Neighbours share an end point by construction (the first and last segments too).
      const adjacent = j === i + 1 || (i === 0 && j === n - 1);
      if (adjacent ? overlapsAlong(a, b, ring[j], ring[j + 1]) : segmentsMeet(a, b, ring[j], ring[j + 1])) return i;
    }
  }
  return null;
}

function orient(a: Position, b: Position, c: Position): number {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

function onSegment(a: Position, b: Position, p: Position): boolean {
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

/** Do segments ab and cd share any point? */
function segmentsMeet(a: Position, b: Position, c: Position, d: Position): boolean {
  const [o1, o2, o3, o4] = [orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)];
  if (o1 !== o2 && o3 !== o4) return true;
  return (o1 === 0 && onSegment(a, b, c)) || (o2 === 0 && onSegment(a, b, d)) || (o3 === 0 && onSegment(c, d, a)) || (o4 === 0 && onSegment(c, d, b));
}

/** Adjacent segments meet at their shared end; they are wrong only when they run back over each other (a spike). */
function overlapsAlong(a: Position, b: Position, c: Position, d: Position): boolean {
  // The shared point is b = c (i, i+1) or a = d (first and last): the far ends must not lie on the other segment.
  const [shared, p, q] = b[0] === c[0] && b[1] === c[1] ? [b, a, d] : [a, b, c];
  if (orient(p, shared, q) !== 0) return false;
  const dot = (p[0] - shared[0]) * (q[0] - shared[0]) + (p[1] - shared[1]) * (q[1] - shared[1]);
  return dot > 0;
}
