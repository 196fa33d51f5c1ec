import { Delaunay } from 'd3-delaunay';
import Flatbush from 'flatbush';
import polygonClipping from 'polygon-clipping';
import { bboxOfRings, type Ring, type XY } from './planar.ts';

/** A parcel: a list of polygons, each its rings (outer first). Almost always exactly one polygon. */
export type ParcelPolygons = Ring[][];

export interface ParcelResult {
  parcels: ParcelPolygons[];
  clipped: number;
}

/**
 * Voronoi parcels of the building sites, cut to the district. Only the cells that the district boundary crosses
 * are clipped (a few percent of them); the rest are inside as they are, which keeps the shared Voronoi vertices
 * bit-identical between neighbours so that merging parcels into blocks is exact.
 */
export function buildParcels(sites: ReadonlyArray<{ x: number; y: number }>, districtPolygons: Ring[][]): ParcelResult {
  const allRings = districtPolygons.flat();
  const [minX, minY, maxX, maxY] = bboxOfRings(allRings);
  const margin = 1000;
  const coords = new Float64Array(sites.length * 2);
  sites.forEach((s, i) => {
    coords[2 * i] = s.x;
    coords[2 * i + 1] = s.y;
  });
  const voronoi = new Delaunay(coords).voronoi([minX - margin, minY - margin, maxX + margin, maxY + margin]);

  // Index of the district's boundary segments, to find the cells the boundary passes through.
  const segments: Array<[XY, XY]> = [];
  for (const ring of allRings) for (let i = 1; i < ring.length; i++) segments.push([ring[i - 1], ring[i]]);
  const index = new Flatbush(segments.length);
  for (const [a, b] of segments) index.add(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
  index.finish();

  const polygonBoxes = districtPolygons.map((p) => bboxOfRings(p));
  const parcels: ParcelPolygons[] = [];
  let clipped = 0;
  for (let i = 0; i < sites.length; i++) {
    const cell = voronoi.cellPolygon(i) as XY[];
    const [cx0, cy0, cx1, cy1] = bboxOfRings([cell]);
    const crossing = index.search(cx0, cy0, cx1, cy1).some((k) => segmentTouchesConvex(segments[k][0], segments[k][1], cell));
    if (!crossing) {
      parcels.push([[cell]]);
      continue;
    }
    clipped++;
    const near = districtPolygons.filter((_, k) => {
      const b = polygonBoxes[k];
      return b[0] <= cx1 && b[2] >= cx0 && b[1] <= cy1 && b[3] >= cy0;
    });
    // One multipolygon argument: intersection() of several arguments would intersect them with each other too.
    const pieces = polygonClipping.intersection([cell], near as polygonClipping.MultiPolygon);
    parcels.push(pieces.filter((p) => p.length > 0) as unknown as Ring[][]);
  }
  return { parcels, clipped };
}

/** Whether segment ab enters the convex polygon (closed ring): an endpoint inside, or a crossing of an edge. */
function segmentTouchesConvex(a: XY, b: XY, ring: XY[]): boolean {
  if (insideConvex(a, ring) || insideConvex(b, ring)) return true;
  for (let i = 1; i < ring.length; i++) if (segmentsIntersect(a, b, ring[i - 1], ring[i])) return true;
  return false;
}

function insideConvex(p: XY, ring: XY[]): boolean {
  let sign = 0;
  for (let i = 1; i < ring.length; i++) {
    const c = cross(ring[i - 1], ring[i], p);
    if (c === 0) continue;
    const s = c > 0 ? 1 : -1;
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}

const cross = (o: XY, a: XY, b: XY) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

function segmentsIntersect(p1: XY, p2: XY, p3: XY, p4: XY): boolean {
  const d1 = cross(p3, p4, p1), d2 = cross(p3, p4, p2), d3 = cross(p1, p2, p3), d4 = cross(p1, p2, p4);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}
