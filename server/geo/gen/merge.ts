import { topology as buildTopology } from 'topojson-server';
import { merge as mergeTopo, mesh as meshTopo } from 'topojson-client';
import type { Topology, GeometryObject, GeometryCollection } from 'topojson-specification';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, MultiLineString } from 'geojson';

/**
 * Parcels as a topology: shared edges become shared arcs, so merging parcels into blocks, communities or
 * subdistricts drops the arcs between them exactly (no slivers, no overlaps), and the boundaries between
 * groups can be read off as lines (the road network).
 */
export class ParcelTopology {
  private readonly topology: Topology;
  private readonly geometries: GeometryObject<{ i: number }>[];

  constructor(parcels: ReadonlyArray<Polygon | MultiPolygon>) {
    const fc: FeatureCollection = {
      type: 'FeatureCollection',
      features: parcels.map((geometry, i): Feature => ({ type: 'Feature', properties: { i }, geometry })),
    };
    this.topology = buildTopology({ parcels: fc });
    this.geometries = (this.topology.objects.parcels as GeometryCollection<{ i: number }>).geometries;
  }

  /** The union of the given parcels, as a Polygon when it is one piece. */
  merge(indices: readonly number[]): Polygon | MultiPolygon {
    const merged = mergeTopo(this.topology, indices.map((i) => this.geometries[i]) as never) as MultiPolygon;
    return merged.coordinates.length === 1 ? { type: 'Polygon', coordinates: merged.coordinates[0] } : merged;
  }

  /** Lines between neighbouring parcels for which `between(a, b)` holds (parcel indices; never the outline). */
  boundaries(between: (a: number, b: number) => boolean): MultiLineString {
    const object = this.topology.objects.parcels as GeometryCollection<{ i: number }>;
    const indexOf = (g: GeometryObject) => (g.properties as { i: number }).i;
    return meshTopo(this.topology, object, (a, b) => a !== b && between(indexOf(a), indexOf(b))) as MultiLineString;
  }
}
