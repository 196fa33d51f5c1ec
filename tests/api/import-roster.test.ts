import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { checkTeam } from '../../server/domain/team-rule.ts';
import { boundaryFilesAt, importBoundaries } from '../../server/import/boundaries.ts';
import { importRoster, RosterError } from '../../server/import/roster.ts';
import { signedIn } from '../helpers/signed-in.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'boundaries');
const NOW = Date.parse('2026-11-25T10:00:00+08:00');
const file = (name: string) => ({ name, bytes: readFileSync(join(FIXTURES, name)) });

const activeRoles = (db: Db) =>
  db.prepare(
    `SELECT ra.block_code, ra.role, s.name, s.phone FROM role_assignments ra JOIN staff s ON s.id = ra.staff_id
      WHERE ra.valid_to IS NULL ORDER BY ra.block_code, ra.role, s.name`,
  ).all();

describe('the 1+N+1 rule', () => {
  it('names each broken rule', () => {
    expect(checkTeam([{ person: 'a', role: 'governor' }, { person: 'b', role: 'assistant' }, { person: 'c', role: 'supervisor' }])).toEqual([]);
    expect(checkTeam([{ person: 'a', role: 'assistant' }]).map((v) => v.reason)).toEqual(['no-governor', 'no-supervisor']);
    expect(checkTeam([
      { person: 'a', role: 'governor' }, { person: 'x', role: 'governor' }, { person: 'b', role: 'supervisor' }, { person: 'c', role: 'supervisor' }, { person: 'b', role: 'assistant' },
    ]).map((v) => v.reason)).toEqual(['several-governors', 'several-supervisors', 'supervisor-also-handles']);
  });
});

describe('staff roster import (CSV and XLSX)', () => {
  let db: Db;
  beforeEach(async () => {
    db = openDatabase(join(mkdtempSync(join(tmpdir(), 'gezhi-roster-')), 'r.db'));
    await importBoundaries(db, boundaryFilesAt(join(FIXTURES, 'yuetang-blocks.topojson')), { level: 'block', fields: { code: 'code', name: 'name' }, now: NOW - 86_400_000 });
  });

  it('CSV: every sound team in, broken teams and bad rows reported with their row numbers; the same roster again changes nothing', async () => {
    const s = await importRoster(db, file('yuetang-roster.csv'), { now: NOW });
    expect(s.skippedBy).toEqual({ 'unknown-block': 1, 'unknown-role': 1, 'invalid-phone': 1, 'missing-name': 1, 'block-team-invalid': 11 });
    expect(s).toMatchObject({ read: 142, imported: 127, blocks: 32, staffAdded: 127, started: 127, ended: 0 });
    const notes = s.lines.filter((l) => l.outcome === 'note' && l.reason !== 'block-without-team').map((l) => [l.key, l.reason]);
    expect(notes).toEqual([['430304001001001', 'several-governors'], ['430304001001002', 'no-assistant'], ['430304001001003', 'supervisor-also-handles']]);
    expect(s.lines.find((l) => l.reason === 'unknown-block')).toMatchObject({ row: 140, key: '430304999999999' });
    expect(s.lines.find((l) => l.reason === 'invalid-phone')?.row).toBe(142);
    // The block panel shows the imported team.
    const app = signedIn({ app: createApp({ db, now: () => NOW }), db }, 'admin');
    const block = await (await app.get('/api/blocks/430304001002001')).json();
    const team = JSON.stringify(block);
    expect(team).toContain('19900000014');
    const before = activeRoles(db);
    const again = await importRoster(db, file('yuetang-roster.csv'), { now: NOW + 60_000 });
    expect(again).toMatchObject({ unchanged: true, staffAdded: 0, started: 0, ended: 0 });
    expect(activeRoles(db)).toEqual(before);
  });

  it('XLSX gives the same teams as the CSV', async () => {
    const x = await importRoster(db, file('yuetang-roster.xlsx'), { now: NOW });
    expect(x).toMatchObject({ read: 142, imported: 127, blocks: 32 });
    const fromXlsx = activeRoles(db);
    const c = await importRoster(db, file('yuetang-roster.csv'), { now: NOW + 60_000 });
    expect(c.unchanged).toBe(true);
    expect(activeRoles(db)).toEqual(fromXlsx);
  });

  it('a changed roster ends the roles it no longer lists and starts the new ones', async () => {
    await importRoster(db, file('yuetang-roster.csv'), { now: NOW });
    const text = readFileSync(join(FIXTURES, 'yuetang-roster.csv'), 'utf8').replace('19900000014', '19900000999');
    const s = await importRoster(db, { name: 'changed.csv', bytes: new TextEncoder().encode(text) }, { now: NOW + 60_000 });
    expect(s).toMatchObject({ staffAdded: 1, started: 1, ended: 1 });
    const ended = db.prepare(`SELECT s.phone FROM role_assignments ra JOIN staff s ON s.id = ra.staff_id WHERE ra.valid_to IS NOT NULL`).all();
    expect(ended).toEqual([{ phone: '19900000014' }]);
  });

  it('missing columns and a database without boundaries are clear errors', async () => {
    await expect(importRoster(db, { name: 'r.csv', bytes: new TextEncoder().encode('姓名,电话\n张三,13800000000\n') })).rejects.toThrow(/no column for block .*role/);
    const empty = openDatabase(':memory:');
    await expect(importRoster(empty, file('yuetang-roster.csv'))).rejects.toBeInstanceOf(RosterError);
    empty.close();
  });
});
