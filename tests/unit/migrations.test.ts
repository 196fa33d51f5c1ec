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
    expect(triggers).toEqual([{ name: 'event_log_no_delete' }, { name: 'event_log_no_update' }]);
    db.close();
  });
});
