/**
 * GeoJSON geometries rounded to a fixed number of decimals for the wire (6 ≈ 0.1 m), without leaving the repeated
 * consecutive positions that rounding creates where two vertices lie closer than that: RFC 7946 forbids none, but
 * renderers and validators (and JTS-style "repeated point" checks) trip over them. Rings stay closed with at least
 * 4 positions and lines keep at least 2: a ring or line that dropping repeats would shrink below that (one smaller
 * than the rounding step) keeps its rounded positions as they are, so no feature ever loses its geometry.
 * Pure: no I/O.
 */
import type { Geometry, Position } from 'geojson';

/** `Math.round(x · 10^d) / 10^d`, with -0 written as 0. */
export function roundTo(x: number, scale: number): number {
  const r = Math.round(x * scale) / scale;
  return r === 0 ? 0 : r;
}

function roundPosition(p: Position, scale: number): Position {
  const out = new Array<number>(p.length);
  for (let i = 0; i < p.length; i++) out[i] = roundTo(p[i], scale);
  return out;
}

function samePosition(a: Position, b: Position): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The positions rounded, each one that equals the one before it dropped. */
export function roundPath(path: readonly Position[], scale: number): Position[] {
  const out: Position[] = [];
  for (const p of path) {
    const r = roundPosition(p, scale);
    if (out.length === 0 || !samePosition(out[out.length - 1], r)) out.push(r);
  }
  return out;
}

/** A closed ring rounded, repeats dropped while 4 positions (a triangle and its closing point) remain. */
export function roundRing(ring: readonly Position[], scale: number): Position[] {
  const out = roundPath(ring, scale);
  return out.length >= 4 ? out : ring.map((p) => roundPosition(p, scale));
}

/** A line rounded, repeats dropped while 2 positions remain. */
export function roundLine(line: readonly Position[], scale: number): Position[] {
  const out = roundPath(line, scale);
  return out.length >= 2 ? out : line.map((p) => roundPosition(p, scale));
}

/** The geometry rounded to `digits` decimals, with repeated consecutive positions dropped where that keeps it valid. */
export function roundGeometry(g: Geometry, digits = 6): Geometry {
  const scale = 10 ** digits;
  switch (g.type) {
    case 'Point':
      return { type: 'Point', coordinates: roundPosition(g.coordinates, scale) };
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: g.coordinates.map((p) => roundPosition(p, scale)) };
    case 'LineString':
      return { type: 'LineString', coordinates: roundLine(g.coordinates, scale) };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: g.coordinates.map((l) => roundLine(l, scale)) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: g.coordinates.map((r) => roundRing(r, scale)) };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: g.coordinates.map((p) => p.map((r) => roundRing(r, scale))) };
    case 'GeometryCollection':
      return { type: 'GeometryCollection', geometries: g.geometries.map((x) => roundGeometry(x, digits)) };
  }
}
