/** GeoJSON text helpers for responses built by string assembly (no parse/stringify round trip per request). */
import type { Geometry } from 'geojson';
import { roundGeometry } from '../geo/round-geometry.ts';

/**
 * Geometry text from the database rounded for the wire: 6 decimals (≈0.1 m), repeated consecutive positions dropped,
 * rings closed with at least 4 positions, lines with at least 2 (server/geo/round-geometry.ts).
 */
export function roundGeometryText(geometry: string): string {
  return JSON.stringify(roundGeometry(JSON.parse(geometry) as Geometry));
}

/**
 * Rounded geometry texts kept between rebuilds of a collection whose geometries rarely change (the block map is
 * rebuilt after every event write; its geometries only with a new boundary version). A key's text is reused while
 * its source text is the same; keys not asked for in a rebuild are forgotten with it.
 */
export class RoundedGeometries {
  private current = new Map<string, { source: string; rounded: string }>();
  private next = new Map<string, { source: string; rounded: string }>();

  /** The rounded text of `source`, from the last rebuild when it held the same text under `key`. */
  get(key: string, source: string): string {
    let e = this.current.get(key);
    if (e === undefined || e.source !== source) e = { source, rounded: roundGeometryText(source) };
    this.next.set(key, e);
    return e.rounded;
  }

  /** Ends a rebuild: what was asked for since the last call is what the next one can reuse. */
  commit(): void {
    this.current = this.next;
    this.next = new Map();
  }
}

/** `{"type":"FeatureCollection",...members,"features":[...]}` from already-serialised feature texts. */
export function featureCollectionText(features: string[], members: Record<string, unknown> = {}): string {
  const head = Object.entries(members)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)},`)
    .join('');
  return `{"type":"FeatureCollection",${head}"features":[${features.join(',')}]}`;
}

/** One Feature's text; `geometry` is trusted GeoJSON geometry text from the database. */
export function featureText(id: string | number | undefined, geometry: string, properties: unknown): string {
  const idPart = id === undefined ? '' : `"id":${JSON.stringify(id)},`;
  return `{"type":"Feature",${idPart}"geometry":${geometry},"properties":${JSON.stringify(properties)}}`;
}
