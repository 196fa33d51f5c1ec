import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Feature, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { BLOCK_EXPORT_FIELDS } from '../../server/export/blocks.ts';
import { areaM2, type Areal } from '../../server/geo/topology.ts';
import { boundaryFilesAt, importBoundaries, type BoundaryImportOptions } from '../../server/import/boundaries.ts';
import { SourceFormatError } from '../../server/import/geo-source.ts';
import { signedIn } from '../helpers/signed-in.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'boundaries');
const NOW = Date.parse('2026-11-25T10:00:00+08:00');

const freshDb = (): Db => openDatabase(join(mkdtempSync(join(tmpdir(), 'gezhi-boundaries-')), 'import.db'));
const fixture = (name: string) => boundaryFilesAt(join(FIXTURES, name));

const SHAPEFILE: BoundaryImportOptions = {
  level: 'block',
  fields: { code: '区块编码', name: '区块名称', residents: '人口', households: '户数' },
  parentNameFields: { community: '社区', subdistrict: '街道' },
  districtName: '岳塘区',
  now: NOW,
};

const count = (db: Db, table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const tableCounts = (db: Db) =>
  Object.fromEntries(['areas', 'boundary_versions', 'blocks', 'buildings', 'block_buildings', 'units', 'categories', 'meta'].map((t) => [t, count(db, t)]));

describe('boundaries import: Shapefile in a projected CRS with GBK attributes', () => {
  it('reads the .prj (CGCS2000 Gauss-Kruger CM 114E) and the GBK .dbf without a .cpg, derives the area tree, parcels and units', async () => {
    const db = freshDb();
    const dir = mkdtempSync(join(tmpdir(), 'gezhi-shp-'));
    const file = join(dir, 'blocks.zip');
    copyFileSync(join(FIXTURES, 'yuetang-blocks-4547-gbk.zip'), file);
    const s = await importBoundaries(db, boundaryFilesAt(file), { ...SHAPEFILE, reportFile: `${file}.report.csv` });
    expect(s).toMatchObject({ format: 'shapefile', encoding: 'gbk', read: 35, imported: 35, skipped: 0, overlaps: 0, gaps: 0, versionId: 1 });
    expect(s.crs).toMatch(/^PROJCS\["CGCS2000_3_Degree_GK_CM_114E"/);

    // The same blocks as WGS-84 TopoJSON: the projected coordinates came back to within a centimetre or so.
    const other = freshDb();
    await importBoundaries(other, fixture('yuetang-blocks.topojson'), { level: 'block', fields: { code: 'code', name: 'name' }, now: NOW });
    const centres = (d: Db) => d.prepare(`SELECT code, name, min_lon, min_lat, max_lon, max_lat FROM blocks ORDER BY code`).all() as { code: string; name: string; min_lon: number; min_lat: number; max_lon: number; max_lat: number }[];
    const a = centres(db);
    const b = centres(other);
    expect(a.map((r) => r.code)).toEqual(b.map((r) => r.code));
    for (let i = 0; i < a.length; i++) {
      expect(a[i].name).toBe(b[i].name);
      for (const k of ['min_lon', 'min_lat', 'max_lon', 'max_lat'] as const) expect(Math.abs(a[i][k] - b[i][k])).toBeLessThan(2e-6);
    }
    expect(a[0].name).toBe('双马社区第1区块');

    const areas = db.prepare(`SELECT code, level, parent_code, name, type FROM areas ORDER BY code`).all() as { code: string; level: string; parent_code: string; name: string; type: string }[];
    expect(areas[0]).toMatchObject({ code: '430304', level: 'district', name: '岳塘区' });
    expect(areas.filter((r) => r.level === 'subdistrict').map((r) => r.name)).toEqual(['书院路街道', '建设路街道']);
    expect(areas.filter((r) => r.level === 'community')).toHaveLength(12);
    expect(areas.every((r) => r.level === 'district' || r.code.startsWith(r.parent_code))).toBe(true);

    // Parcels tile each block exactly and carry its people.
    const blocks = db.prepare(`SELECT code, geometry, residents, households, area_m2 FROM blocks`).all() as { code: string; geometry: string; residents: number; households: number; area_m2: number }[];
    for (const bl of blocks) {
      const parcels = db.prepare(
        `SELECT bd.parcel, bd.residents, bd.households FROM block_buildings bb JOIN buildings bd ON bd.id = bb.building_id WHERE bb.version_id = 1 AND bb.block_code = ?`,
      ).all(bl.code) as { parcel: string; residents: number; households: number }[];
      expect(parcels.length).toBeGreaterThan(0);
      expect(parcels.reduce((n, p) => n + p.residents, 0)).toBe(bl.residents);
      expect(parcels.reduce((n, p) => n + p.households, 0)).toBe(bl.households);
      const sum = parcels.reduce((n, p) => n + areaM2(JSON.parse(p.parcel) as Areal), 0);
      expect(Math.abs(sum - bl.area_m2) / bl.area_m2).toBeLessThan(1e-3);
    }
    // Each subdistrict has its 4 centres and the department postings; the taxonomy is there; not the demo.
    expect(count(db, 'units')).toBeGreaterThanOrEqual(2 * 4);
    expect(count(db, 'categories')).toBeGreaterThan(50);
    expect(db.prepare(`SELECT value FROM meta WHERE key = 'demo'`).get()).toBeUndefined();

    const report = readFileSync(`${file}.report.csv`);
    expect([...report.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(report.toString('utf8')).toContain(',,total,imported,35');

    // Idempotent: the same file again changes nothing.
    const before = tableCounts(db);
    const again = await importBoundaries(db, boundaryFilesAt(file), { ...SHAPEFILE, now: NOW + 60_000 });
    expect(again).toMatchObject({ unchanged: true, versionId: null });
    expect(tableCounts(db)).toEqual(before);
    db.close();
    other.close();
  });

  it('an explicit encoding (gb18030, a superset of GBK) is used instead of sniffing', async () => {
    const db = freshDb();
    const s = await importBoundaries(db, fixture('yuetang-blocks-4547-gbk.zip'), { ...SHAPEFILE, encoding: 'gb18030' });
    expect(s.encoding).toBe('gb18030');
    expect((db.prepare(`SELECT name FROM blocks ORDER BY code LIMIT 1`).get() as { name: string }).name).toBe('双马社区第1区块');
    db.close();
  });
});

describe('boundaries import: buildings given with the blocks', () => {
  it("cuts each block with buildings into their Voronoi cells (tiling it), takes their people, reports the buildings it cannot place", async () => {
    const source = freshDb();
    await importBoundaries(source, fixture('yuetang-blocks.topojson'), { level: 'block', fields: { code: 'code', name: 'name' }, now: NOW });
    const codes = ['430304001001001', '430304001002001', '430304002001001'];
    const points = source.prepare(
      `SELECT bb.block_code AS code, bd.lon, bd.lat FROM block_buildings bb JOIN buildings bd ON bd.id = bb.building_id WHERE bb.block_code IN (${codes.map(() => '?').join(',')}) ORDER BY bd.id`,
    ).all(...codes) as { code: string; lon: number; lat: number }[];
    source.close();
    const chosen = codes.flatMap((c) => points.filter((p) => p.code === c).slice(0, 5));
    const features = [
      ...chosen.map((p, i) => ({ type: 'Feature', properties: { 人口: 100 + i, 户数: 40 + i }, geometry: { type: 'Point', coordinates: [p.lon, p.lat] } })),
      { type: 'Feature', properties: { 人口: 5 }, geometry: { type: 'Point', coordinates: [112.5, 27.5] } },
      { type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[113, 27.9], [113.01, 27.9]] } },
    ];
    const db = freshDb();
    const buildings = { files: [{ name: 'buildings.geojson', bytes: new TextEncoder().encode(JSON.stringify({ type: 'FeatureCollection', features })) }], fields: { residents: '人口', households: '户数' } };
    const options: BoundaryImportOptions = { level: 'block', fields: { code: 'code', name: 'name' }, buildings, now: NOW };
    const s = await importBoundaries(db, fixture('yuetang-blocks.topojson'), options);
    expect(s.buildingsPlaced).toBe(15);
    expect(s.lines.filter((l) => l.reason.startsWith('building-')).map((l) => [l.row, l.reason])).toEqual([[16, 'building-outside-blocks'], [17, 'building-not-a-place']]);
    for (const code of codes) {
      const block = db.prepare(`SELECT residents, households, area_m2 FROM blocks WHERE code = ?`).get(code) as { residents: number; households: number; area_m2: number };
      const parcels = db.prepare(`SELECT bd.parcel, bd.residents, bd.households FROM block_buildings bb JOIN buildings bd ON bd.id = bb.building_id WHERE bb.block_code = ?`).all(code) as { parcel: string; residents: number; households: number }[];
      expect(parcels).toHaveLength(5);
      expect(parcels.reduce((n, p) => n + p.residents, 0)).toBe(block.residents);
      expect(block.residents).toBeGreaterThan(500);
      const sum = parcels.reduce((n, p) => n + areaM2(JSON.parse(p.parcel) as Areal), 0);
      expect(Math.abs(sum - block.area_m2) / block.area_m2).toBeLessThan(1e-3);
    }
    const again = await importBoundaries(db, fixture('yuetang-blocks.topojson'), { ...options, now: NOW + 1000 });
    expect(again.unchanged).toBe(true);
    db.close();
  });
});

describe('boundaries import: GCJ-02 GeoJSON and TopoJSON', () => {
  it('converts GCJ-02 communities to WGS-84 (within a few metres of the WGS-84 source)', async () => {
    const db = freshDb();
    const s = await importBoundaries(db, fixture('yuetang-communities-gcj02.geojson'), {
      level: 'community', crs: 'GCJ02', fields: { code: 'code', name: 'name' }, parentNameFields: { subdistrict: 'subdistrict' }, districtName: '岳塘区', now: NOW,
    });
    expect(s).toMatchObject({ read: 12, imported: 12, skipped: 0, areas: { inserted: 15 } });
    const wgs = freshDb();
    await importBoundaries(wgs, fixture('yuetang-blocks.topojson'), { level: 'block', fields: { code: 'code' }, now: NOW });
    // The WGS-84 blocks' union per community, against the converted community: same extent to ~1 m.
    const bbox = (g: Areal) => {
      const pts = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates).flatMap((p) => p[0]);
      return [Math.min(...pts.map((p) => p[0])), Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[1]))];
    };
    const communities = db.prepare(`SELECT code, geometry FROM areas WHERE level = 'community' ORDER BY code`).all() as { code: string; geometry: string }[];
    for (const c of communities) {
      const mine = wgs.prepare(`SELECT min(min_lon) a, min(min_lat) b, max(max_lon) c, max(max_lat) d FROM blocks WHERE community_code = ?`).get(c.code) as { a: number; b: number; c: number; d: number };
      const got = bbox(JSON.parse(c.geometry) as Areal);
      [mine.a, mine.b, mine.c, mine.d].forEach((v, i) => expect(Math.abs(v - got[i])).toBeLessThan(2e-5));
    }
    // The raw GCJ-02 coordinates are ~500 m off: not what was stored.
    const raw = JSON.parse(readFileSync(join(FIXTURES, 'yuetang-communities-gcj02.geojson'), 'utf8')).features[0].geometry.coordinates[0][0][0];
    const stored = bbox(JSON.parse(communities[0].geometry) as Areal);
    expect(Math.abs(raw[0] - stored[0])).toBeGreaterThan(0.003);
    db.close();
    wgs.close();
  });
});

describe('boundaries import: messy geometry and codes, topology report', () => {
  it('repairs what is safe, skips what is not, reports overlaps and gaps with rows', async () => {
    const db = freshDb();
    const s = await importBoundaries(db, fixture('messy-blocks.geojson'), { level: 'block', fields: { code: 'code', name: 'name' }, now: NOW });
    const by = (reason: string) => s.lines.filter((l) => l.reason === reason).map((l) => l.row);
    expect(by('ring-closed')).toEqual([2]);
    expect(by('duplicate-vertices-removed')).toEqual([3]);
    expect(by('self-intersection-resolved')).toEqual([4]);
    expect(by('ring-rewound')).toEqual([5]);
    expect(by('degenerate-geometry')).toEqual([7]);
    expect(by('not-a-polygon')).toEqual([8]);
    expect(by('invalid-code')).toEqual([9]);
    expect(by('duplicate-code')).toEqual([10]);
    expect(by('missing-code')).toEqual([15]);
    const overlaps = s.lines.filter((l) => l.reason === 'overlap');
    expect(overlaps.map((l) => [l.key, l.detail.slice(0, 24)])).toEqual([['430399001001005', 'overlaps 430399001001006']]);
    // The square the four "环" blocks enclose (≈ 200 m × 220 m) is a gap.
    expect(s.lines.some((l) => l.reason === 'gap' && /^4[34]\d{3} m²/.test(l.detail))).toBe(true);
    expect(s.imported).toBe(10);
    // Stored geometry is valid: the bow tie became two triangles, the clockwise ring counter-clockwise.
    const bow = JSON.parse((db.prepare(`SELECT geometry FROM blocks WHERE code = '430399001001004'`).get() as { geometry: string }).geometry);
    expect(bow.type).toBe('MultiPolygon');
    expect(bow.coordinates).toHaveLength(2);
    db.close();
  });

  it('a block without a code takes one from the community that contains it (next in its sequence)', async () => {
    const db = freshDb();
    const community: Feature<Polygon> = { type: 'Feature', properties: { code: '430399001001', name: '试验社区' }, geometry: { type: 'Polygon', coordinates: [[[112.899, 27.859], [112.912, 27.859], [112.912, 27.872], [112.899, 27.872], [112.899, 27.859]]] } };
    const dir = mkdtempSync(join(tmpdir(), 'gezhi-comm-'));
    writeFileSync(join(dir, 'c.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [community] }));
    await importBoundaries(db, boundaryFilesAt(join(dir, 'c.geojson')), { level: 'community', fields: { code: 'code', name: 'name' }, now: NOW });
    const s = await importBoundaries(db, fixture('messy-blocks.geojson'), { level: 'block', fields: { code: 'code', name: 'name' }, now: NOW });
    expect(s.lines.find((l) => l.row === 15)).toMatchObject({ outcome: 'note', reason: 'code-derived', key: '430399001001013' });
    expect(db.prepare(`SELECT name FROM blocks WHERE code = '430399001001013'`).get()).toEqual({ name: '无编码' });
    db.close();
  });

  it('a failure part-way (a write refused inside the transaction) leaves the database as it was', async () => {
    const db = freshDb();
    await importBoundaries(db, fixture('yuetang-blocks.topojson'), { level: 'block', fields: { code: 'code', name: 'name' }, now: NOW });
    const before = tableCounts(db);
    // Changed people force a new version; the 20th parcel written fails.
    db.exec(`CREATE TEMP TRIGGER fail_parcels BEFORE INSERT ON buildings WHEN (SELECT count(*) FROM buildings) >= ${before.buildings + 20}
             BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    await expect(importBoundaries(db, fixture('yuetang-blocks.topojson'), { level: 'block', fields: { code: 'code', name: 'name', residents: 'residents' }, now: NOW })).rejects.toThrow(/disk full/);
    expect(tableCounts(db)).toEqual(before);
    db.close();
  });

  it('unreadable files and unknown coordinate systems are clear errors', async () => {
    const db = freshDb();
    await expect(importBoundaries(db, [{ name: 'x.zip', bytes: new Uint8Array([1, 2, 3]) }], { level: 'block', fields: {} })).rejects.toBeInstanceOf(SourceFormatError);
    await expect(importBoundaries(db, fixture('yuetang-blocks.topojson'), { level: 'block', fields: { code: 'code' }, crs: 'EPSG:2000' })).rejects.toThrow(/EPSG:2000 is not built in/);
    expect(count(db, 'areas')).toBe(0);
    db.close();
  });
});

describe('blocks export (GeoJSON, Shapefile) and the round trip export → import', () => {
  it('exports reproduce the same blocks, names, people and area names when imported into an empty database', async () => {
    const db = freshDb();
    await importBoundaries(db, fixture('yuetang-blocks-4547-gbk.zip'), SHAPEFILE);
    const app = signedIn({ app: createApp({ db, now: () => NOW }), db }, 'admin');
    const shp = await app('/api/export/blocks?format=shapefile');
    expect(shp.status).toBe(200);
    expect(shp.headers.get('content-type')).toBe('application/zip');
    const zip = new Uint8Array(await shp.arrayBuffer());
    expect(Object.keys(unzipSync(zip)).sort()).toEqual(['blocks.cpg', 'blocks.dbf', 'blocks.prj', 'blocks.shp', 'blocks.shx']);
    const geo = await app('/api/export/blocks?format=geojson');
    expect(geo.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const geoText = await geo.text();
    expect(JSON.parse(geoText).features).toHaveLength(35);

    const f = BLOCK_EXPORT_FIELDS;
    const back: BoundaryImportOptions = {
      level: 'block', fields: { code: f.code, name: f.name, residents: f.residents, households: f.households },
      parentNameFields: { community: f.communityName, subdistrict: f.subdistrictName, district: f.districtName }, now: NOW,
    };
    const rows = (d: Db) => ({
      blocks: d.prepare(`SELECT code, name, community_code, subdistrict_code, residents, households, geometry FROM blocks ORDER BY code`).all(),
      areas: d.prepare(`SELECT code, level, parent_code, name, type FROM areas ORDER BY code`).all(),
    });
    for (const [name, bytes] of [['blocks.zip', zip], ['blocks.geojson', new TextEncoder().encode(geoText)]] as const) {
      const other = freshDb();
      const s = await importBoundaries(other, [{ name, bytes }], back);
      expect(s).toMatchObject({ imported: 35, skipped: 0 });
      expect(s.encoding).toBe(name.endsWith('.zip') ? 'utf-8' : null);
      expect(rows(other)).toEqual(rows(db));
      other.close();
    }
    // And into the database it came from: nothing changes.
    const again = await importBoundaries(db, [{ name: 'blocks.zip', bytes: zip }], back);
    expect(again.unchanged).toBe(true);
    db.close();
  });

  it('a bad format is a 400 problem naming the parameter', async () => {
    const db = freshDb();
    const app = signedIn({ app: createApp({ db, now: () => NOW }), db }, 'admin');
    const res = await app('/api/export/blocks?format=kml');
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].name).toBe('format');
    expect((await app('/api/export/blocks?format=geojson')).status).toBe(404);
    db.close();
  });
});
