/** The bounding box of a GeoJSON collection, and fitting a map to the district's, so every view opens on the district it serves. */
import type { Map as MlMap } from 'maplibre-gl';
import type { Display } from './display';

export type Bounds = [number, number, number, number];

export function collectionBounds(fc: GeoJSON.FeatureCollection | undefined): Bounds | null {
  if (!fc) return null;
  const b: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as number[];
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    } else if (Array.isArray(c)) for (const child of c) visit(child);
  };
  for (const f of fc.features) if (f.geometry && 'coordinates' in f.geometry) visit(f.geometry.coordinates);
  return Number.isFinite(b[0]) ? b : null;
}

/** Fits the camera to the district outline as displayed (shifted to GCJ-02 on such basemaps); false without one. */
export function fitDistrict(map: MlMap, district: GeoJSON.FeatureCollection | undefined, display: Display, padding = 24): boolean {
  const b = collectionBounds(district);
  if (!b) return false;
  const [x0, y0] = display.point(b[0], b[1]);
  const [x1, y1] = display.point(b[2], b[3]);
  map.fitBounds([x0, y0, x1, y1], { padding, animate: false });
  return true;
}
