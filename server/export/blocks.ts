/**
 * Blocks of a boundary version as GeoJSON (RFC 7946, WGS-84) or a zipped Shapefile (WGS-84 .prj, UTF-8 .dbf with a
 * .cpg). The attribute names are those `import boundaries` reads back (BLOCK_EXPORT_FIELDS), so export → import
 * reproduces the blocks, their names, people and the area tree's names.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import { zippedShapefile, type FieldSpec } from './shapefile.ts';

export const BLOCK_EXPORT_FORMATS = ['geojson', 'shapefile'] as const;
export type BlockExportFormat = (typeof BLOCK_EXPORT_FORMATS)[number];

export interface ExportBlock {
  code: string;
  name: string;
  community_code: string;
  community_name: string;
  subdistrict_code: string;
  subdistrict_name: string;
  residents: number;
  households: number;
  geometry: string;
}

/** dBASE field names are at most 10 bytes: these fit, and the import options name them. */
export const BLOCK_EXPORT_FIELDS = {
  code: 'code', name: 'name', community: 'community', communityName: 'comm_name', subdistrict: 'subdist',
  subdistrictName: 'sub_name', district: 'district', districtName: 'dist_name', residents: 'residents', households: 'households',
} as const;

const FIELDS: FieldSpec[] = [
  { name: 'code', type: 'C' }, { name: 'name', type: 'C' }, { name: 'community', type: 'C' }, { name: 'comm_name', type: 'C' },
  { name: 'subdist', type: 'C' }, { name: 'sub_name', type: 'C' }, { name: 'district', type: 'C' }, { name: 'dist_name', type: 'C' },
  { name: 'residents', type: 'N' }, { name: 'households', type: 'N' },
];

function properties(b: ExportBlock, district: { code: string; name: string }) {
  const f = BLOCK_EXPORT_FIELDS;
  return {
    [f.code]: b.code, [f.name]: b.name, [f.community]: b.community_code, [f.communityName]: b.community_name,
    [f.subdistrict]: b.subdistrict_code, [f.subdistrictName]: b.subdistrict_name, [f.district]: district.code,
    [f.districtName]: district.name, [f.residents]: b.residents, [f.households]: b.households,
  };
}

export function blocksGeoJson(blocks: readonly ExportBlock[], district: { code: string; name: string }): string {
  const features = blocks.map((b) => `{"type":"Feature","properties":${JSON.stringify(properties(b, district))},"geometry":${b.geometry}}`);
  return `{"type":"FeatureCollection","features":[\n${features.join(',\n')}\n]}\n`;
}

export function blocksShapefile(blocks: readonly ExportBlock[], district: { code: string; name: string }): Uint8Array {
  return zippedShapefile('blocks', blocks.map((b) => ({
    geometry: JSON.parse(b.geometry) as Polygon | MultiPolygon,
    properties: properties(b, district),
  })), { fields: FIELDS });
}
