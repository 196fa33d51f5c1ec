/**
 * Where the demo history's reports come from: a building drawn by residents (or from one of the district's planted
 * hotspots), a point jittered inside its parcel (so inside its block), and the nearest named road for the text.
 */
import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon } from 'geojson';
import type { Category, Taxonomy } from '../../contract/taxonomy.ts';
import { WeightedTable, type Rng } from '../../domain/prng.ts';
import type { GeneratedDistrict } from '../../geo/gen/types.ts';

export interface Places {
  /** Per building (index into district.buildings). */
  ring: number[][][];
  bbox: Float64Array;
  lon: Float64Array;
  lat: Float64Array;
  blockCode: string[];
  roadName: string[];
  ordinal: Int32Array;
  population: WeightedTable;
  /** Index 0: population; i ≥ 1: hotspot i-1. */
  sources: WeightedTable;
  hotspots: { table: WeightedTable; buildings: number[]; categories: Category[]; id: string }[];
}

function pointInRing(x: number, y: number, ring: number[][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i][0];
    const yi = ring[i][1];
    const xj = ring[j][0];
    const yj = ring[j][1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The outer ring of a parcel; for a multipolygon, the ring of its largest part (by bounding box). */
function parcelOuterRing(g: Polygon | MultiPolygon): number[][] {
  if (g.type === 'Polygon') return (g.coordinates[0] as number[][] | undefined) ?? [];
  let best: number[][] = [];
  let bestArea = -1;
  for (const poly of g.coordinates) {
    const r = poly[0] as number[][] | undefined;
    if (!r) continue;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const p of r) {
      x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]); y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]);
    }
    const a = (x1 - x0) * (y1 - y0);
    if (a > bestArea) {
      bestArea = a;
      best = r;
    }
  }
  return best;
}

export function preparePlaces(d: GeneratedDistrict, taxonomy: Taxonomy): Places {
  const n = d.buildings.length;
  if (n === 0) throw new Error('the district has no buildings to place events at');
  const ring: number[][][] = [];
  const bbox = new Float64Array(n * 4);
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  const blockCode: string[] = [];
  const ordinal = new Int32Array(n);
  const perCommunity = new Map<string, number>();
  const weights = new Float64Array(n);
  d.buildings.forEach((b, i) => {
    const outer = parcelOuterRing(b.parcel as Polygon | MultiPolygon);
    ring.push(outer);
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const p of outer) {
      if (p[0] < x0) x0 = p[0];
      if (p[0] > x1) x1 = p[0];
      if (p[1] < y0) y0 = p[1];
      if (p[1] > y1) y1 = p[1];
    }
    bbox[i * 4] = x0; bbox[i * 4 + 1] = y0; bbox[i * 4 + 2] = x1; bbox[i * 4 + 3] = y1;
    lon[i] = b.lon;
    lat[i] = b.lat;
    blockCode.push(b.blockCode);
    const k = (perCommunity.get(b.communityCode) ?? 0) + 1;
    perCommunity.set(b.communityCode, k);
    ordinal[i] = k;
    // A building without a parcel cannot be placed in its block safely: no events there.
    weights[i] = outer.length >= 4 ? b.residents + 2 : 0;
  });

  // Nearest named road per building, through an index of road vertices.
  const roadName: string[] = new Array(n).fill('');
  const named = d.roads.filter((r) => r.name.trim().length > 0);
  const vertexRoad: number[] = [];
  for (const [ri, r] of named.entries()) for (let k = 0; k < r.geometry.coordinates.length; k++) vertexRoad.push(ri);
  if (vertexRoad.length > 0) {
    const index = new Flatbush(vertexRoad.length);
    for (const r of named) for (const p of r.geometry.coordinates) index.add(p[0], p[1], p[0], p[1]);
    index.finish();
    for (let i = 0; i < n; i++) {
      const [hit] = index.neighbors(lon[i], lat[i], 1);
      if (hit !== undefined) roadName[i] = named[vertexRoad[hit]].name;
    }
  }

  const population = new WeightedTable(weights);
  const sourceWeights = [population.total];
  const hotspots: Places['hotspots'] = [];
  for (const h of d.hotspots) {
    const cosLat = Math.cos((h.center[1] * Math.PI) / 180);
    const inside: number[] = [];
    for (let i = 0; i < n; i++) {
      const dx = (lon[i] - h.center[0]) * 111_320 * cosLat;
      const dy = (lat[i] - h.center[1]) * 111_320;
      if (dx * dx + dy * dy <= h.radiusM * h.radiusM) inside.push(i);
    }
    if (inside.length === 0) d.buildings.forEach((b, i) => b.blockCode === h.blockCode && inside.push(i));
    const w = inside.map((i) => weights[i]);
    if (!w.some((x) => x > 0)) continue;
    const table = new WeightedTable(w);
    const categories = h.categories.map((c) => taxonomy.byCode.get(c)).filter((c): c is Category => c !== undefined);
    hotspots.push({ table, buildings: inside, categories, id: h.id });
    sourceWeights.push(h.intensity * table.total);
  }
  return { ring, bbox, lon, lat, blockCode, roadName, ordinal, population, sources: new WeightedTable(sourceWeights), hotspots };
}

/** A point strictly inside the building's parcel (falls back to the building's own point). */
export function pointInParcel(p: Places, i: number, rng: Rng): [number, number] {
  const x0 = p.bbox[i * 4], y0 = p.bbox[i * 4 + 1], x1 = p.bbox[i * 4 + 2], y1 = p.bbox[i * 4 + 3];
  for (let k = 0; k < 24; k++) {
    const x = x0 + (x1 - x0) * (0.02 + 0.96 * rng.next());
    const y = y0 + (y1 - y0) * (0.02 + 0.96 * rng.next());
    if (pointInRing(x, y, p.ring[i])) return [x, y];
  }
  return [p.lon[i], p.lat[i]];
}
