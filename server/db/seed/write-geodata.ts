/** Writes the generated district (areas, boundary version, buildings, blocks, roads, basemap layers) to SQLite. */
import type { Geometry, Position } from 'geojson';
import type { Db } from '../database.ts';
import type { GeneratedDistrict } from '../../geo/gen/types.ts';

export const BASELINE_VERSION_ID = 1;
export const BASELINE_VERSION_NAME = 'Yuhu 2026 baseline';
/** 2022-01-01T00:00+08:00, when the block reform's first boundary set took effect. */
export const BASELINE_EFFECTIVE_FROM = Date.parse('2022-01-01T00:00:00+08:00');

export interface GeodataCounts {
  areas: number;
  buildings: number;
  blocks: number;
  roads: number;
  mapLayers: number;
}

/** Bounding box [minLon, minLat, maxLon, maxLat] of any GeoJSON geometry. */
export function geometryBbox(g: Geometry): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const visit = (p: Position): void => {
    if (p[0] < minX) minX = p[0];
    if (p[0] > maxX) maxX = p[0];
    if (p[1] < minY) minY = p[1];
    if (p[1] > maxY) maxY = p[1];
  };
  const walk = (g2: Geometry): void => {
    switch (g2.type) {
      case 'Point':
        visit(g2.coordinates);
        break;
      case 'MultiPoint':
      case 'LineString':
        g2.coordinates.forEach(visit);
        break;
      case 'MultiLineString':
      case 'Polygon':
        for (const r of g2.coordinates) r.forEach(visit);
        break;
      case 'MultiPolygon':
        for (const poly of g2.coordinates) for (const r of poly) r.forEach(visit);
        break;
      case 'GeometryCollection':
        g2.geometries.forEach(walk);
        break;
    }
  };
  walk(g);
  return [minX, minY, maxX, maxY];
}

/** Writes everything geographic in one transaction. `publishedAt` is the seed's clock. */
export function writeGeodata(db: Db, d: GeneratedDistrict, publishedAt: number): GeodataCounts {
  const insertArea = db.prepare(
    `INSERT INTO areas (code, level, parent_code, name, short_name, name_en, type, urban, center_lon, center_lat, geometry)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertVersion = db.prepare(
    'INSERT INTO boundary_versions (id, name, effective_from, published_at, note) VALUES (?, ?, ?, ?, ?)',
  );
  const insertBuilding = db.prepare(
    `INSERT INTO buildings (id, community_code, lon, lat, households, residents, floors, parcel) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertBlock = db.prepare(
    `INSERT INTO blocks (version_id, code, name, community_code, subdistrict_code, households, residents, area_m2,
       min_lon, min_lat, max_lon, max_lat, center_lon, center_lat, geometry)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertBlockBuilding = db.prepare('INSERT INTO block_buildings (version_id, building_id, block_code) VALUES (?, ?, ?)');
  const insertRoad = db.prepare('INSERT INTO roads (id, name, class, speed_kmh, oneway, geometry) VALUES (?, ?, ?, ?, ?, ?)');
  const insertLayer = db.prepare('INSERT INTO map_layers (name, source, geojson) VALUES (?, ?, ?)');

  const counts: GeodataCounts = { areas: 0, buildings: 0, blocks: 0, roads: 0, mapLayers: 0 };
  db.transaction(() => {
    const dist = d.district;
    insertArea.run(dist.code, 'district', null, dist.name, dist.name.replace(/区$/, ''), dist.nameEn, '区', 1,
      dist.center[0], dist.center[1], JSON.stringify(dist.geometry));
    counts.areas++;
    for (const s of d.subdistricts) {
      insertArea.run(s.code, 'subdistrict', dist.code, s.name, s.shortName, s.nameEn, s.type, s.urban ? 1 : 0,
        s.center[0], s.center[1], JSON.stringify(s.geometry));
      counts.areas++;
    }
    const urbanBySub = new Map(d.subdistricts.map((s) => [s.code, s.urban]));
    for (const c of d.communities) {
      insertArea.run(c.code, 'community', c.subdistrictCode, c.name, c.shortName, c.nameEn, c.type,
        urbanBySub.get(c.subdistrictCode) ? 1 : 0, c.center[0], c.center[1], JSON.stringify(c.geometry));
      counts.areas++;
    }

    insertVersion.run(BASELINE_VERSION_ID, BASELINE_VERSION_NAME, BASELINE_EFFECTIVE_FROM, publishedAt,
      'Block boundaries in force since the reform began (generated demo data).');

    for (const b of d.buildings) {
      insertBuilding.run(b.id, b.communityCode, b.lon, b.lat, b.households, b.residents, b.floors, JSON.stringify(b.parcel));
      counts.buildings++;
    }
    for (const bl of d.blocks) {
      const [minLon, minLat, maxLon, maxLat] = geometryBbox(bl.geometry);
      insertBlock.run(BASELINE_VERSION_ID, bl.code, bl.name, bl.communityCode, bl.subdistrictCode, bl.households,
        bl.residents, bl.areaM2, minLon, minLat, maxLon, maxLat, bl.center[0], bl.center[1], JSON.stringify(bl.geometry));
      counts.blocks++;
    }
    for (const b of d.buildings) insertBlockBuilding.run(BASELINE_VERSION_ID, b.id, b.blockCode);

    for (const r of d.roads) {
      insertRoad.run(r.id, r.name, r.class, r.speedKmh, r.oneway ? 1 : 0, JSON.stringify(r.geometry));
      counts.roads++;
    }

    const districtLayer = {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { code: dist.code, name: dist.name, nameEn: dist.nameEn }, geometry: dist.geometry }],
    };
    insertLayer.run('district', 'real', JSON.stringify(districtLayer));
    insertLayer.run('water', 'real', JSON.stringify(d.water));
    insertLayer.run('rivers', 'real', JSON.stringify(d.rivers));
    counts.mapLayers += 3;
  })();
  return counts;
}
