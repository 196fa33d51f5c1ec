import type { Feature, Geometry } from 'geojson';
import { permit } from '../http/auth.ts';
import { Hono } from 'hono';
import { LAYER_NAMES, type LayerName } from '../contract/api.ts';
import type { AreaRow } from '../db/queries/areas.ts';
import { featureCollectionText, featureText, roundGeometryText } from '../http/geojson.ts';
import { roundGeometry } from '../geo/round-geometry.ts';
import { notFound } from '../http/problem.ts';
import { CachedRepresentation, sendRepresentation, type BuiltBody } from '../http/representation.ts';
import { queryValidator } from '../http/validate.ts';
import type { RouteDeps } from './deps.ts';
import { round6 } from './present.ts';

export { LAYER_NAMES, type LayerName } from '../contract/api.ts';

/** GET /api/layers/:name's body: RFC 7946 plus two foreign members, the layer's name and where its data is from. */
export interface LayerCollection {
  type: 'FeatureCollection';
  name: LayerName;
  source: 'real' | 'generated' | 'imported';
  features: Feature<Geometry, Record<string, unknown>>[];
}

/**
 * Where each layer's data comes from. The district outline and the Xiang river are public geodata; township and
 * community boundaries and roads are not published, so they are generated. A stored layer's own `source` column
 * (water, rivers) wins, so an imported layer says 'imported'.
 */
const SOURCE: Record<LayerName, 'real' | 'generated'> = {
  district: 'real',
  subdistricts: 'generated',
  communities: 'generated',
  roads: 'generated',
  water: 'real',
  rivers: 'real',
};

const AREA_LEVEL = { district: 'district', subdistricts: 'subdistrict', communities: 'community' } as const;

function areaFeature(r: AreaRow & { geometry: string }): string {
  return featureText(r.code, roundGeometryText(r.geometry), {
    code: r.code,
    name: r.name,
    nameEn: r.name_en,
    type: r.type,
    urban: r.urban === 1,
    center: [round6(r.center_lon), round6(r.center_lat)],
  });
}

function buildLayer(q: RouteDeps['q'], name: LayerName): BuiltBody {
  let source: string = SOURCE[name];
  let features: string[];
  if (name === 'district' || name === 'subdistricts' || name === 'communities') {
    // A district imported from its own files: its areas are neither the public outline nor generated.
    if (q.meta.get('areas_imported_at') !== undefined) source = 'imported';
    features = q.areas.byLevelWithGeometry(AREA_LEVEL[name]).map(areaFeature);
  } else if (name === 'roads') {
    features = q.layers.roads().map((r) =>
      featureText(r.id, roundGeometryText(r.geometry), {
        id: r.id, name: r.name, class: r.class, speedKmh: r.speed_kmh, oneway: r.oneway === 1,
      }),
    );
  } else {
    const row = q.layers.mapLayer(name);
    features = [];
    if (row) {
      source = row.source;
      const fc = JSON.parse(row.geojson) as { features?: { geometry: Geometry | null }[] };
      features = (fc.features ?? []).map((f) => JSON.stringify({ ...f, geometry: f.geometry && roundGeometry(f.geometry) }));
    }
  }
  return {
    body: featureCollectionText(features, { name, source }),
    validUntil: null,
    headers: { 'X-Gezhi-Source': source },
  };
}

/**
 * GET /api/layers/:name: one basemap layer as a GeoJSON FeatureCollection carrying `source` ('real', 'generated'
 * or 'imported') both as a top-level member and as the X-Gezhi-Source header. Layers change only on seed or import,
 * so each is cached precompressed and keyed on the area, road and stored-layer markers.
 */
export function layerRoutes({ q, now }: RouteDeps) {
  const caches = new Map<LayerName, CachedRepresentation>(
    LAYER_NAMES.map((name) => [
      name,
      new CachedRepresentation(
        () => `${q.areas.marker()}|${q.layers.marker()}`,
        () => buildLayer(q, name),
        'application/geo+json; charset=utf-8',
      ),
    ]),
  );
  return new Hono().get(
    '/:name', permit('map:read'),
    queryValidator([], () => ({})),
    (c) => {
      const name = c.req.param('name');
      const cache = caches.get(name as LayerName);
      if (!cache) {
        throw notFound(`No layer '${name.slice(0, 40)}'; layers: ${LAYER_NAMES.join(', ')}`, { layers: [...LAYER_NAMES] });
      }
      return sendRepresentation<LayerCollection>(c, cache.get(now()));
    },
  );
}
