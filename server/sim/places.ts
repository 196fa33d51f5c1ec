/**
 * Where reports come from, as in the seeded history: a place drawn by residents (a block by its resident count,
 * then a point inside the block's polygon), and a share from the district's planted hotspots (HOTSPOT_PLANS, the
 * generator's own list), each weighted by its intensity × the residents around it, with its own categories.
 * Built from what the public API serves (blocks with residents and polygons, the roads layer, the district's seat);
 * buildings are not served, so the block stands in for the building the history draws. Pure.
 */
import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon } from 'geojson';
import { WeightedTable, type Rng } from '../domain/prng.ts';
import { HOTSPOT_PLANS } from '../geo/gen/hotspots.ts';

export interface BlockInput {
  code: string;
  communityName: string;
  subdistrictCode: string;
  residents: number;
  areaM2: number;
  geometry: Polygon | MultiPolygon;
}

export interface RoadNameInput {
  name: string;
  coordinates: number[][];
}

export interface Hotspot {
  id: string;
  center: [number, number];
  radiusM: number;
  intensity: number;
  categories: string[];
}

export interface Place {
  lon: number;
  lat: number;
  /** Index into the sampler's blocks. */
  block: number;
  blockCode: string;
  subdistrictCode: string;
  communityName: string;
  /** The nearest named road ('' when none is known). */
  roadName: string;
  /** The hotspot the place was drawn from, or null for the population at large. */
  hotspot: Hotspot | null;
}

const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LON = 111_320;

/** Even-odd point-in-polygon over all rings of a (multi)polygon (holes excluded). */
export function pointInGeometry(x: number, y: number, g: Polygon | MultiPolygon): boolean {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  let inside = false;
  for (const rings of polys) {
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
}

function bboxOf(g: Polygon | MultiPolygon): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const rings of polys) for (const p of rings[0] ?? []) {
    if (p[0] < x0) x0 = p[0];
    if (p[0] > x1) x1 = p[0];
    if (p[1] < y0) y0 = p[1];
    if (p[1] > y1) y1 = p[1];
  }
  return [x0, y0, x1, y1];
}

/** Hotspot centres from the generator's plans, placed the way the generator does (km east/north of the seat). */
export function hotspotsAround(seat: [number, number]): Hotspot[] {
  const kx = M_PER_DEG_LON * Math.cos((seat[1] * Math.PI) / 180);
  return HOTSPOT_PLANS.map((h) => ({
    id: h.id,
    center: [seat[0] + (h.at[0] * 1000) / kx, seat[1] + (h.at[1] * 1000) / M_PER_DEG_LAT] as [number, number],
    radiusM: h.radiusM,
    intensity: h.intensity,
    categories: [...h.categories],
  }));
}

export class PlaceSampler {
  readonly blocks: readonly BlockInput[];
  readonly hotspots: readonly Hotspot[];
  private readonly bbox: Float64Array;
  private readonly density: Float64Array;
  private readonly blockIndex: Flatbush;
  private readonly population: WeightedTable;
  /** Index 0: the population at large; i ≥ 1: hotspot i-1. */
  private readonly sources: WeightedTable;
  private readonly hotspotMaxDensity: number[];
  private readonly roadIndex: Flatbush | null;
  private readonly roadOfVertex: string[];

  constructor(blocks: readonly BlockInput[], options: { seat?: [number, number] | null; hotspots?: Hotspot[]; roads?: readonly RoadNameInput[] } = {}) {
    if (blocks.length === 0) throw new Error('no blocks to place reports in');
    this.blocks = blocks;
    this.bbox = new Float64Array(blocks.length * 4);
    this.density = new Float64Array(blocks.length);
    this.blockIndex = new Flatbush(blocks.length);
    const weights = new Float64Array(blocks.length);
    blocks.forEach((b, i) => {
      const [x0, y0, x1, y1] = bboxOf(b.geometry);
      this.bbox.set([x0, y0, x1, y1], i * 4);
      this.blockIndex.add(x0, y0, x1, y1);
      weights[i] = Math.max(0, b.residents) + 2;
      this.density[i] = weights[i] / Math.max(b.areaM2, 1);
    });
    this.blockIndex.finish();
    this.population = new WeightedTable(weights);

    const hotspots = options.hotspots ?? (options.seat ? hotspotsAround(options.seat) : []);
    const kept: Hotspot[] = [];
    const sourceWeights = [this.population.total];
    this.hotspotMaxDensity = [];
    // Residents around each hotspot, estimated from a fixed grid of points in its circle.
    for (const h of hotspots) {
      let sum = 0;
      let max = 0;
      let n = 0;
      const steps = 24;
      for (let a = 0; a < steps; a++) {
        for (let b = 0; b < steps; b++) {
          const dx = ((a + 0.5) / steps) * 2 - 1, dy = ((b + 0.5) / steps) * 2 - 1;
          if (dx * dx + dy * dy > 1) continue;
          n++;
          const [lon, lat] = this.offset(h.center, dx * h.radiusM, dy * h.radiusM);
          const i = this.locate(lon, lat);
          if (i < 0) continue;
          sum += this.density[i];
          if (this.density[i] > max) max = this.density[i];
        }
      }
      if (max === 0 || n === 0) continue;
      const residents = (sum / n) * Math.PI * h.radiusM * h.radiusM;
      kept.push(h);
      sourceWeights.push(h.intensity * residents);
      this.hotspotMaxDensity.push(max);
    }
    this.hotspots = kept;
    this.sources = new WeightedTable(sourceWeights);

    const roads = (options.roads ?? []).filter((r) => r.name.trim().length > 0 && r.coordinates.length > 0);
    this.roadOfVertex = [];
    for (const r of roads) for (let k = 0; k < r.coordinates.length; k++) this.roadOfVertex.push(r.name);
    if (this.roadOfVertex.length > 0) {
      this.roadIndex = new Flatbush(this.roadOfVertex.length);
      for (const r of roads) for (const p of r.coordinates) this.roadIndex.add(p[0], p[1], p[0], p[1]);
      this.roadIndex.finish();
    } else this.roadIndex = null;
  }

  /** The block containing a point, or -1. */
  locate(lon: number, lat: number): number {
    for (const i of this.blockIndex.search(lon, lat, lon, lat)) if (pointInGeometry(lon, lat, this.blocks[i].geometry)) return i;
    return -1;
  }

  /** The share of reports drawn from hotspots. */
  hotspotShare(): number {
    return 1 - this.population.total / this.sources.total;
  }

  /** A place: the population at large or a hotspot, then a point. */
  sample(rng: Rng): Place {
    const source = this.sources.pickIndex(rng);
    if (source > 0) {
      const h = this.hotspots[source - 1];
      const p = this.inHotspot(rng, source - 1);
      if (p) return this.place(p[0], p[1], p[2], h);
    }
    const i = this.population.pickIndex(rng);
    const [lon, lat] = this.pointInBlock(rng, i);
    return this.place(lon, lat, i, null);
  }

  /** A point inside block i (rejection in its bounding box; the box centre when the polygon is too thin to hit). */
  pointInBlock(rng: Rng, i: number): [number, number] {
    const x0 = this.bbox[i * 4], y0 = this.bbox[i * 4 + 1], x1 = this.bbox[i * 4 + 2], y1 = this.bbox[i * 4 + 3];
    const g = this.blocks[i].geometry;
    for (let k = 0; k < 64; k++) {
      const x = x0 + (x1 - x0) * (0.01 + 0.98 * rng.next());
      const y = y0 + (y1 - y0) * (0.01 + 0.98 * rng.next());
      if (pointInGeometry(x, y, g)) return [x, y];
    }
    return [(x0 + x1) / 2, (y0 + y1) / 2];
  }

  /** The nearest named road to a point. */
  roadNear(lon: number, lat: number): string {
    if (!this.roadIndex) return '';
    const [hit] = this.roadIndex.neighbors(lon, lat, 1);
    return hit === undefined ? '' : this.roadOfVertex[hit];
  }

  private inHotspot(rng: Rng, h: number): [number, number, number] | null {
    const spot = this.hotspots[h];
    const max = this.hotspotMaxDensity[h];
    // Uniform in the circle, kept in proportion to the residents' density there: residents-weighted.
    for (let k = 0; k < 400; k++) {
      const r = spot.radiusM * Math.sqrt(rng.next());
      const a = 2 * Math.PI * rng.next();
      const [lon, lat] = this.offset(spot.center, r * Math.cos(a), r * Math.sin(a));
      const i = this.locate(lon, lat);
      if (i < 0) continue;
      if (rng.next() * max < this.density[i]) return [lon, lat, i];
    }
    return null;
  }

  private place(lon: number, lat: number, i: number, hotspot: Hotspot | null): Place {
    const b = this.blocks[i];
    return {
      lon: Math.round(lon * 1e7) / 1e7,
      lat: Math.round(lat * 1e7) / 1e7,
      block: i,
      blockCode: b.code,
      subdistrictCode: b.subdistrictCode,
      communityName: b.communityName,
      roadName: this.roadNear(lon, lat),
      hotspot,
    };
  }

  private offset(c: [number, number], eastM: number, northM: number): [number, number] {
    return [c[0] + eastM / (M_PER_DEG_LON * Math.cos((c[1] * Math.PI) / 180)), c[1] + northM / M_PER_DEG_LAT];
  }
}
