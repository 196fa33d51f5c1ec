/** Reads of basemap layers: roads and the stored map_layers collections (water, rivers, …). */
import type { Db } from '../database.ts';

export interface RoadRow {
  id: number;
  name: string;
  class: 'arterial' | 'secondary' | 'street';
  speed_kmh: number;
  oneway: 0 | 1;
  geometry: string;
}

export interface MapLayerRow {
  name: string;
  source: 'real' | 'generated' | 'imported';
  geojson: string;
}

export function layerQueries(db: Db) {
  const roads = db.prepare<[], RoadRow>(`SELECT id, name, class, speed_kmh, oneway, geometry FROM roads ORDER BY id`);
  const layer = db.prepare<[string], MapLayerRow>(`SELECT name, source, geojson FROM map_layers WHERE name = ?`);
  const marker = db.prepare<[], { r: number; rmax: number | null; m: number; msize: number | null }>(
    `SELECT (SELECT count(*) FROM roads) AS r, (SELECT max(id) FROM roads) AS rmax,
            (SELECT count(*) FROM map_layers) AS m,
            (SELECT max(rowid) FROM map_layers) AS msize`,
  );
  return {
    roads: (): RoadRow[] => roads.all(),
    mapLayer: (name: string): MapLayerRow | undefined => layer.get(name),
    /** Changes when roads or stored layers are imported or replaced (a replaced row gets a new rowid). */
    marker: (): string => {
      const m = marker.get()!;
      return `${m.r}:${m.rmax ?? 0}:${m.m}:${m.msize ?? 0}`;
    },
  };
}
