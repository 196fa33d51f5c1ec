/**
 * Turns the raw public geodata in geodata/raw/ into the WGS-84 files the generator and the basemap read.
 * Run it only when a raw file changes (`npx tsx scripts/prepare-geodata.ts`); its outputs are committed.
 *
 * DataV boundaries are GCJ-02 and are converted to WGS-84 with gcoord; the 1:4M river layers are already
 * ≈WGS-84/CGCS2000 and are only clipped to the map extent.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import gcoord from 'gcoord';
import bboxClip from '@turf/bbox-clip';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, LineString, MultiLineString, BBox } from 'geojson';

const RAW = 'geodata/raw';
const OUT = 'geodata';
/** Map extent: the district with a margin, so the river reads as a band around its edge. */
const EXTENT: BBox = [112.6, 27.74, 113.08, 28.12];

const read = <T>(name: string): T => JSON.parse(readFileSync(join(RAW, name), 'utf8')) as T;
const round = (v: number) => Math.round(v * 1e6) / 1e6;

function roundCoords(value: unknown): unknown {
  if (typeof value === 'number') return round(value);
  if (Array.isArray(value)) return value.map(roundCoords);
  return value;
}

function write(name: string, fc: FeatureCollection) {
  const text = JSON.stringify(fc, (k, v) => (k === 'coordinates' ? roundCoords(v) : v));
  writeFileSync(join(OUT, name), text + '\n');
  console.log(`${name}: ${fc.features.length} features, ${text.length} bytes`);
}

// District outline (real, GCJ-02 → WGS-84).
const yuhu = read<FeatureCollection<MultiPolygon>>('yuhu_430302_datav2022.geojson');
const yuhuWgs = gcoord.transform(yuhu as never, gcoord.GCJ02, gcoord.WGS84) as FeatureCollection<MultiPolygon>;
const [seatLon, seatLat] = gcoord.transform(yuhu.features[0].properties!.center as [number, number], gcoord.GCJ02, gcoord.WGS84);
write('yuhu-district.geojson', {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { code: '430302', name: '雨湖区', nameEn: 'Yuhu District', seat: [round(seatLon), round(seatLat)], source: 'DataV 2022 (GCJ-02 → WGS-84)' },
      geometry: yuhuWgs.features[0].geometry,
    },
  ],
});

// Neighbouring county-level units, for context on the basemap (real, GCJ-02 → WGS-84).
const districts = read<FeatureCollection<MultiPolygon>>('xiangtan_430300_districts_datav2022.geojson');
const neighbours = gcoord.transform(districts as never, gcoord.GCJ02, gcoord.WGS84) as FeatureCollection<MultiPolygon>;
write('xiangtan-districts.geojson', {
  type: 'FeatureCollection',
  features: neighbours.features
    .filter((f) => f.properties!.adcode !== 430302)
    .map((f) => ({ type: 'Feature', properties: { code: String(f.properties!.adcode), name: f.properties!.name }, geometry: f.geometry })),
});

// Xiang river water (real, 1:4M, ≈WGS-84): the double-line band minus islands, clipped to the map extent.
const areas = read<FeatureCollection<Polygon | MultiPolygon>>('xiangtan_rivers_1to4m_hyd2_areas.geojson');
const water: Feature[] = [];
for (const f of areas.features) {
  if (f.properties!.GBCODE !== 21012) continue;
  const clipped = bboxClip(f, EXTENT);
  // bboxClip leaves an empty part where a polygon of the band lies wholly outside the extent: drop it.
  if (clipped.geometry.type === 'MultiPolygon') clipped.geometry.coordinates = clipped.geometry.coordinates.filter((p) => p.length > 0 && p[0].length >= 4);
  water.push({ type: 'Feature', properties: { name: '湘江', nameEn: 'Xiang River', kind: 'river' }, geometry: clipped.geometry });
}
write('xiang-water.geojson', { type: 'FeatureCollection', features: water });

// River centre lines: the Xiang from 1:4M, the Lian (涟水) from GSHHG's minor-river level.
const lines = read<FeatureCollection<LineString | MultiLineString>>('xiangtan_rivers_1to4m_hyd2_lines.geojson');
const gshhg = read<FeatureCollection<LineString>>('xiangtan_rivers_gshhg_wdbii.geojson');
const rivers: Feature[] = [];
for (const f of lines.features) {
  const c = bboxClip(f, EXTENT);
  if (c.geometry.coordinates.length) rivers.push({ type: 'Feature', properties: { name: '湘江', nameEn: 'Xiang River', source: '1:4M hyd2' }, geometry: c.geometry });
}
for (const f of gshhg.features) {
  if (f.properties!.gshhg_river_level !== 4) continue;
  const c = bboxClip(f, EXTENT);
  if (c.geometry.coordinates.length) rivers.push({ type: 'Feature', properties: { name: '涟水', nameEn: 'Lian River', source: 'GSHHG WDBII' }, geometry: c.geometry });
}
write('xiang-rivers.geojson', { type: 'FeatureCollection', features: rivers });

// The 12 township-level units shown as Yuhu; 和平/九华/响水 belong to the Jiuhua zone (NBS 430373).
const list = read<{ units: Array<{ code: string; name: string; short_name: string; pinyin: string; type: string; note?: string }> }>('yuhu_430302_townships_list.json');
const units = list.units.filter((u) => !u.note).map((u) => ({ code: u.code, name: u.name, shortName: u.short_name, pinyin: u.pinyin, type: u.type }));
writeFileSync(join(OUT, 'townships.json'), JSON.stringify({ district: '430302', units }, null, 1) + '\n');
console.log(`townships.json: ${units.length} units`);
