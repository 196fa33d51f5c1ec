import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, openDatabase } from '../../server/db/database.ts';
import { MIGRATIONS } from '../../server/db/migrations.ts';

const LATEST = MIGRATIONS[MIGRATIONS.length - 1].version;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gezhi-migrations-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A district with one subdistrict, community and block in boundary version 1: the parents an events row needs. */
const ONE_BLOCK = `
      INSERT INTO areas VALUES ('430302', 'district', NULL, '雨湖区', '雨湖', 'Yuhu', '区', 1, 112.9, 27.86, '{}');
      INSERT INTO areas VALUES ('430302001', 'subdistrict', '430302', '广场街道', '广场', 'Guangchang', '街道', 1, 112.9, 27.86, '{}');
      INSERT INTO areas VALUES ('430302001001', 'community', '430302001', '一社区', '一', 'One', '社区', 1, 112.9, 27.86, '{}');
      INSERT INTO boundary_versions VALUES (1, 'v1', 0, 0, '');
      INSERT INTO blocks VALUES (1, '430302001001001', 'A', '430302001001', '430302001', 10, 20, 100, 112.8, 27.8, 112.9, 27.9, 112.85, 27.85, '{}');
`;

const schemaOf = (db: Database.Database) =>
  db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();

describe('migrations', () => {
  it('numbers migrations 1, 2, 3 … without gaps', () => {
    MIGRATIONS.forEach((m, i) => expect(m.version).toBe(i + 1));
  });

  it('bring an empty file to the latest version, and running them again changes nothing', () => {
    const file = join(dir, 'empty.db');
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    const schema = schemaOf(db);
    for (const t of ['meta', 'areas', 'blocks', 'buildings', 'events', 'event_log', 'staff', 'role_assignments', 'categories']) {
      expect(schema.some((s: any) => s.type === 'table' && s.name === t), t).toBe(true);
    }
    expect(migrate(db)).toBe(LATEST);
    expect(schemaOf(db)).toEqual(schema);
    db.close();
    const again = openDatabase(file);
    expect(again.pragma('user_version', { simple: true })).toBe(LATEST);
    expect(schemaOf(again)).toEqual(schema);
    again.close();
  });

  it('leave an already-migrated file with data untouched', () => {
    const file = join(dir, 'data.db');
    const db = openDatabase(file);
    db.prepare("INSERT INTO meta (key, value) VALUES ('demo', 'true')").run();
    db.prepare(
      `INSERT INTO areas (code, level, parent_code, name, short_name, name_en, type, urban, center_lon, center_lat, geometry)
       VALUES ('430302', 'district', NULL, '雨湖区', '雨湖', 'Yuhu District', '区', 1, 112.9, 27.86, '{"type":"MultiPolygon","coordinates":[]}')`,
    ).run();
    const schema = schemaOf(db);
    db.close();

    const reopened = openDatabase(file);
    expect(reopened.pragma('user_version', { simple: true })).toBe(LATEST);
    expect(migrate(reopened)).toBe(LATEST);
    expect(schemaOf(reopened)).toEqual(schema);
    expect(reopened.prepare('SELECT value FROM meta WHERE key = ?').get('demo')).toEqual({ value: 'true' });
    expect(reopened.prepare('SELECT count(*) n FROM areas').get()).toEqual({ n: 1 });
    reopened.close();
  });

  it('refuse a file from a newer program', () => {
    const file = join(dir, 'newer.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST + 1}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(/newer/);
  });

  it('enforce the append-only event log and the one-governor rule', () => {
    const db = openDatabase(':memory:');
    expect(() => db.exec("UPDATE event_log SET note = 'x'")).not.toThrow(); // no rows: the trigger fires per row
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").all();
    expect(triggers).toEqual([
      { name: 'audit_log_no_delete' }, { name: 'audit_log_no_update' }, { name: 'event_log_no_delete' }, { name: 'event_log_no_update' },
    ]);
    db.close();
  });
});

describe('migration 7: the events table rebuilt for the new statuses', () => {
  const REBUILD = 7;
  /** A file at the version before the rebuild, as an older program left it. */
  function atVersion(file: string, version: number): Database.Database {
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    for (const m of MIGRATIONS.filter((x) => x.version <= version)) {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
    return db;
  }
  const indexes = (db: Database.Database) =>
    (db.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all() as { name: string; tbl_name: string }[]);

  it('keeps every row, log row and route, recreates every index and the foreign keys', () => {
    const file = join(dir, 'v6.db');
    const old = atVersion(file, REBUILD - 1);
    old.exec(`${ONE_BLOCK}
      INSERT INTO categories VALUES ('0201', '02', '宣传广告', 'Advertising', '非法小广告', 'Illegal flyers', 'block', 'governor', 4, 'working-hours', 0.75);
      INSERT INTO staff VALUES (1, '张三', 'M', '13800000000');
    `);
    const ins = old.prepare(`INSERT INTO events (id, case_no, kind, channel, category_code, priority, status, tier, text, lon, lat,
      version_id, block_code, community_code, subdistrict_code, assignee_id, reported_at, due_at, warn_at, warned_at, breached_at,
      escalation_level, extension_pending, idempotency_key)
      VALUES (?, ?, 'incident', 'hotline', '0201', 'normal', ?, 'block', '垃圾', 112.85, 27.85, 1, '430302001001001', '430302001001',
      '430302001', ?, ?, ?, ?, ?, NULL, ?, 0, ?)`);
    const statuses = ['reported', 'filed', 'dispatched', 'accepted', 'arrived', 'resolved', 'closed', 'evaluated', 'rejected'];
    statuses.forEach((s, i) => ins.run(i + 1, `YH${i}`, s, i >= 2 ? 1 : null, 1000 + i, 5000 + i, 4000 + i, i % 2 ? 4100 : null, i % 2, i === 0 ? 'key-0' : null));
    const log = old.prepare(`INSERT INTO event_log (event_id, at, actor_id, actor_role, from_status, to_status, assignee_id, note) VALUES (?, ?, 1, 'x', NULL, ?, NULL, '')`);
    statuses.forEach((s, i) => log.run(i + 1, 1000 + i, s));
    old.prepare(`INSERT INTO event_routes (event_id, staff_id, created_at, eta_s, distance_m, geometry, times) VALUES (3, 1, 1, 60, 500, '{}', '[]')`).run();
    const rowsBefore = old.prepare('SELECT * FROM events ORDER BY id').all() as Record<string, unknown>[];
    const indexesBefore = indexes(old);
    old.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const rowsAfter = db.prepare('SELECT * FROM events ORDER BY id').all() as Record<string, unknown>[];
    expect(rowsAfter).toHaveLength(rowsBefore.length);
    rowsBefore.forEach((r, i) => expect(rowsAfter[i]).toMatchObject(r));
    expect(rowsAfter[0]).toMatchObject({ suspended_at: null, voided_at: null, report_verified_at: null, verify_breached_at: null });
    expect((db.prepare('SELECT count(*) AS n FROM event_log').get() as { n: number }).n).toBe(statuses.length);
    expect((db.prepare('SELECT count(*) AS n FROM event_routes').get() as { n: number }).n).toBe(1);
    // Every index of v1–v5 is there again, on the same table, plus the new ones; events_lonlat only until
    // migration 16 drops it on purpose.
    const after = indexes(db);
    for (const ix of indexesBefore.filter((i) => i.name !== 'events_lonlat')) expect(after, ix.name).toContainEqual(ix);
    expect(after.map((i) => i.name)).not.toContain('events_lonlat');
    expect(after.map((i) => i.name)).toEqual(expect.arrayContaining(['events_verify_due', 'event_log_photos_event']));
    // The unique constraints survived the copy.
    expect(() => db.prepare(`UPDATE events SET case_no = 'YH0' WHERE id = 2`).run()).toThrow(/UNIQUE/);
    expect(() => db.prepare(`UPDATE events SET idempotency_key = 'key-0' WHERE id = 2`).run()).toThrow(/UNIQUE/);
    // The widened CHECK: the new statuses go in, nonsense does not; a suspended case needs its start.
    db.prepare(`UPDATE events SET status = 'voided', voided_at = 1 WHERE id = 2`).run();
    db.prepare(`UPDATE events SET status = 'suspended', suspended_at = 1, suspended_from = 'dispatched' WHERE id = 3`).run();
    expect(() => db.prepare(`UPDATE events SET status = 'suspended' WHERE id = 4`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE events SET status = 'lost' WHERE id = 4`).run()).toThrow(/CHECK/);
    // The references from the log and the routes still hold (foreign keys are back on).
    expect(() => db.prepare(`INSERT INTO event_log (event_id, at, actor_role, to_status) VALUES (999, 1, 'x', 'filed')`).run()).toThrow(/FOREIGN KEY/);
    db.close();
  });
});

describe('migration 11: open loads indexed for assigned cases only', () => {
  it('indexes assigned cases only, and both open-load reads still seek the index', async () => {
    const db = openDatabase(join(dir, 'm11.db'));
    const { dispatchQueries } = await import('../../server/db/queries/dispatch.ts');
    const { eventCommands } = await import('../../server/db/commands/events.ts');
    const sqls: string[] = [];
    const prepare = db.prepare.bind(db);
    // Record what the two open-load reads prepare, then ask SQLite how it would run each.
    (db as unknown as { prepare: typeof prepare }).prepare = ((sql: string) => (sqls.push(sql), prepare(sql))) as typeof prepare;
    dispatchQueries(db).openLoads([1, 2]);
    eventCommands(db).openLoad([1, 2]);
    const loads = sqls.filter((s) => /count\(\*\) AS n FROM events/.test(s));
    expect(loads).toHaveLength(2);
    for (const sql of loads) {
      const plan = (prepare(`EXPLAIN QUERY PLAN ${sql}`).all(1, 2) as { detail: string }[]).map((r) => r.detail).join(' | ');
      expect(plan).toContain('USING INDEX events_open_assignee');
    }
    const sql = (prepare(`SELECT sql FROM sqlite_master WHERE name = 'events_open_assignee'`).get() as { sql: string }).sql;
    expect(sql).toContain('assignee_id IS NOT NULL');
    db.close();
  });
});

describe('migration 17: imported cases past a bare report are filed', () => {
  it('sets filed_at to the reported time of imported accepted cases only', () => {
    const file = join(dir, 'm16.db');
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    for (const m of MIGRATIONS.filter((x) => x.version <= 16)) {
      old.exec(m.sql);
      old.pragma(`user_version = ${m.version}`);
    }
    old.exec(ONE_BLOCK);
    old.exec(`INSERT INTO categories (code, major_code, major_name, major_name_en, name, name_en, tier, unit_key, deadline_value, deadline_unit, warning_ratio)
              VALUES ('0201', '02', '宣传广告', 'Advertising', '非法小广告', 'Illegal flyers', 'block', 'block', 4, 'working-hours', 0.75)`);
    const code = '0201';
    const ins = old.prepare(`INSERT INTO events (id, case_no, kind, channel, category_code, priority, status, tier, text, lon, lat, version_id,
      block_code, community_code, subdistrict_code, reported_at, filed_at, closed_at, resolved_at, due_at)
      VALUES (?, ?, 'incident', 'hotline', ?, 'normal', ?, 'block', '垃圾', 112.85, 27.85, 1, '430302001001001', '430302001001', '430302001', ?, ?, ?, ?, 9000)`);
    ins.run(1, 'src:1', code, 'closed', 1000, null, 2000, 2000); // imported, accepted: gets filed_at
    ins.run(2, 'src:2', code, 'reported', 1100, null, null, null); // imported, a bare report: stays unfiled
    ins.run(3, 'src:3', code, 'rejected', 1200, null, null, null); // imported, rejected: stays unfiled
    ins.run(4, 'YH4', code, 'closed', 1300, null, 2300, 2300); // reported through Gezhi: left as it is
    ins.run(5, 'src:5', code, 'dispatched', 1400, 1450, null, null); // already filed: kept
    const src = old.prepare(`INSERT INTO event_sources (event_id, source, source_id, source_row, imported_at) VALUES (?, 'src', ?, ?, 1)`);
    for (const id of [1, 2, 3, 5]) src.run(id, String(id), id + 1);
    old.close();

    const db = openDatabase(file);
    const filed = db.prepare('SELECT id, filed_at FROM events ORDER BY id').all();
    expect(filed).toEqual([
      { id: 1, filed_at: 1000 }, { id: 2, filed_at: null }, { id: 3, filed_at: null }, { id: 4, filed_at: null }, { id: 5, filed_at: 1450 },
    ]);
    db.close();
  });
});

describe('migration 18: partial indexes on events without IN lists', () => {
  const INDEXES = ['events_open_due', 'events_open_assignee', 'events_warn_due', 'events_breach_due'];
  /** The ids each partial index holds, read through the index itself with its own condition. */
  const held = (db: Database.Database) => Object.fromEntries(INDEXES.map((name) => {
    const { sql } = db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).get(name) as { sql: string };
    const where = /\bWHERE\b([\s\S]*)$/i.exec(sql)![1];
    return [name, (db.prepare(`SELECT id FROM events INDEXED BY ${name} WHERE ${where} ORDER BY id`).all() as { id: number }[]).map((r) => r.id)];
  }));

  it('keeps the same rows in each index, and the queries still seek them', async () => {
    const file = join(dir, 'm17.db');
    const old = new Database(file);
    for (const m of MIGRATIONS.filter((x) => x.version <= 17)) {
      old.exec(m.sql);
      old.pragma(`user_version = ${m.version}`);
    }
    old.exec(ONE_BLOCK);
    old.exec(`INSERT INTO staff (id, name, gender, phone) VALUES (7, '张三', 'M', '13800000000')`);
    old.exec(`INSERT INTO categories (code, major_code, major_name, major_name_en, name, name_en, tier, unit_key, deadline_value, deadline_unit, warning_ratio)
              VALUES ('0201', '02', '宣传广告', 'Advertising', '非法小广告', 'Illegal flyers', 'block', 'block', 4, 'working-hours', 0.75)`);
    const { STATUSES } = await import('../../server/contract/statuses.ts');
    const ins = old.prepare(`INSERT INTO events (case_no, kind, channel, category_code, priority, status, tier, text, lon, lat, version_id,
      block_code, community_code, subdistrict_code, reported_at, due_at, warn_at, assignee_id, warned_at, breached_at, suspended_at)
      VALUES (?, 'incident', 'hotline', '0201', 'normal', ?, 'block', '垃圾', 112.85, 27.85, 1, '430302001001001', '430302001001', '430302001', 1000, 9000, 8000, ?, ?, ?, ?)`);
    let n = 0;
    for (const status of STATUSES) {
      for (const assignee of [null, 7]) {
        for (const [warned, breached] of [[null, null], [8100, null], [8100, 9100]]) {
          ins.run(`YH${++n}`, status, assignee, warned, breached, status === 'suspended' ? 1500 : null);
        }
      }
    }
    const before = held(old);
    old.close();

    const db = openDatabase(file);
    expect(held(db)).toEqual(before);
    expect(Object.values(before).every((ids) => ids.length > 0)).toBe(true);
    const partial = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql LIKE '% WHERE %'`).all() as { name: string; sql: string }[];
    for (const ix of partial) expect(ix.sql, ix.name).not.toMatch(/\bIN\s*\(/i);
    // The overdue board and the sweeps still read through their indexes (their conditions say the same terms).
    const sqls: string[] = [];
    const prepare = db.prepare.bind(db);
    (db as unknown as { prepare: typeof prepare }).prepare = ((sql: string) => (sqls.push(sql), prepare(sql))) as typeof prepare;
    const { dueQueries } = await import('../../server/db/commands/events.ts');
    dueQueries(db).countOverdue(10_000);
    const count = sqls.find((s) => /count\(\*\) AS n FROM events e/.test(s))!;
    const plan = (prepare(`EXPLAIN QUERY PLAN ${count}`).all(1) as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan).toContain('USING INDEX events_open_due');
    expect(dueQueries(db).countOverdue(10_000)).toBe(before.events_open_due.length);
    db.close();
  });
});
