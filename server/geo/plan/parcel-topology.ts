/**
 * The parcels of a district's buildings as one topology (房进格: a block is the union of its buildings' parcels).
 * Neighbouring parcels share arcs, so the union of any set of parcels drops the arcs between them exactly, as
 * topojson-client's `merge` does — no slivers, no overlaps, and the same set always gives the same coordinates.
 * Built once per district (≈ 0.8 s for 12,000 parcels); a union then costs ≈ 0.2 ms per block.
 */
import { topology as buildTopology } from 'topojson-server';
import { merge as mergeTopo, neighbors as neighboursOf } from 'topojson-client';
import type { GeometryCollection, GeometryObject, Topology } from 'topojson-specification';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';

export type Areal = Polygon | MultiPolygon;

export class ParcelTopology {
  /** Number of parcels (one per building, in the order given). */
  readonly size: number;
  /** Neighbours of each parcel (sharing an arc), as CSR: neighbourIds[neighbourStart[i] .. neighbourStart[i + 1]). */
  readonly neighbourStart: Int32Array;
  readonly neighbourIds: Int32Array;
  /**
   * Connected piece of the district each parcel lies in (components of the neighbour graph). Parcels in different
   * pieces can never be joined, so a block may be split across pieces without being non-contiguous.
   */
  readonly piece: Int32Array;
  private readonly topology: Topology;
  private readonly objects: GeometryObject[];

  constructor(parcels: readonly Areal[]) {
    this.size = parcels.length;
    const fc: FeatureCollection = {
      type: 'FeatureCollection',
      features: parcels.map((geometry, i): Feature => ({ type: 'Feature', properties: { i }, geometry })),
    };
    this.topology = buildTopology({ parcels: fc });
    this.objects = (this.topology.objects.parcels as GeometryCollection).geometries;
    const lists = neighboursOf(this.objects as never) as number[][];
    this.neighbourStart = new Int32Array(this.size + 1);
    for (let i = 0; i < this.size; i++) this.neighbourStart[i + 1] = this.neighbourStart[i] + lists[i].length;
    this.neighbourIds = new Int32Array(this.neighbourStart[this.size]);
    for (let i = 0; i < this.size; i++) this.neighbourIds.set(lists[i], this.neighbourStart[i]);
    this.piece = this.components();
  }

  /** The union of the given parcels (indices in ascending order for a reproducible ring order); null when empty. */
  union(sortedIndices: readonly number[]): Areal | null {
    if (sortedIndices.length === 0) return null;
    const merged = mergeTopo(this.topology, sortedIndices.map((i) => this.objects[i]) as never) as MultiPolygon;
    return merged.coordinates.length === 1 ? { type: 'Polygon', coordinates: merged.coordinates[0] } : merged;
  }

  /** Calls fn for every neighbour of parcel i. */
  forEachNeighbour(i: number, fn: (j: number) => void): void {
    for (let k = this.neighbourStart[i]; k < this.neighbourStart[i + 1]; k++) fn(this.neighbourIds[k]);
  }

  private components(): Int32Array {
    const piece = new Int32Array(this.size).fill(-1);
    const stack: number[] = [];
    let n = 0;
    for (let s = 0; s < this.size; s++) {
      if (piece[s] >= 0) continue;
      piece[s] = n;
      stack.push(s);
      while (stack.length) {
        const i = stack.pop()!;
        this.forEachNeighbour(i, (j) => {
          if (piece[j] < 0) (piece[j] = n), stack.push(j);
        });
      }
      n++;
    }
    return piece;
  }
}
