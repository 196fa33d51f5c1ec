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
}

const IDENTITY: Display = {
  gcj02: false,
  collection: (fc) => fc,
  positions: (flat) => flat,
  point: (lon, lat) => [lon, lat],
};

const GCJ: Display = {
  gcj02: true,
  collection: (fc) => gcoord.transform(structuredClone(fc) as never, gcoord.WGS84, gcoord.GCJ02) as typeof fc,
  positions(flat) {
    for (let i = 0; i < flat.length; i += 2) {
      const [lon, lat] = gcoord.transform([flat[i], flat[i + 1]], gcoord.WGS84, gcoord.GCJ02);
      flat[i] = lon;
      flat[i + 1] = lat;
    }
    return flat;
  },
  point: (lon, lat) => gcoord.transform([lon, lat], gcoord.WGS84, gcoord.GCJ02) as [number, number],
};

export function displayFor(gcj02: boolean): Display {
  return gcj02 ? GCJ : IDENTITY;
}
