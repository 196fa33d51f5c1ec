/**
 * Building parcels for a block whose source gives none: the block cut by a metric grid into pieces, each piece one
 * building's parcel. The pieces are exact intersections with the block, so their union is the block and planning
 * (which moves buildings between blocks) can never open a gap or an overlap. The block's residents and households
 * are shared out by area, whole numbers that add up to the block's totals.
 *
 * Pure: no I/O.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { Delaunay } from 'd3-delaunay';
import polygonClipping, { type MultiPolygon as PcMultiPolygon } from 'polygon-clipping';
import { areaM2, type Areal } from './topology.ts';

export interface GeneratedParcel {
  parcel: Polygon | MultiPolygon;
  /** A point inside the parcel. */
  lon: number;
  lat: number;
  households: number;
  residents: number;
}

const METRES_PER_DEG_LAT = 111_320;
/** Parcels per block aimed at: enough for planning to move pieces, few enough to stay light at 10,000 blocks. */
export const TARGET_PARCELS = 24;
/** No parcel edge shorter than this (a building lot, not a brick). */
export const MIN_CELL_M = 40;

/** Splits `total` into whole shares proportional to `weights` that sum to `total` (largest remainder). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (total <= 0 || sum <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k][1]]++;
  return out;
}

/** A point inside a polygon: the midpoint of the widest horizontal run through its bounding-box middle. */
export function interiorPoint(g: Areal): [number, number] {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  let best: [number, number] | null = null;
  let bestWidth = -1;
  for (const rings of polys) {
    let y0 = Infinity, y1 = -Infinity;
    for (const p of rings[0]) {
      if (p[1] < y0) y0 = p[1];
      if (p[1] > y1) y1 = p[1];
    }
    for (const f of [0.5, 0.3, 0.7, 0.15, 0.85]) {
      const y = y0 + (y1 - y0) * f;
      const xs: number[] = [];
      for (const ring of rings) {
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          const a = ring[j], b = ring[i];
          if ((a[1] > y) !== (b[1] > y)) xs.push(a[0] + ((y - a[1]) * (b[0] - a[0])) / (b[1] - a[1]));
        }
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        if (xs[k + 1] - xs[k] > bestWidth) {
          bestWidth = xs[k + 1] - xs[k];
          best = [(xs[k] + xs[k + 1]) / 2, y];
        }
      }
      if (bestWidth > 0) break;
    }
  }
  return best ?? [polys[0][0][0][0], polys[0][0][0][1]];
}

/** Cuts a block into grid parcels and shares its people out over them by area. */
export function generateParcels(block: Areal, residents: number, households: number): GeneratedParcel[] {
  const coords = (block.type === 'Polygon' ? [block.coordinates] : block.coordinates) as PcMultiPolygon;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const poly of coords) for (const p of poly[0]) {
    if (p[0] < x0) x0 = p[0];
    if (p[0] > x1) x1 = p[0];
    if (p[1] < y0) y0 = p[1];
    if (p[1] > y1) y1 = p[1];
  }
  const total = areaM2(block);
  const cellM = Math.max(MIN_CELL_M, Math.sqrt(total / TARGET_PARCELS));
  const dy = cellM / METRES_PER_DEG_LAT;
  const dx = cellM / (METRES_PER_DEG_LAT * Math.cos((((y0 + y1) / 2) * Math.PI) / 180));
  const pieces: Areal[] = [];
  for (let y = y0; y < y1; y += dy) {
    for (let x = x0; x < x1; x += dx) {
      const cell: Position[][] = [[[x, y], [x + dx, y], [x + dx, y + dy], [x, y + dy], [x, y]]];
      const inter = polygonClipping.intersection(coords, [cell] as PcMultiPolygon);
      if (inter.length === 0) continue;
      pieces.push(inter.length === 1 ? { type: 'Polygon', coordinates: inter[0] as Position[][] } : { type: 'MultiPolygon', coordinates: inter as Position[][][] });
    }
  }
  if (pieces.length === 0) pieces.push(block);
  const areas = pieces.map(areaM2);
  const res = apportion(residents, areas);
  const hh = apportion(households, areas);
  return pieces.map((parcel, i) => {
    const [lon, lat] = interiorPoint(parcel);
    return { parcel, lon, lat, residents: res[i], households: hh[i] };
  });
}

export interface BuildingPoint {
  lon: number;
  lat: number;
  households: number;
  residents: number;
}

/**
 * Parcels for a block whose buildings are known: each building gets the part of the block nearer to it than to any
 * other of the block's buildings (its Voronoi cell, computed with longitudes scaled by cos(latitude) so distances are
 * metric, clipped to the block). The cells tile the block, so their union is the block. Buildings keep their own
 * people. Buildings on the same spot share one parcel's position: the later ones get empty cells and are dropped.
 */
export function voronoiParcels(block: Areal, buildings: readonly BuildingPoint[]): GeneratedParcel[] {
  if (buildings.length === 0) return [];
  if (buildings.length === 1) {
    return [{ parcel: block, lon: buildings[0].lon, lat: buildings[0].lat, households: buildings[0].households, residents: buildings[0].residents }];
  }
  const coords = (block.type === 'Polygon' ? [block.coordinates] : block.coordinates) as PcMultiPolygon;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const poly of coords) for (const p of poly[0]) {
    if (p[0] < x0) x0 = p[0];
    if (p[0] > x1) x1 = p[0];
    if (p[1] < y0) y0 = p[1];
    if (p[1] > y1) y1 = p[1];
  }
  const k = Math.cos((((y0 + y1) / 2) * Math.PI) / 180);
  const pad = Math.max(x1 - x0, y1 - y0);
  const voronoi = Delaunay.from(buildings.map((b) => [b.lon * k, b.lat] as [number, number])).voronoi([(x0 - pad) * k, y0 - pad, (x1 + pad) * k, y1 + pad]);
  const out: GeneratedParcel[] = [];
  buildings.forEach((b, i) => {
    const cell = voronoi.cellPolygon(i);
    if (!cell) return;
    const ring = cell.map(([x, y]) => [x / k, y] as Position);
    const inter = polygonClipping.intersection(coords, [[ring]] as PcMultiPolygon);
    if (inter.length === 0) return;
    const parcel: Areal = inter.length === 1 ? { type: 'Polygon', coordinates: inter[0] as Position[][] } : { type: 'MultiPolygon', coordinates: inter as Position[][][] };
    out.push({ parcel, lon: b.lon, lat: b.lat, households: b.households, residents: b.residents });
  });
  return out;
}
