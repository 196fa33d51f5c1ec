import gcoord from 'gcoord';
import type { FeatureCollection, Geometry } from 'geojson';

/**
 * Display coordinates. Everything is stored and served in WGS-84; when the map sits on an Amap/Tencent basemap the
 * layers are shifted to GCJ-02 for display only (never written back).
 */
export interface Display {
  gcj02: boolean;
  collection<T extends FeatureCollection<Geometry | null, unknown>>(fc: T): T;
  /** Shift [lon, lat] pairs in place (a flat interleaved array). */
  positions(flat: Float64Array): Float64Array;
  point(lon: number, lat: number): [number, number];
  /** The inverse of point: a displayed position (a click on the map) back to WGS-84. */
  unpoint(x: number, y: number): [number, number];
}

type Coords = number[][][] | number[][][][];

/**
 * Drops empty polygons and rings (a MultiPolygon with an empty member breaks MapLibre's tiler). Returns the same
 * collection when nothing needed dropping.
 */
export function dropEmptyParts<T extends FeatureCollection<Geometry | null, unknown>>(fc: T): T {
  const valid = (ring: unknown[]) => ring.length >= 4;
  let changed = false;
  const features = fc.features.map((f) => {
    const g = f.geometry;
    if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) return f;
    const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as number[][][][];
    const kept = polygons.map((p) => p.filter(valid)).filter((p) => p.length > 0 && valid(p[0]));
    const same = kept.length === polygons.length && kept.every((p, i) => p.length === polygons[i].length);
    if (same) return f;
    changed = true;
    const coordinates: Coords = g.type === 'Polygon' ? (kept[0] ?? []) : kept;
    return { ...f, geometry: kept.length ? { ...g, coordinates } : null };
  });
  return changed ? { ...fc, features } : fc;
}

const IDENTITY: Display = {
  gcj02: false,
  collection: (fc) => dropEmptyParts(fc),
  positions: (flat) => flat,
  point: (lon, lat) => [lon, lat],
  unpoint: (x, y) => [x, y],
};

const GCJ: Display = {
  gcj02: true,
  collection: (fc) => gcoord.transform(structuredClone(dropEmptyParts(fc)) as never, gcoord.WGS84, gcoord.GCJ02) as typeof fc,
  positions(flat) {
    for (let i = 0; i < flat.length; i += 2) {
      const [lon, lat] = gcoord.transform([flat[i], flat[i + 1]], gcoord.WGS84, gcoord.GCJ02);
      flat[i] = lon;
      flat[i + 1] = lat;
    }
    return flat;
  },
  point: (lon, lat) => gcoord.transform([lon, lat], gcoord.WGS84, gcoord.GCJ02) as [number, number],
  unpoint: (x, y) => gcoord.transform([x, y], gcoord.GCJ02, gcoord.WGS84) as [number, number],
};

export function displayFor(gcj02: boolean): Display {
  return gcj02 ? GCJ : IDENTITY;
}
