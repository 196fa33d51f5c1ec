import { parse as parseCsv } from 'csv-parse/sync';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { TAXONOMY } from '../../server/contract/taxonomy.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { exportMapping } from '../../server/export/events.ts';
import { importEvents } from '../../server/import/events.ts';
import { parseMapping } from '../../server/import/mapping.ts';
import { seededCopy } from '../helpers/seeded.ts';
import { signedIn } from '../helpers/signed-in.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'import');
const NOW = Date.parse('2026-11-25T10:00:00+08:00');
const WINDOW = 'from=2026-11-01&to=2026-11-15';

const hotline = () => ({
  source: 'xt-12345',
  columns: {
    id: '工单号', category: '问题类型', created: '受理时间', due: '办结时限', closed: '办结时间', status: '状态',
    latitude: '纬度', longitude: '经度', department: '承办单位', text: '诉求内容',
  },
  timestampFormats: ['MM/DD/YYYY hh:mm:ss AM', 'ISO'],
  crs: 'GCJ02',
  categories: { 占道经营: TAXONOMY.categories[0].code },
  statuses: { 已办结: 'closed', 处理中: 'dispatched' },
  placeholderCoordinates: [[0, 0], [112.9, 27.85]],
});

const RECORD = `e.case_no, e.category_code, e.status, e.reported_at, e.due_at, e.closed_at, e.lon, e.lat, e.block_code, e.text`;
type Rec = { case_no: string; category_code: string; status: string; reported_at: number; due_at: number; closed_at: number | null; lon: number; lat: number; block_code: string; text: string };

describe('events export (CSV, GeoJSON, Open311) and the round trip export → import', () => {
  let db: Db;
  let app: ReturnType<typeof createApp>;
  let dir: string;

  beforeAll(async () => {
    db = openDatabase(seededCopy('import-export'));
    dir = mkdtempSync(join(tmpdir(), 'gezhi-export-'));
    await importEvents(db, join(FIXTURES, 'hotline-messy.csv'), parseMapping(hotline()), { reportFile: null });
    app = createApp({ db, now: () => NOW });
  });
  afterAll(() => db.close());

  const inWindow = () =>
    db.prepare(`SELECT ${RECORD} FROM events e WHERE reported_at >= ? AND reported_at < ? ORDER BY reported_at DESC, id DESC`)
      .all(Date.parse('2026-11-01T00:00:00+08:00'), Date.parse('2026-11-16T00:00:00+08:00')) as Rec[];

  it('CSV: a UTF-8 BOM, the filter\'s rows newest first, an imported case without a deadline has an empty due', async () => {
    const res = await signedIn({ app, db }, 'analyst')(`/api/export/events?format=csv&${WINDOW}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(Buffer.from(bytes), { bom: true, columns: true }) as Record<string, string>[];
    const expected = inWindow();
    expect(expected.length).toBeGreaterThan(4);
    expect(rows.map((r) => r.case_no)).toEqual(expected.map((e) => e.case_no));
    const a3 = rows.find((r) => r.source_id === 'A003')!;
    expect(a3).toMatchObject({ source: 'xt-12345', due: '' });
    const a1 = rows.find((r) => r.source_id === 'A001')!;
    expect(a1.text).toBe('摊贩占道, 影响通行\r\n居民称"每天早上"都有');
  });

  it('GeoJSON and Open311 carry the same rows', async () => {
    const geo = await (await signedIn({ app, db }, 'analyst')(`/api/export/events?format=geojson&${WINDOW}&limit=3`)).json();
    expect(geo.type).toBe('FeatureCollection');
    expect(geo.features).toHaveLength(3);
    const first = inWindow()[0];
    expect(geo.features[0]).toMatchObject({ type: 'Feature', id: first.case_no, geometry: { type: 'Point', coordinates: [first.lon, first.lat] } });
    const o311 = await (await signedIn({ app, db }, 'analyst')(`/api/export/events?format=open311&${WINDOW}&status=closed`)).json();
    expect(o311.length).toBeGreaterThan(0);
    expect(o311.every((r: { status: string }) => r.status === 'closed')).toBe(true);
    const a3 = o311.find((r: { service_request_id: string }) => r.service_request_id === 'xt-12345:A003');
    expect(a3).toMatchObject({ expected_datetime: null, agency_responsible: '' });
  });

  it('a bad format or filter is a 400 problem naming the parameter', async () => {
    for (const [q, name] of [['format=xlsx', 'format'], ['', 'format'], ['format=csv&from=yesterday', 'from'], ['format=csv&limit=0', 'limit']]) {
      const res = await signedIn({ app, db }, 'analyst')(`/api/export/events?${q}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect((await res.json()).errors[0].name).toBe(name);
    }
  });

  it('round trip: the exported CSV imported into another database reproduces the same records', async () => {
    const csv = await (await signedIn({ app, db }, 'analyst')(`/api/export/events?format=csv&${WINDOW}`)).text();
    const file = join(dir, 'export.csv');
    writeFileSync(file, csv);
    const other = openDatabase(seededCopy('import-export-rt'));
    try {
      const s = await importEvents(other, file, parseMapping(exportMapping('roundtrip')), { reportFile: null });
      const original = inWindow();
      expect(s).toMatchObject({ read: original.length, imported: original.length, skipped: 0 });
      const back = other.prepare(
        `SELECT ${RECORD}, s.source_id FROM events e JOIN event_sources s ON s.event_id = e.id WHERE s.source = 'roundtrip'`,
      ).all() as (Rec & { source_id: string })[];
      const byId = new Map(back.map((r) => [r.source_id, r]));
      for (const o of original) {
        const r = byId.get(o.case_no);
        expect(r, o.case_no).toBeDefined();
        const { case_no: _a, ...want } = o;
        const { case_no: _b, source_id: _c, ...got } = r!;
        expect({ case: o.case_no, ...got }).toEqual({ case: o.case_no, ...want });
      }
    } finally {
      other.close();
    }
  });
});
