/**
 * GeoJSON geometries rounded to a fixed number of decimals for the wire (6 ≈ 0.1 m), without leaving the repeated
 * consecutive positions that rounding creates where two vertices lie closer than that: RFC 7946 forbids none, but
 * renderers and validators (and JTS-style "repeated point" checks) trip over them. Rings stay closed and keep at
 * least 4 positions; a ring that rounding collapses below that is dropped (a hole), or drops its polygon (an
 * exterior). Lines keep at least 2 positions. Pure: no I/O.
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

/** A closed ring rounded: null when fewer than 4 positions (a triangle and its closing point) remain. */
export function roundRing(ring: readonly Position[], scale: number): Position[] | null {
  const out = roundPath(ring, scale);
  if (out.length > 1 && !samePosition(out[0], out[out.length - 1])) out.push(out[0]); // keep it closed
  return out.length >= 4 ? out : null;
}

function roundPolygon(rings: readonly Position[][], scale: number): Position[][] | null {
  const outer = rings.length ? roundRing(rings[0], scale) : null;
  if (!outer) return null;
  const out = [outer];
  for (let i = 1; i < rings.length; i++) {
    const hole = roundRing(rings[i], scale);
    if (hole) out.push(hole);
  }
  return out;
}

function roundLine(line: readonly Position[], scale: number): Position[] | null {
  const out = roundPath(line, scale);
  return out.length >= 2 ? out : null;
}

const kept = <T>(xs: (T | null)[]): T[] => xs.filter((x): x is T => x !== null);

/** The geometry rounded to `digits` decimals with repeated consecutive positions dropped; null if nothing is left. */
export function roundGeometry(g: Geometry, digits = 6): Geometry | null {
  const scale = 10 ** digits;
  switch (g.type) {
    case 'Point':
      return { type: 'Point', coordinates: roundPosition(g.coordinates, scale) };
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: g.coordinates.map((p) => roundPosition(p, scale)) };
    case 'LineString': {
      const line = roundLine(g.coordinates, scale);
      return line ? { type: 'LineString', coordinates: line } : null;
    }
    case 'MultiLineString': {
      const lines = kept(g.coordinates.map((l) => roundLine(l, scale)));
      return lines.length ? { type: 'MultiLineString', coordinates: lines } : null;
    }
    case 'Polygon': {
      const rings = roundPolygon(g.coordinates, scale);
      return rings ? { type: 'Polygon', coordinates: rings } : null;
    }
    case 'MultiPolygon': {
      const polygons = kept(g.coordinates.map((p) => roundPolygon(p, scale)));
      return polygons.length ? { type: 'MultiPolygon', coordinates: polygons } : null;
    }
    case 'GeometryCollection': {
      const parts = kept(g.geometries.map((x) => roundGeometry(x, digits)));
      return { type: 'GeometryCollection', geometries: parts };
    }
  }
}
