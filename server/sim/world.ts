/**
 * What the simulator knows of the district, read once through the public API: blocks (residents, polygons, teams),
 * the road network (GET /api/layers/roads → RoadGraph + Router), the district's seat (for the planted hotspots) and
 * the staff with their roles and last positions (GET /api/staff, paged). From these: who dispatches in each
 * subdistrict, who supervises each block, which centre inspector verifies, who handles for each unit.
 */
import type { LineString, MultiPolygon, Polygon } from 'geojson';
import { RoadGraph, type RoadInput } from '../geo/road-graph.ts';
import { Router } from '../geo/routing.ts';
import type { ApiClient } from './client.ts';
import { PlaceSampler, type BlockInput } from './places.ts';

export interface StaffRoleItem {
  id: number;
  name: string;
  role: string | null;
  blockCode: string | null;
  subdistrictCode: string | null;
  unit: { id: number; kind: 'centre' | 'department'; key: string; name: string } | null;
  position: { lon: number; lat: number; at: string } | null;
}

interface BlockFeature {
  id: string;
  geometry: Polygon | MultiPolygon;
  properties: { code: string; communityName: string; subdistrictCode: string; residents: number; areaM2: number };
}

export interface Health {
  status: string;
  demo: boolean;
  events: number;
  blocks: number;
}

export class StaffDirectory {
  readonly names = new Map<number, string>();
  /** Last known position per staff member (updated as the simulator moves them). */
  readonly positions = new Map<number, [number, number]>();
  /** Guidance-centre staff per subdistrict (they file and dispatch). */
  readonly dispatchers = new Map<string, number[]>();
  readonly supervisorOf = new Map<string, number>();
  /** Governor first, then assistants, per block. */
  readonly teamOf = new Map<string, number[]>();
  /** Centre inspectors per unit id and per subdistrict (the guidance centre's first). */
  readonly inspectorsOfUnit = new Map<number, number[]>();
  readonly inspectorsOf = new Map<string, number[]>();
  /** Case handlers (centre staff, officers) per unit id. */
  readonly handlersOfUnit = new Map<number, number[]>();
  /** The units a staff member handles for. */
  readonly unitsOf = new Map<number, number[]>();
  /** Where a staff member is based: their block or their unit's subdistrict. */
  readonly homeBlock = new Map<number, string>();
  readonly homeSubdistrict = new Map<number, string>();

  constructor(items: readonly StaffRoleItem[]) {
    const push = <K>(m: Map<K, number[]>, k: K, v: number) => {
      const list = m.get(k);
      if (!list) m.set(k, [v]);
      else if (!list.includes(v)) list.push(v);
    };
    for (const s of items) {
      this.names.set(s.id, s.name);
      if (s.position) this.positions.set(s.id, [s.position.lon, s.position.lat]);
      if (s.blockCode) this.homeBlock.set(s.id, s.blockCode);
      if (s.subdistrictCode) this.homeSubdistrict.set(s.id, s.subdistrictCode);
      const sub = s.subdistrictCode;
      switch (s.role) {
        case 'governor':
          if (s.blockCode) this.teamOf.set(s.blockCode, [s.id, ...(this.teamOf.get(s.blockCode) ?? [])]);
          break;
        case 'assistant':
          if (s.blockCode) push(this.teamOf, s.blockCode, s.id);
          break;
        case 'supervisor':
          if (s.blockCode) this.supervisorOf.set(s.blockCode, s.id);
          break;
        case 'centre-staff':
        case 'officer':
          if (s.unit) {
            push(this.handlersOfUnit, s.unit.id, s.id);
            push(this.unitsOf, s.id, s.unit.id);
            if (s.role === 'centre-staff' && s.unit.key === 'guidance' && sub) push(this.dispatchers, sub, s.id);
          }
          break;
        case 'centre-inspector':
          if (s.unit) push(this.inspectorsOfUnit, s.unit.id, s.id);
          if (sub) {
            const list = this.inspectorsOf.get(sub) ?? [];
            if (!list.includes(s.id)) s.unit?.key === 'guidance' ? list.unshift(s.id) : list.push(s.id);
            this.inspectorsOf.set(sub, list);
          }
          break;
      }
    }
    // A subdistrict without guidance-centre staff falls back to its guidance inspector (who may dispatch too).
    for (const [sub, list] of this.inspectorsOf) if (!this.dispatchers.has(sub) && list.length > 0) this.dispatchers.set(sub, [list[0]]);
  }

  name(id: number): string {
    return this.names.get(id) ?? `#${id}`;
  }
}

export interface World {
  health: Health;
  blocks: BlockInput[];
  /** Block centroids (bbox centres) by code, for staff without a position. */
  blockCentre: Map<string, [number, number]>;
  places: PlaceSampler;
  staff: StaffDirectory;
  router: Router | null;
  graph: RoadGraph | null;
}

async function allStaff(client: ApiClient): Promise<StaffRoleItem[]> {
  const out: StaffRoleItem[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const path: string = `/api/staff?limit=5000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const body = await client.getOrThrow<{ items: StaffRoleItem[]; nextCursor: string | null }>(path);
    out.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return out;
}

/** Reads the district through the API. */
export async function loadWorld(client: ApiClient): Promise<World> {
  const health = await client.getOrThrow<Health>('/api/health');
  const [blockFc, roadsFc, districtFc, staffItems] = await Promise.all([
    client.getOrThrow<{ features: BlockFeature[] }>('/api/blocks'),
    client.getOrThrow<{ features: { geometry: LineString | null; properties: { name?: string; class?: string; speedKmh?: number; oneway?: boolean } }[] }>('/api/layers/roads'),
    client.getOrThrow<{ features: { properties: { center?: [number, number] } }[] }>('/api/layers/district'),
    allStaff(client),
  ]);
  const blocks: BlockInput[] = blockFc.features.map((f) => ({
    code: f.properties.code ?? f.id,
    communityName: f.properties.communityName ?? '',
    subdistrictCode: f.properties.subdistrictCode,
    residents: f.properties.residents ?? 0,
    areaM2: f.properties.areaM2 ?? 1,
    geometry: f.geometry,
  }));
  const blockCentre = new Map<string, [number, number]>();
  for (const b of blocks) {
    const ring = b.geometry.type === 'Polygon' ? b.geometry.coordinates[0] : b.geometry.coordinates[0]?.[0];
    if (!ring || ring.length === 0) continue;
    let x = 0, y = 0;
    for (const p of ring) (x += p[0]), (y += p[1]);
    blockCentre.set(b.code, [x / ring.length, y / ring.length]);
  }
  const roads: RoadInput[] = [];
  const named: { name: string; coordinates: number[][] }[] = [];
  for (const f of roadsFc.features) {
    if (!f.geometry || f.geometry.type !== 'LineString' || f.geometry.coordinates.length < 2) continue;
    const p = f.properties;
    roads.push({ geometry: f.geometry, speedKmh: p.speedKmh && p.speedKmh > 0 ? p.speedKmh : 30, oneway: p.oneway === true, class: p.class ?? 'street' });
    if (p.name) named.push({ name: p.name, coordinates: f.geometry.coordinates });
  }
  const graph = roads.length > 0 ? RoadGraph.build(roads) : null;
  const router = graph && graph.linkCount > 0 ? new Router(graph) : null;
  const seat = districtFc.features[0]?.properties.center ?? null;
  const places = new PlaceSampler(blocks, { seat, roads: named });
  return { health, blocks, blockCentre, places, staff: new StaffDirectory(staffItems), router, graph };
}
