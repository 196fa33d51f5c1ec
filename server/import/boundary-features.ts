/**
 * Source features → checked polygons in WGS-84 with their code, name and people, or the reason each is skipped:
 *
 *   missing-geometry          the feature has no geometry
 *   not-a-polygon             a point or a line where an area is expected
 *   degenerate-geometry       nothing valid is left after the safe repairs (every ring has < 3 distinct vertices)
 *   coordinates-out-of-range  WGS-84 longitude/latitude out of range after conversion: the wrong coordinate system
 *   invalid-code              the code is not the level's 6 / 9 / 12 / 15 digits
 *
 * Safe repairs (geo/topology.ts) are noted per feature as 'repaired'.
 */
import type { Geometry, Position } from 'geojson';
import type { ToWgs84 } from '../geo/crs.ts';
import { REPAIR, repairAreal, type Areal } from '../geo/topology.ts';
import type { SourceFeature } from './geo-source.ts';
import type { ReportLine } from './report.ts';

export type BoundaryLevel = 'district' | 'subdistrict' | 'community' | 'block';

export const CODE_DIGITS: Record<BoundaryLevel, number> = { district: 6, subdistrict: 9, community: 12, block: 15 };
export const PARENT_LEVEL: Record<BoundaryLevel, Exclude<BoundaryLevel, 'block'> | null> = {
  district: null, subdistrict: 'district', community: 'subdistrict', block: 'community',
};

export interface FieldNames {
  code?: string;
  name?: string;
  nameEn?: string;
  residents?: string;
  households?: string;
}

export interface BoundaryFeature {
  row: number;
  /** null: the source gives none; it is derived from the containing parent area. */
  code: string | null;
  name: string;
  nameEn: string;
  residents: number;
  households: number;
  geometry: Areal;
  properties: Record<string, unknown>;
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trim());

/** Property lookup that forgives case and surrounding spaces in the field name (dBASE upper-cases names). */
export function property(props: Record<string, unknown>, name: string | undefined): unknown {
  if (!name) return undefined;
  if (name in props) return props[name];
  const want = name.trim().toLowerCase();
  const key = Object.keys(props).find((k) => k.trim().toLowerCase() === want);
  return key === undefined ? undefined : props[key];
}

function transform(g: Geometry, f: ToWgs84): Geometry {
  const ring = (r: Position[]) => r.map((p) => f(p[0], p[1]) as Position);
  if (g.type === 'Polygon') return { type: 'Polygon', coordinates: g.coordinates.map(ring) };
  if (g.type === 'MultiPolygon') return { type: 'MultiPolygon', coordinates: g.coordinates.map((p) => p.map(ring)) };
  return g;
}

function inRange(g: Areal): boolean {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const p of polys) for (const r of p) for (const [x, y] of r) if (!(x >= -180 && x <= 180 && y >= -90 && y <= 90)) return false;
  return true;
}

function count(v: unknown): number {
  const n = Number(str(v).replace(/,/g, ''));
  return Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
}

export function checkFeatures(
  features: readonly SourceFeature[],
  level: BoundaryLevel,
  fields: FieldNames,
  toWgs84: ToWgs84,
  report: ReportLine[],
  /** Shapefiles wind outer rings clockwise by definition: turning them is reading the format, not a repair. */
  clockwiseOuter = false,
): BoundaryFeature[] {
  const digits = CODE_DIGITS[level];
  const out: BoundaryFeature[] = [];
  for (const f of features) {
    const code = str(property(f.properties, fields.code));
    const skip = (reason: string, detail: string) => report.push({ row: f.row, key: code, outcome: 'skipped', reason, detail });
    if (!f.geometry) {
      skip('missing-geometry', 'the feature has no geometry');
      continue;
    }
    if (f.geometry.type !== 'Polygon' && f.geometry.type !== 'MultiPolygon') {
      skip('not-a-polygon', `a ${f.geometry.type} where a ${level} area is expected`);
      continue;
    }
    if (code !== '' && !new RegExp(`^\\d{${digits}}$`).test(code)) {
      skip('invalid-code', `"${code}" is not a ${digits}-digit ${level} code`);
      continue;
    }
    const { geometry, repairs } = repairAreal(transform(f.geometry, toWgs84));
    if (!geometry) {
      skip('degenerate-geometry', 'no ring with three distinct vertices');
      continue;
    }
    if (!inRange(geometry)) {
      skip('coordinates-out-of-range', 'longitude/latitude out of range after conversion to WGS-84: is the coordinate system right?');
      continue;
    }
    for (const r of repairs) if (!(clockwiseOuter && r === REPAIR.rewound)) report.push({ row: f.row, key: code, outcome: 'repaired', reason: r, detail: 'repaired on import' });
    out.push({
      row: f.row,
      code: code === '' ? null : code,
      name: str(property(f.properties, fields.name)),
      nameEn: str(property(f.properties, fields.nameEn)),
      residents: count(property(f.properties, fields.residents)),
      households: count(property(f.properties, fields.households)),
      geometry,
      properties: f.properties,
    });
  }
  return out;
}
