import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { LonLat } from './types.ts';

/** The real geodata the generator starts from (WGS-84, prepared by scripts/prepare-geodata.ts). */
export interface RealGeodata {
  district: MultiPolygon;
  seat: LonLat;
  water: FeatureCollection<Polygon | MultiPolygon>;
  rivers: FeatureCollection;
  neighbours: FeatureCollection;
  townships: Array<{ code: string; name: string; shortName: string; pinyin: string; type: '街道' | '镇' | '乡' }>;
}

const GEODATA_DIR = fileURLToPath(new URL('../../../geodata/', import.meta.url));

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(GEODATA_DIR + name, 'utf8')) as T;
}

export function loadRealGeodata(): RealGeodata {
  const district = readJson<FeatureCollection<MultiPolygon>>('yuhu-district.geojson').features[0];
  return {
    district: district.geometry,
    seat: district.properties!.seat as LonLat,
    water: readJson('xiang-water.geojson'),
    rivers: readJson('xiang-rivers.geojson'),
    neighbours: readJson('xiangtan-districts.geojson'),
    townships: readJson<{ units: RealGeodata['townships'] }>('townships.json').units,
  };
}
