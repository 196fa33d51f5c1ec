/**
 * Boundaries import: a district's own areas (district, subdistricts, communities) or blocks from GeoJSON, TopoJSON
 * or a Shapefile, in any coordinate system crs.ts knows, into the database.
 *
 * The hierarchy comes from the codes (a 15-digit block code names its community, subdistrict and district) or, for
 * features without a code, from containment: the feature lies in an area of the level above already in the
 * database, and gets that area's code plus a 3-digit sequence numbered west→east, north→south (CJ/T 213). Areas
 * above the imported level that the database lacks are derived as the union of their children, named from the
 * given name fields.
 *
 * Blocks become a new boundary version (the first one takes effect at the epoch, so every imported case finds it);
 * blocks that keep their code keep their 1+N+1 team. Each new or changed block gets building parcels cut from it
 * (geo/parcels.ts) so planning works on it. Overlaps and gaps are reported, not changed (geo/topology.ts).
 *
 * One transaction; importing the same file again changes nothing (areas compare field by field, a block set by a
 * hash of its content).
 */
import { booleanPointInPolygon } from '@turf/turf';
import Flatbush from 'flatbush';
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import type { Geometry } from 'geojson';
import { importBoundaryCommands, type AreaInput, type AreaLevel, type BlockInput } from '../db/commands/import-boundaries.ts';
import type { Db } from '../db/database.ts';
import { crsConverter } from '../geo/crs.ts';
import { generateParcels, interiorPoint, voronoiParcels, type BuildingPoint } from '../geo/parcels.ts';
import { areaM2, findGaps, findOverlaps, unionOf, type Areal } from '../geo/topology.ts';
import { communityType, englishName, shortName, subdistrictType } from './area-names.ts';
import { checkFeatures, CODE_DIGITS, PARENT_LEVEL, property, type BoundaryFeature, type BoundaryLevel, type FieldNames } from './boundary-features.ts';
import { readBoundarySource } from './geo-source.ts';
import { countBy, writeReportFile, type ReportLine } from './report.ts';

export interface BoundaryImportOptions {
  level: BoundaryLevel;
  fields: FieldNames;
  /** Property of each feature naming its parent areas (derived parents take their names from here). */
  parentNameFields?: Partial<Record<AreaLevel, string>>;
  /** Name of the district when it is derived and no field names it. */
  districtName?: string;
  /** Coordinate system of the source (overrides the .prj / GeoJSON crs); default WGS-84. */
  crs?: string;
  encoding?: string;
  object?: string;
  /** When a new block version takes effect (default: the epoch for the first version, else now). */
  effectiveFrom?: number;
  versionName?: string;
  now?: number;
  /**
   * The blocks' buildings (points, or footprints whose inner point is taken), with their people: each block with
   * buildings is cut into their Voronoi cells (geo/parcels.ts) instead of grid parcels, and its residents and
   * households are their sums unless the block's own fields give them. Coordinates in `crs`, else the file's own,
   * else the blocks' system.
   */
  buildings?: { files: { name: string; bytes: Uint8Array }[]; fields: { residents?: string; households?: string }; crs?: string; encoding?: string };
  /** Report CSV; default none (the CLI writes it next to the input). */
  reportFile?: string | null;
}

export interface BoundaryImportSummary {
  level: BoundaryLevel;
  format: string;
  crs: string;
  encoding: string | null;
  read: number;
  imported: number;
  skipped: number;
  skippedBy: Record<string, number>;
  repairedBy: Record<string, number>;
  overlaps: number;
  gaps: number;
  areas: { inserted: number; updated: number; unchanged: number };
  /** The boundary version written (blocks), null when nothing changed or areas were imported. */
  versionId: number | null;
  unchanged: boolean;
  buildings: number;
  /** Buildings read from the buildings file and placed in a block. */
  buildingsPlaced: number;
  units: number;
  reportFile: string | null;
  lines: ReportLine[];
}

export class BoundaryImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BoundaryImportError';
  }
}

const round7 = (g: Geometry): string => JSON.stringify(g, (_k, v) => (typeof v === 'number' ? Math.round(v * 1e7) / 1e7 : v));

/** A file given by path: a .shp brings its .dbf, .prj, .cpg and .shx siblings. */
export function boundaryFilesAt(path: string): { name: string; bytes: Uint8Array }[] {
  const files = [{ name: path, bytes: readFileSync(path) }];
  if (path.toLowerCase().endsWith('.shp')) {
    for (const ext of ['dbf', 'prj', 'cpg', 'shx']) {
      for (const candidate of [path.slice(0, -3) + ext, path.slice(0, -3) + ext.toUpperCase()]) {
        if (existsSync(candidate)) {
          files.push({ name: candidate, bytes: readFileSync(candidate) });
          break;
        }
      }
    }
  }
  return files;
}

function contains(area: Areal, p: [number, number]): boolean {
  return booleanPointInPolygon(p, area);
}

export async function importBoundaries(db: Db, files: { name: string; bytes: Uint8Array }[], o: BoundaryImportOptions): Promise<BoundaryImportSummary> {
  const now = o.now ?? Date.now();
  const source = await readBoundarySource(files, { encoding: o.encoding, object: o.object });
  const crs = o.crs ?? source.declaredCrs ?? 'WGS84';
  let toWgs84;
  try {
    toWgs84 = crsConverter(crs);
  } catch (err) {
    throw new BoundaryImportError(err instanceof Error ? err.message : String(err));
  }
  const lines: ReportLine[] = [];
  const features = checkFeatures(source.features, o.level, o.fields, toWgs84, lines, source.format === 'shapefile');
  const cmd = importBoundaryCommands(db);
  const parentLevel = PARENT_LEVEL[o.level];
  const digits = CODE_DIGITS[o.level];

  // Codes by containment for features without one; then duplicates.
  const uncoded = features.filter((f) => f.code === null);
  if (uncoded.length > 0) {
    const parents = parentLevel ? cmd.areas(parentLevel).map((a) => ({ code: a.code, geometry: JSON.parse(a.geometry) as Areal })) : [];
    const nextSeq = new Map<string, number>();
    for (const f of features) {
      if (f.code === null) continue;
      const p = f.code.slice(0, CODE_DIGITS[parentLevel ?? 'district'] ?? 0);
      nextSeq.set(p, Math.max(nextSeq.get(p) ?? 0, Number(f.code.slice(-3))));
    }
    const located = uncoded.map((f) => ({ f, at: interiorPoint(f.geometry) }));
    located.sort((a, b) => b.at[1] - a.at[1] || a.at[0] - b.at[0]);
    for (const { f, at } of located) {
      const parent = parents.find((p) => contains(p.geometry, at));
      if (!parent) {
        lines.push({
          row: f.row, key: '', outcome: 'skipped', reason: parents.length ? 'outside-parents' : 'missing-code',
          detail: parents.length ? `no ${parentLevel} contains it: give its code` : `no code (field "${o.fields.code ?? ''}") and no ${parentLevel ?? 'parent'} areas to derive one from`,
        });
        continue;
      }
      const seq = (nextSeq.get(parent.code) ?? 0) + 1;
      nextSeq.set(parent.code, seq);
      f.code = parent.code + String(seq).padStart(digits - parent.code.length, '0');
      lines.push({ row: f.row, key: f.code, outcome: 'note', reason: 'code-derived', detail: `inside ${parentLevel} ${parent.code}` });
    }
  }
  const accepted: BoundaryFeature[] = [];
  const seen = new Set<string>();
  for (const f of features) {
    if (f.code === null) continue;
    if (seen.has(f.code)) {
      lines.push({ row: f.row, key: f.code, outcome: 'skipped', reason: 'duplicate-code', detail: `code ${f.code} appeared on an earlier feature` });
      continue;
    }
    seen.add(f.code);
    accepted.push(f);
  }
  accepted.sort((a, b) => (a.code! < b.code! ? -1 : 1));

  // Topology of the imported set: overlaps between its features, gaps inside it and against the district outline.
  for (const ov of findOverlaps(accepted.map((f) => f.geometry))) {
    const a = accepted[ov.a], b = accepted[ov.b];
    lines.push({ row: a.row, key: a.code!, outcome: 'topology', reason: 'overlap', detail: `overlaps ${b.code} (row ${b.row}) by ${ov.areaM2.toFixed(0)} m² near ${ov.at[0].toFixed(6)},${ov.at[1].toFixed(6)}` });
  }
  const union = unionOf(accepted.map((f) => f.geometry));
  const district = o.level === 'district' ? undefined : cmd.areas('district')[0];
  for (const g of findGaps(union, district ? (JSON.parse(district.geometry) as Areal) : null)) {
    lines.push({ row: 0, key: '', outcome: 'topology', reason: 'gap', detail: `${g.areaM2.toFixed(0)} m² covered by no ${o.level} near ${g.at[0].toFixed(6)},${g.at[1].toFixed(6)}` });
  }

  const placed = o.level === 'block' && o.buildings ? await placeBuildings(o.buildings, crs, accepted, lines) : null;

  const summary: BoundaryImportSummary = {
    level: o.level, format: source.format, crs, encoding: source.encoding, read: source.features.length, imported: 0,
    skipped: 0, skippedBy: {}, repairedBy: {}, overlaps: 0, gaps: 0, areas: { inserted: 0, updated: 0, unchanged: 0 },
    versionId: null, unchanged: true, buildings: 0, buildingsPlaced: 0, units: 0, reportFile: null, lines,
  };

  cmd.inTransaction(() => {
    const tally = (r: 'inserted' | 'updated' | 'unchanged') => {
      summary.areas[r]++;
      if (r !== 'unchanged') summary.unchanged = false;
    };
    // Ancestors the database lacks, derived bottom-up as unions of their children.
    const known = (code: string) => cmd.area(code) !== undefined;
    const derived: AreaInput[] = [];
    let children: { code: string; geometry: Areal; properties: Record<string, unknown> }[] = accepted.map((f) => ({ code: f.code!, geometry: f.geometry, properties: f.properties }));
    for (let level = parentLevel; level; level = PARENT_LEVEL[level]) {
      const n = CODE_DIGITS[level];
      const groups = new Map<string, typeof children>();
      for (const c of children) {
        const code = c.code.slice(0, n);
        if (!groups.has(code)) groups.set(code, []);
        groups.get(code)!.push(c);
      }
      const next: typeof children = [];
      for (const [code, members] of groups) {
        if (known(code)) continue;
        const geometry = unionOf(members.map((m) => m.geometry))!;
        const field = o.parentNameFields?.[level];
        const named = field ? members.map((m) => String(property(m.properties, field) ?? '').trim()).find((s) => s !== '') : undefined;
        const name = named ?? (level === 'district' && o.districtName ? o.districtName : code);
        derived.push(areaRow(level, code, name, '', geometry));
        lines.push({ row: 0, key: code, outcome: 'note', reason: `${level}-derived`, detail: `union of ${members.length} imported areas` });
        next.push({ code, geometry, properties: members[0].properties });
      }
      children = next;
    }
    // Parents before children (the tree's foreign keys).
    for (const a of derived.reverse()) tally(cmd.upsertArea(a));

    if (o.level === 'block') {
      const hash = createHash('sha256');
      for (const [i, f] of accepted.entries()) {
        hash.update(`${f.code}|${f.name}|${f.residents}|${f.households}|${round7(f.geometry)}\n`);
        for (const b of placed?.[i] ?? []) hash.update(`${b.lon},${b.lat},${b.residents},${b.households};`);
      }
      const digest = hash.digest('hex');
      const latest = cmd.latestVersion();
      if (accepted.length > 0 && latest?.hash !== digest) {
        const blocks: BlockInput[] = accepted.map((f, i) => {
          const community = cmd.area(f.code!.slice(0, 12));
          const mine = placed?.[i] ?? [];
          const residents = f.residents || mine.reduce((n, b) => n + b.residents, 0);
          const households = f.households || mine.reduce((n, b) => n + b.households, 0);
          const center = interiorPoint(f.geometry);
          const text = round7(f.geometry);
          const stored = JSON.parse(text) as Areal;
          return {
            code: f.code!, name: f.name || `${community?.name ?? f.code!.slice(0, 12)}第${Number(f.code!.slice(12))}区块`,
            community_code: f.code!.slice(0, 12), subdistrict_code: f.code!.slice(0, 9), residents, households,
            area_m2: areaM2(stored), center, geometry: stored, geometryText: text, keepPrevious: mine.length === 0,
            buildings: () => (mine.length ? voronoiParcels(stored, mine) : generateParcels(stored, residents, households)).map((p) => ({
              lon: p.lon, lat: p.lat, residents: p.residents, households: p.households, parcel: round7(p.parcel),
            })),
          };
        });
        const v = cmd.writeVersion({
          name: o.versionName ?? `Imported ${new Date(now).toISOString().slice(0, 10)}`,
          effectiveFrom: o.effectiveFrom ?? (latest ? now : 0),
          publishedAt: now,
          note: `imported ${source.format} (${accepted.length} blocks); sha256:${digest}`,
          blocks,
        });
        summary.versionId = v.id;
        summary.buildingsPlaced = placed ? placed.reduce((n, g) => n + g.length, 0) : 0;
        summary.buildings = v.buildings;
        summary.unchanged = false;
      }
    } else {
      for (const f of accepted) tally(cmd.upsertArea(areaRow(o.level, f.code!, f.name || f.code!, f.nameEn, f.geometry)));
    }
    summary.imported = accepted.length;
    for (const s of cmd.areas('subdistrict')) summary.units += cmd.ensureUnits({ code: s.code, name: s.name, name_en: cmd.area(s.code)!.name_en });
    if (cmd.ensureCategories() > 0) summary.unchanged = false;
    if (summary.units > 0) summary.unchanged = false;
    if (!summary.unchanged) cmd.setMeta('boundaries_imported_at', new Date(now).toISOString());
    // The area layers then say 'imported' (not the public outline, not generated).
    if (summary.areas.inserted + summary.areas.updated > 0) cmd.setMeta('areas_imported_at', new Date(now).toISOString());
  });

  summary.skippedBy = countBy(lines, 'skipped');
  summary.skipped = Object.values(summary.skippedBy).reduce((a, b) => a + b, 0);
  summary.repairedBy = countBy(lines, 'repaired');
  summary.overlaps = lines.filter((l) => l.reason === 'overlap').length;
  summary.gaps = lines.filter((l) => l.reason === 'gap').length;
  if (o.reportFile) {
    writeReportFile(o.reportFile, lines.sort((a, b) => a.row - b.row), {
      'features-read': summary.read, imported: summary.imported, skipped: summary.skipped, overlaps: summary.overlaps, gaps: summary.gaps,
      ...Object.fromEntries(Object.entries(summary.skippedBy).map(([k, n]) => [`skipped:${k}`, n])),
      ...Object.fromEntries(Object.entries(summary.repairedBy).map(([k, n]) => [`repaired:${k}`, n])),
    });
    summary.reportFile = o.reportFile;
  }
  return summary;
}

/** Reads the buildings file and puts each building in the accepted block that contains it (by index). */
async function placeBuildings(
  b: NonNullable<BoundaryImportOptions['buildings']>, blocksCrs: string, blocks: readonly BoundaryFeature[], lines: ReportLine[],
): Promise<BuildingPoint[][]> {
  const source = await readBoundarySource(b.files, { encoding: b.encoding });
  let toWgs84;
  try {
    toWgs84 = crsConverter(b.crs ?? source.declaredCrs ?? blocksCrs);
  } catch (err) {
    throw new BoundaryImportError(`buildings: ${err instanceof Error ? err.message : String(err)}`);
  }
  const index = new Flatbush(Math.max(1, blocks.length));
  for (const f of blocks) {
    const [x0, y0, x1, y1] = bboxOf(f.geometry);
    index.add(x0, y0, x1, y1);
  }
  if (blocks.length === 0) index.add(0, 0, 0, 0);
  index.finish();
  const groups: BuildingPoint[][] = blocks.map(() => []);
  const count = (v: unknown) => {
    const n = Number(String(v ?? '').replace(/,/g, ''));
    return Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
  };
  for (const f of source.features) {
    const g = f.geometry;
    let at: [number, number] | null = null;
    if (g?.type === 'Point') at = toWgs84(g.coordinates[0], g.coordinates[1]);
    else if (g?.type === 'Polygon' || g?.type === 'MultiPolygon') {
      const [x, y] = interiorPoint(g);
      at = toWgs84(x, y);
    }
    if (!at) {
      lines.push({ row: f.row, key: `building ${f.row}`, outcome: 'skipped', reason: 'building-not-a-place', detail: 'a building needs a point or a footprint' });
      continue;
    }
    const hit = index.search(at[0], at[1], at[0], at[1]).find((i) => i < blocks.length && booleanPointInPolygon(at!, blocks[i].geometry));
    if (hit === undefined) {
      lines.push({ row: f.row, key: `building ${f.row}`, outcome: 'skipped', reason: 'building-outside-blocks', detail: `(${at[0].toFixed(6)}, ${at[1].toFixed(6)}) lies in no imported block` });
      continue;
    }
    groups[hit].push({ lon: at[0], lat: at[1], residents: count(property(f.properties, b.fields.residents)), households: count(property(f.properties, b.fields.households)) });
  }
  return groups;
}

function bboxOf(g: Areal): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const poly of g.type === 'Polygon' ? [g.coordinates] : g.coordinates) for (const [x, y] of poly[0]) {
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return [x0, y0, x1, y1];
}

function areaRow(level: AreaLevel, code: string, name: string, nameEn: string, geometry: Areal): AreaInput {
  const text = round7(geometry);
  const [lon, lat] = interiorPoint(JSON.parse(text) as Areal);
  const type = level === 'district' ? '区' : level === 'subdistrict' ? subdistrictType(name) : communityType(name);
  return {
    code, level, parent_code: level === 'district' ? null : code.slice(0, CODE_DIGITS[PARENT_LEVEL[level]!]),
    name, short_name: shortName(name), name_en: englishName(level, code, nameEn), type,
    urban: type === '街道' || type === '社区' || type === '区' ? 1 : 0,
    center_lon: Math.round(lon * 1e7) / 1e7, center_lat: Math.round(lat * 1e7) / 1e7, geometry: text,
  };
}
