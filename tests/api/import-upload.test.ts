import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { signedIn, type Requester } from '../helpers/signed-in.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'boundaries');
const NOW = Date.parse('2026-11-25T10:00:00+08:00');

let db: Db;
let app: ReturnType<typeof createApp>;
let admin: Requester;

const form = (files: [string, Uint8Array | string][], fields: Record<string, string> = {}) => {
  const f = new FormData();
  for (const [name, bytes] of files) f.append('file', new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)]), name);
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
};
const post = (kind: string, body: FormData) => admin(`/api/import/${kind}`, { method: 'POST', body });

beforeAll(() => {
  db = openDatabase(join(mkdtempSync(join(tmpdir(), 'gezhi-upload-')), 'u.db'));
  app = createApp({ db, now: () => NOW });
  admin = signedIn({ app, db }, 'admin');
});
afterAll(() => db.close());

describe('POST /api/import/:kind (the admin upload)', () => {
  it('boundaries: a zipped Shapefile with its options → the summary and the report', async () => {
    const res = await post('boundaries', form([['blocks.zip', readFileSync(join(FIXTURES, 'yuetang-blocks-4547-gbk.zip'))]], {
      code: '区块编码', name: '区块名称', residents: '人口', households: '户数', communityName: '社区', subdistrictName: '街道', districtName: '岳塘区',
    }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.summary).toMatchObject({ format: 'shapefile', encoding: 'gbk', imported: 35, skipped: 0, versionId: 1 });
    expect(body.reportCsv.startsWith('\uFEFFrow,key,outcome,reason,detail')).toBe(true);
    // The blocks are served at once (the server's caches follow the import).
    const blocks = await (await admin.get('/api/blocks')).json();
    expect(blocks.features).toHaveLength(35);
  });

  it('roster and events: the same importers, with their reports', async () => {
    const roster = await post('roster', form([['roster.xlsx', readFileSync(join(FIXTURES, 'yuetang-roster.xlsx'))]]));
    expect(roster.status).toBe(200);
    const r = await roster.json();
    expect(r.summary).toMatchObject({ read: 142, imported: 127, blocks: 32 });
    expect(r.lines.find((l: { reason: string }) => l.reason === 'unknown-block')).toMatchObject({ row: 140 });

    const csv = '\uFEFFid,cat,created,lat,lon\r\nA1,占道经营,2026-11-20 09:00:00,27.9046,113.0009\r\nA2,占道经营,2026-11-20 09:00:00,0,0\r\n';
    const mapping = JSON.stringify({
      source: 'upload', columns: { id: 'id', category: 'cat', created: 'created', latitude: 'lat', longitude: 'lon' },
      timestampFormats: ['YYYY-MM-DD HH:mm:ss'], placeholderCoordinates: [[0, 0]],
    });
    const ev = await post('events', form([['cases.csv', csv]], { mapping }));
    expect(ev.status).toBe(200);
    const e = await ev.json();
    expect(e.summary).toMatchObject({ read: 2, imported: 1, skipped: 1, skippedBy: { 'placeholder-coordinates': 1 } });
    expect(e.lines.find((l: { outcome: string }) => l.outcome === 'skipped')).toMatchObject({ row: 3, key: 'A2', reason: 'placeholder-coordinates' });
  });

  it('client mistakes are problems, never a 500', async () => {
    const nothing = await post('boundaries', new FormData());
    expect(nothing.status).toBe(400);
    expect((await nothing.json()).errors[0].name).toBe('file');
    const garbage = await post('boundaries', form([['x.zip', new Uint8Array([1, 2, 3])]]));
    expect(garbage.status).toBe(400);
    expect(garbage.headers.get('content-type')).toMatch(/problem\+json/);
    const crs = await post('boundaries', form([['b.topojson', readFileSync(join(FIXTURES, 'yuetang-blocks.topojson'))]], { code: 'code', crs: 'EPSG:1' }));
    expect(crs.status).toBe(422);
    expect((await crs.json()).detail).toMatch(/EPSG:1 is not built in/);
    const noMapping = await post('events', form([['cases.csv', 'id\n1\n']]));
    expect(noMapping.status).toBe(400);
    const badMapping = await post('events', form([['cases.csv', 'id\n1\n']], { mapping: '{"columns":{}}' }));
    expect(badMapping.status).toBe(422);
    // An export that lacks a mapped column, or breaks off inside a quoted field: the file's fault, said as such.
    const mapping = JSON.stringify({
      source: 'upload-bad', columns: { id: 'id', category: 'cat', created: 'created', latitude: 'lat', longitude: 'lon' },
      timestampFormats: ['ISO'],
    });
    const noColumn = await post('events', form([['cases.csv', 'id,cat,created\r\nA1,x,2026-11-20\r\n']], { mapping }));
    expect(noColumn.status).toBe(400);
    expect((await noColumn.json()).detail).toMatch(/no column for latitude → "lat"/);
    const unterminated = await post('events', form([['cases.csv', 'id,cat,created,lat,lon\r\nA1,x,"2026-11-20,27.9,113.0\r\n']], { mapping }));
    expect(unterminated.status).toBe(400);
    expect((await unterminated.json()).detail).toMatch(/cannot be read.*row 2: a quoted field is not closed/);
    expect((await post('staff', form([['a.csv', 'x']]))).status).toBe(404);
  });

  it('a write that finds the database held by another writer past the busy timeout is a 503 with Retry-After', async () => {
    const other = openDatabase(db.name);
    const csv = '\uFEFFid,cat,created,lat,lon\r\nB1,占道经营,2026-11-20 09:00:00,27.9046,113.0009\r\n';
    const mapping = JSON.stringify({
      source: 'upload-busy', columns: { id: 'id', category: 'cat', created: 'created', latitude: 'lat', longitude: 'lon' },
      timestampFormats: ['YYYY-MM-DD HH:mm:ss'],
    });
    const events = () => (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    const was = events();
    other.exec('BEGIN IMMEDIATE');
    try {
      const res = await post('events', form([['cases.csv', csv]], { mapping }));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect((await res.json()).detail).toMatch(/busy/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(events()).toBe(was);
    expect((await post('events', form([['cases.csv', csv]], { mapping }))).status).toBe(200);
    expect(events()).toBe(was + 1);
  }, 20_000);
});
