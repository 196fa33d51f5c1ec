import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_DEADLINE } from '../../server/contract/deadline.ts';
import { TAXONOMY } from '../../server/contract/taxonomy.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { dueAtFor } from '../../server/domain/deadline.ts';
import { importEvents, loadMapping, type ImportSummary } from '../../server/import/events.ts';
import { MappingError, parseMapping } from '../../server/import/mapping.ts';
import { seededCopy } from '../helpers/seeded.ts';
import { mapping as benchMapping, writeSource } from '../../scripts/bench/import.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'import');
// A category of the taxonomy in force (its codes are the taxonomy's business, not this test's).
const CATEGORY = TAXONOMY.categories[0];

/** The hotline export's mapping, with the category map picked from the taxonomy. */
function hotlineMapping() {
  return {
    source: 'xt-12345',
    columns: {
      id: '工单号', category: '问题类型', created: '受理时间', due: '办结时限', closed: '办结时间', status: '状态',
      latitude: '纬度', longitude: '经度', department: '承办单位', text: '诉求内容',
    },
    timestampFormats: ['MM/DD/YYYY hh:mm:ss AM', 'ISO'],
    timeZone: 'Asia/Shanghai',
    crs: 'GCJ02',
    categories: { 占道经营: CATEGORY.code },
    statuses: { 已办结: 'closed', 处理中: 'dispatched' },
    placeholderCoordinates: [[0, 0], [112.9, 27.85]],
  };
}

interface EventOut {
  id: number;
  case_no: string;
  category_code: string;
  status: string;
  text: string;
  lon: number;
  lat: number;
  block_code: string;
  reported_at: number;
  filed_at: number | null;
  closed_at: number | null;
  due_at: number;
}

const count = (db: Db, table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const imported = (db: Db, source: string) =>
  db.prepare(
    `SELECT e.*, s.source_id, s.source_row, s.source_category, s.department FROM events e JOIN event_sources s ON s.event_id = e.id
      WHERE s.source = ? ORDER BY s.source_row`,
  ).all(source) as (EventOut & { source_id: string; source_row: number; source_category: string; department: string })[];

/** The report CSV as rows of fields. */
function readReport(file: string): string[][] {
  const text = readFileSync(file, 'utf8');
  expect(text.startsWith('\uFEFF')).toBe(true);
  return parseCsv(text, { bom: true }) as string[][];
}

describe('events import', () => {
  let dir: string;
  let dbFile: string;
  let db: Db;
  let summary: ImportSummary;
  let before: { events: number; log: number };

  beforeAll(async () => {
    dbFile = seededCopy('import-events');
    db = openDatabase(dbFile);
    dir = mkdtempSync(join(tmpdir(), 'gezhi-import-'));
    copyFileSync(join(FIXTURES, 'hotline-messy.csv'), join(dir, 'hotline.csv'));
    before = { events: count(db, 'events'), log: count(db, 'event_log') };
    summary = await importEvents(db, join(dir, 'hotline.csv'), parseMapping(hotlineMapping()), { now: Date.parse('2026-11-20T00:00:00Z') });
  });
  afterAll(() => db.close());

  it('reads every record (one row even when a quoted field holds a newline) and imports the good ones', () => {
    expect(summary.read).toBe(14);
    expect(summary.imported).toBe(4);
    expect(summary.skipped).toBe(10);
    expect(count(db, 'events')).toBe(before.events + 4);
    expect(count(db, 'event_log')).toBe(before.log + 4);
  });

  it('gives every skipped row its row number and reason, in the summary and the report CSV next to the input', () => {
    const report = readReport(join(dir, 'hotline.csv.report.csv'));
    expect(report[0]).toEqual(['row', 'source_id', 'outcome', 'reason', 'detail']);
    const skipped = report.filter((r) => r[2] === 'skipped').map((r) => [Number(r[0]), r[1], r[3]]);
    expect(skipped).toEqual([
      [5, 'A001', 'duplicate-id-in-file'],
      [6, 'A004', 'placeholder-coordinates'],
      [7, 'A005', 'outside-boundaries'],
      [8, 'A006', 'closed-before-created'],
      [9, 'A007', 'invalid-timestamp'],
      [11, 'A009', 'missing-coordinates'],
      [12, 'A010', 'unknown-status'],
      [13, '', 'missing-id'],
      [14, 'A011', 'placeholder-coordinates'],
      [15, 'A012', 'closed-without-time'],
    ]);
    const notes = report.filter((r) => r[2] === 'note').map((r) => [Number(r[0]), r[1], r[3]]);
    expect(notes).toEqual([
      [3, 'A002', 'due-computed'],
      [4, 'A003', 'unmapped-category'],
      [4, 'A003', 'no-deadline'],
    ]);
    const totals = Object.fromEntries(report.filter((r) => r[2] === 'total').map((r) => [r[3], Number(r[4])]));
    expect(totals).toMatchObject({ 'rows-read': 14, imported: 4, skipped: 10, 'skipped:placeholder-coordinates': 2 });
    expect(summary.skippedBy['placeholder-coordinates']).toBe(2);
  });

  it('keeps quoted text with commas, doubled quotes and an embedded CRLF intact', () => {
    const a1 = imported(db, 'xt-12345').find((e) => e.source_id === 'A001')!;
    expect(a1.text).toBe('摊贩占道, 影响通行\r\n居民称"每天早上"都有');
    expect(a1.department).toBe('城管执法');
  });

  it('reads 12-hour local times in the source zone and ISO times with their offset', () => {
    const rows = imported(db, 'xt-12345');
    const a1 = rows.find((e) => e.source_id === 'A001')!;
    expect(a1.reported_at).toBe(Date.parse('2026-11-03T09:15:00+08:00'));
    expect(a1.due_at).toBe(Date.parse('2026-11-05T17:30:00+08:00'));
    expect(a1.closed_at).toBe(Date.parse('2026-11-04T15:20:00+08:00'));
    expect(a1.status).toBe('closed');
    const a8 = rows.find((e) => e.source_id === 'A008')!;
    expect(a8.reported_at).toBe(Date.parse('2026-11-13T00:30:00Z'));
    expect(a8.status).toBe('dispatched');
    // Accepted cases were filed (立案) when they came in, so the review counts them as filed.
    expect(a1.filed_at).toBe(a1.reported_at);
    expect(a8.filed_at).toBe(a8.reported_at);
    for (const r of rows) expect(r.filed_at, r.source_id).toBe(r.status === 'reported' || r.status === 'rejected' ? null : r.reported_at);
  });

  it('converts GCJ-02 to WGS-84 and files each event under the block that contains it', () => {
    const a1 = imported(db, 'xt-12345').find((e) => e.source_id === 'A001')!;
    // The fixture holds the GCJ-02 spelling of a building of this block at (112.8818864, 27.8839206) WGS-84.
    expect(a1.lon).toBeCloseTo(112.8818864, 4);
    expect(a1.lat).toBeCloseTo(27.8839206, 4);
    expect(a1.block_code).toBe('430302001001001');
  });

  it('computes a missing due time from the taxonomy deadline on the working-time calendar', () => {
    const a2 = imported(db, 'xt-12345').find((e) => e.source_id === 'A002')!;
    expect(a2.category_code).toBe(CATEGORY.code);
    expect(a2.due_at).toBe(dueAtFor(CATEGORY, Date.parse('2026-11-10T14:00:00+08:00')));
  });

  it('keeps an unknown category under the unmapped category with its source text, with no deadline', () => {
    const a3 = imported(db, 'xt-12345').find((e) => e.source_id === 'A003')!;
    expect(a3.source_category).toBe('井盖松动(旧分类)');
    expect(TAXONOMY.byCode.has(a3.category_code)).toBe(false);
    const cat = db.prepare(`SELECT name, name_en FROM categories WHERE code = ?`).get(a3.category_code);
    expect(cat).toEqual({ name: '未映射', name_en: 'Unmapped' });
    expect(a3.due_at).toBe(NO_DEADLINE);
  });

  it('re-importing the same file changes nothing: every id is already there', async () => {
    const snapshot = () => ({ events: count(db, 'events'), log: count(db, 'event_log'), sources: count(db, 'event_sources'), categories: count(db, 'categories') });
    const was = snapshot();
    const again = await importEvents(db, join(dir, 'hotline.csv'), parseMapping(hotlineMapping()), { reportFile: null });
    expect(again.imported).toBe(0);
    expect(again.skippedBy['duplicate-id-in-database']).toBe(4);
    expect(snapshot()).toEqual(was);
  });

  it('a file that fails part-way leaves the database as it was', async () => {
    const broken = join(dir, 'broken.csv');
    const good = readFileSync(join(FIXTURES, 'hotline-messy.csv'), 'utf8').replaceAll('A00', 'B00');
    writeFileSync(broken, `${good}B999,占道经营,"unterminated quote,11/03/2026 09:15:00 AM\r\nB998,x"y,z\r\n`);
    const was = { events: count(db, 'events'), sources: count(db, 'event_sources') };
    await expect(importEvents(db, broken, parseMapping(hotlineMapping()), { batchSize: 1, reportFile: null })).rejects.toThrow();
    expect({ events: count(db, 'events'), sources: count(db, 'event_sources') }).toEqual(was);
  });

  it('a large import that fails at its last row leaves the rows and the dropped indexes as they were', async () => {
    // Big enough against the events stored that the import drops the secondary indexes after its first batch and
    // builds them again at the end.
    const stored = (db.prepare('SELECT max(id) AS m FROM events').get() as { m: number }).m;
    const rows = Math.ceil(stored * 0.6) + 100;
    const file = join(dir, 'large.csv');
    const points = db.prepare('SELECT lon, lat FROM buildings LIMIT 500').all() as { lon: number; lat: number }[];
    await writeSource(file, points, rows);
    const mapping = parseMapping({ ...benchMapping(), source: 'xt-large' });
    // The case number of the file's last row, stored without its source row: the import's last insert fails on it,
    // long after the indexes were dropped.
    const lastId = readFileSync(file, 'utf8').trimEnd().split('\r\n').pop()!.split(',')[0];
    db.prepare(`INSERT INTO events (case_no, kind, channel, category_code, priority, status, tier, text, lon, lat, version_id,
                 block_code, community_code, subdistrict_code, reported_at, due_at)
                SELECT ?, kind, channel, category_code, priority, status, tier, text, lon, lat, version_id,
                 block_code, community_code, subdistrict_code, reported_at, due_at FROM events WHERE id = ?`).run(`xt-large:${lastId}`, stored);
    const indexes = () => db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name`).all();
    const was = { events: count(db, 'events'), sources: count(db, 'event_sources'), log: count(db, 'event_log'), indexes: indexes() };
    await expect(importEvents(db, file, mapping, { reportFile: null, batchSize: 500 })).rejects.toThrow(/UNIQUE/);
    expect({ events: count(db, 'events'), sources: count(db, 'event_sources'), log: count(db, 'event_log'), indexes: indexes() }).toEqual(was);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.prepare(`DELETE FROM events WHERE case_no = ?`).run(`xt-large:${lastId}`);
    // Without the clash it goes in, and the indexes are back, each as it was defined.
    const s = await importEvents(db, file, mapping, { reportFile: null, batchSize: 500 });
    expect(s.imported).toBeGreaterThan(rows * 0.95);
    expect(indexes()).toEqual(was.indexes);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // References are not checked row by row during an import: they must hold by construction.
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('plans on a worker thread with the same outcome, row for row, as on the calling thread', async () => {
    const file = join(dir, 'threaded.csv');
    const points = db.prepare('SELECT lon, lat FROM buildings LIMIT 500').all() as { lon: number; lat: number }[];
    await writeSource(file, points, 3000);
    const run = (source: string, thread: boolean) =>
      importEvents(db, file, parseMapping({ ...benchMapping(), source }), { reportFile: `${file}.${source}.csv`, thread, batchSize: 400, now: 1 });
    const inline = await run('xt-inline', false);
    const threaded = await run('xt-threaded', true);
    expect(inline.threaded).toBe(false);
    expect(threaded.threaded).toBe(true);
    const figures = (s: ImportSummary) => ({ read: s.read, imported: s.imported, skipped: s.skipped, skippedBy: s.skippedBy, notesBy: s.notesBy });
    expect(figures(threaded)).toEqual(figures(inline));
    expect(inline.skipped).toBeGreaterThan(0);
    const strip = (rows: ReturnType<typeof imported>) => rows.map(({ id: _id, case_no: _c, ...rest }) => rest);
    expect(strip(imported(db, 'xt-threaded'))).toEqual(strip(imported(db, 'xt-inline')));
    expect(readFileSync(`${file}.xt-threaded.csv`, 'utf8')).toBe(readFileSync(`${file}.xt-inline.csv`, 'utf8'));
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('a file without a mapped column fails on either thread, before anything is written', async () => {
    const file = join(dir, 'no-column.csv');
    writeFileSync(file, '\uFEFF工单号,问题类型\r\nA1,占道经营\r\n');
    const was = count(db, 'events');
    for (const thread of [false, true]) {
      await expect(importEvents(db, file, parseMapping(hotlineMapping()), { reportFile: null, thread })).rejects.toMatchObject({
        name: 'SourceFormatError', message: expect.stringMatching(/no column for created → "受理时间"/),
      });
    }
    expect(count(db, 'events')).toBe(was);
  });

  it('reads JSON Lines with the same mapping', async () => {
    const file = join(dir, 'hotline.jsonl');
    copyFileSync(join(FIXTURES, 'hotline-messy.jsonl'), file);
    const s = await importEvents(db, file, parseMapping({ ...hotlineMapping(), source: 'xt-json' }), { reportFile: null });
    expect(s).toMatchObject({ read: 2, imported: 1, skippedBy: { 'closed-before-created': 1 } });
  });

  it('resolves local times across daylight-saving changes, reporting the repeated and the skipped hour', async () => {
    const file = join(dir, 'dst.csv');
    copyFileSync(join(FIXTURES, 'dst-new-york.csv'), file);
    const mapping = await loadMapping(join(FIXTURES, 'dst-new-york.mapping.json'));
    const s = await importEvents(db, file, mapping);
    expect(s).toMatchObject({ read: 4, imported: 3, skippedBy: { 'nonexistent-local-time': 1 } });
    const report = readReport(`${file}.report.csv`);
    expect(report.filter((r) => r[3] === 'nonexistent-local-time').map((r) => [r[0], r[1]])).toEqual([['2', 'D1']]);
    expect(report.filter((r) => r[3] === 'ambiguous-local-time').map((r) => [r[0], r[1]])).toEqual([['3', 'D2'], ['3', 'D2']]);
    const rows = imported(db, 'ny-dst');
    // 01:30 on the autumn change happens twice: the earlier (EDT, −4 h) is taken.
    expect(rows.find((r) => r.source_id === 'D2')!.reported_at).toBe(Date.parse('2026-11-01T05:30:00Z'));
    expect(rows.find((r) => r.source_id === 'D3')!.reported_at).toBe(Date.parse('2026-07-02T01:00:00Z'));
    // 03:30 just after the spring change is EDT.
    expect(rows.find((r) => r.source_id === 'D4')!.reported_at).toBe(Date.parse('2026-03-08T07:30:00Z'));
  });

  it('skips a row whose status is suspended, with its row number, and imports the rest', async () => {
    const file = join(dir, 'suspended.csv');
    const [header, ...lines] = readFileSync(join(FIXTURES, 'hotline-messy.csv'), 'utf8').split('\r\n');
    const a2 = lines.find((l) => l.startsWith('A002,'))!;
    writeFileSync(file, [header, a2.replace('A002', 'S1'), a2.replace('A002', 'S2').replace('处理中', 'suspended'), ''].join('\r\n'));
    const s = await importEvents(db, file, parseMapping({ ...hotlineMapping(), source: 'xt-suspended' }));
    expect(s).toMatchObject({ read: 2, imported: 1, skippedBy: { 'suspended-status': 1 } });
    const report = readReport(`${file}.report.csv`);
    expect(report.filter((r) => r[3] === 'suspended-status').map((r) => [r[0], r[1]])).toEqual([['3', 'S2']]);
    expect(imported(db, 'xt-suspended').map((e) => [e.source_id, e.status])).toEqual([['S1', 'dispatched']]);
  });

  it('refuses a mapping that maps a source status to suspended, saying what to map it to', () => {
    expect(() => parseMapping({ ...hotlineMapping(), statuses: { 挂账: 'suspended' } })).toThrow(/statuses\["挂账"\]: a suspended case \(挂账\) cannot be imported.*suspended from/);
  });

  it('refuses a mapping with every problem named', () => {
    const bad = { ...hotlineMapping(), timeZone: 'Mars/Olympus', crs: 'EPSG:1', categories: { x: 'nope' }, columns: { id: '工单号' } };
    try {
      parseMapping(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(MappingError);
      const text = (err as MappingError).problems.join('\n');
      expect(text).toMatch(/timeZone/);
      expect(text).toMatch(/EPSG:1 is not built in/);
      expect(text).toMatch(/categories\["x"\]/);
      expect(text).toMatch(/columns.created is required/);
    }
  });
});
