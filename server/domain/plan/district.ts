/**
 * What a boundary plan is drawn over and never changes while it is drawn: the buildings (房进格 — the atoms that
 * blocks are made of) with their parcels, households, residents and community, the parcels' topology, and the
 * communities with their subdistricts. Built once per district and shared by every draft.
 */
import { BlockLocator } from '../../geo/block-locator.ts';
import { ParcelTopology, type Areal } from '../../geo/plan/parcel-topology.ts';
import { planarFrame, type PlanarFrame } from '../../geo/plan/shape.ts';

export interface PlanBuilding {
  id: number;
  lon: number;
  lat: number;
  households: number;
  residents: number;
  communityCode: string;
  parcel: Areal;
}

export interface PlanCommunity {
  code: string;
  subdistrictCode: string;
  name: string;
}

export class PlanDistrict {
  readonly size: number;
  readonly ids: Int32Array;
  readonly lon: Float64Array;
  readonly lat: Float64Array;
  readonly households: Int32Array;
  readonly residents: Int32Array;
  /** Community code of each building (a building never changes community). */
  readonly communityOf: readonly string[];
  readonly communities: ReadonlyMap<string, PlanCommunity>;
  readonly topology: ParcelTopology;
  readonly frame: PlanarFrame;
  readonly parcels: readonly Areal[];
  private readonly indexById: Map<number, number>;
  private locator: BlockLocator | null = null;

  constructor(buildings: readonly PlanBuilding[], communities: readonly PlanCommunity[]) {
    this.size = buildings.length;
    this.ids = Int32Array.from(buildings, (b) => b.id);
    this.lon = Float64Array.from(buildings, (b) => b.lon);
    this.lat = Float64Array.from(buildings, (b) => b.lat);
    this.households = Int32Array.from(buildings, (b) => b.households);
    this.residents = Int32Array.from(buildings, (b) => b.residents);
    this.communityOf = buildings.map((b) => b.communityCode);
    this.communities = new Map(communities.map((c) => [c.code, c]));
    this.indexById = new Map(buildings.map((b, i) => [b.id, i]));
    this.parcels = buildings.map((b) => b.parcel);
    this.topology = new ParcelTopology(this.parcels);
    let lon = 0, lat = 0;
    for (let i = 0; i < this.size; i++) (lon += this.lon[i]), (lat += this.lat[i]);
    this.frame = planarFrame(lon / Math.max(1, this.size), lat / Math.max(1, this.size));
  }

  /** Building index of the parcel each point falls in (-1 outside every parcel). The index is built on first use. */
  locate(lons: Float64Array, lats: Float64Array): Int32Array {
    this.locator ??= BlockLocator.build(this.parcels);
    const out = new Int32Array(lons.length);
    this.locator.locateMany(lons, lats, out);
    return out;
  }

  /** Index of a building id, or -1. */
  indexOf(id: number): number {
    return this.indexById.get(id) ?? -1;
  }
}
