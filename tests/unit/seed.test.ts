import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { MultiPolygon, Polygon } from 'geojson';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { DatabaseNotEmptyError, SEEDED_TABLES, seedDemo } from '../../server/db/seed/index.ts';
import { LAST_YEAR_TARGETS, lastYearStart } from '../../server/db/seed/history-mix.ts';
import type { Status } from '../../server/contract/statuses.ts';
import { STATUS_RANK } from '../../server/db/seed/history-timeline.ts';
import { CATEGORY_PROFILES } from '../../server/db/seed/category-profiles.ts';
import { generateDistrict } from '../../server/geo/gen/index.ts';
import type { GeneratedDistrict } from '../../server/geo/gen/types.ts';
import { TAXONOMY } from '../../server/contract/taxonomy.ts';

const FALLBACK_NOW = Date.parse('2026-11-25T10:00:00+08:00');

let db: Db;
let now: number;
let district: GeneratedDistrict;
let tmp: string | null = null;

beforeAll(async () => {
  district = generateDistrict();
  const seeded = inject('seededDb') as string | undefined;
  now = (inject('seedNow') as number | undefined) ?? FALLBACK_NOW;
  if (seeded) {
    db = openDatabase(seeded, { readonly: true });
  } else {
    tmp = mkdtempSync(join(tmpdir(), 'gezhi-seed-'));
    db = openDatabase(join(tmp, 'seed.db'));
    await seedDemo(db, { now, district });
  }
});

afterAll(() => {
  db?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const all = <T>(sql: string, ...params: unknown[]): T[] => db.prepare(sql).all(...params) as T[];
const one = <T>(sql: string, ...params: unknown[]): T => db.prepare(sql).get(...params) as T;

describe('seeded demo database: places and people', () => {
  it('marks itself as demo data', () => {
    expect(one<{ value: string }>("SELECT value FROM meta WHERE key = 'demo'").value).toBe('true');
    expect(one<{ n: number }>('SELECT count(*) n FROM boundary_versions').n).toBe(1);
  });

  it('has exactly 667 blocks and every building in one block', () => {
    expect(one<{ n: number }>('SELECT count(*) n FROM blocks').n).toBe(667);
    const b = one<{ n: number; bb: number }>('SELECT (SELECT count(*) FROM buildings) n, (SELECT count(*) FROM block_buildings) bb');
    expect(b.bb).toBe(b.n);
    const layers = all<{ name: string; source: string }>('SELECT name, source FROM map_layers ORDER BY name');
    expect(layers).toEqual([
      { name: 'district', source: 'real' },
      { name: 'rivers', source: 'real' },
      { name: 'water', source: 'real' },
    ]);
  });

  it('gives every block a 1+N+1 team: 1 governor, 2–5 assistants, 1 supervisor who is not the governor', () => {
    const rows = all<{ code: string; gov: number; asst: number; sup: number; clash: number }>(`
      SELECT b.code,
        (SELECT count(*) FROM role_assignments r WHERE r.block_code = b.code AND r.role = 'governor') gov,
        (SELECT count(*) FROM role_assignments r WHERE r.block_code = b.code AND r.role = 'assistant') asst,
        (SELECT count(*) FROM role_assignments r WHERE r.block_code = b.code AND r.role = 'supervisor') sup,
        (SELECT count(*) FROM role_assignments s JOIN role_assignments h ON h.staff_id = s.staff_id AND h.block_code = s.block_code
           WHERE s.block_code = b.code AND s.role = 'supervisor' AND h.role IN ('governor', 'assistant')) clash
      FROM blocks b`);
    expect(rows).toHaveLength(667);
    for (const r of rows) {
      expect(r.gov, r.code).toBe(1);
      expect(r.asst, r.code).toBeGreaterThanOrEqual(2);
      expect(r.asst, r.code).toBeLessThanOrEqual(5);
      expect(r.sup, r.code).toBe(1);
      expect(r.clash, r.code).toBe(0);
    }
    // A governor governs exactly one block; supervisors share a few neighbouring blocks of one community.
    const govs = all<{ n: number }>("SELECT count(*) n FROM role_assignments WHERE role = 'governor' GROUP BY staff_id");
    expect(govs.every((g) => g.n === 1)).toBe(true);
    const sups = all<{ n: number; communities: number }>(
      "SELECT count(*) n, count(DISTINCT substr(block_code, 1, 12)) communities FROM role_assignments WHERE role = 'supervisor' GROUP BY staff_id",
    );
    expect(sups.every((s) => s.n >= 1 && s.n <= 4 && s.communities === 1)).toBe(true);
    const avg = sups.reduce((a, s) => a + s.n, 0) / sups.length;
    expect(avg).toBeGreaterThan(2);
    expect(avg).toBeLessThan(3.5);
  });

  it('names block-team members differently and gives everyone an 11-digit mobile number', () => {
    const dup = one<{ n: number }>(`
      SELECT count(*) n FROM (
        SELECT r.block_code, s.name FROM role_assignments r JOIN staff s ON s.id = r.staff_id
        WHERE r.block_code IS NOT NULL GROUP BY r.block_code, s.name HAVING count(*) > 1)`);
    expect(dup.n).toBe(0);
    const staff = all<{ name: string; phone: string; gender: string }>('SELECT name, phone, gender FROM staff');
    for (const s of staff) {
      expect(s.phone).toMatch(/^1(3\d|5[0-35-9]|8\d|9[135689])\d{8}$/);
      expect([...s.name].length).toBeGreaterThanOrEqual(2);
      expect([...s.name].length).toBeLessThanOrEqual(4);
    }
    expect(new Set(staff.map((s) => s.phone)).size).toBe(staff.length);
    const genders = new Set(staff.map((s) => s.gender));
    expect(genders).toEqual(new Set(['F', 'M']));
  });

  it('has 4 centres (3–8 staff, one inspector) and 6 department postings (2–6 officers) per subdistrict', () => {
    const subs = all<{ code: string }>("SELECT code FROM areas WHERE level = 'subdistrict'");
    expect(subs.length).toBe(12);
    for (const { code } of subs) {
      const centres = all<{ key: string; staff: number; inspectors: number }>(`
        SELECT u.key, count(r.id) staff, sum(r.role = 'centre-inspector') inspectors
        FROM units u JOIN role_assignments r ON r.unit_id = u.id
        WHERE u.kind = 'centre' AND u.subdistrict_code = ? GROUP BY u.id ORDER BY u.key`, code);
      expect(centres.map((c) => c.key)).toEqual(['economy', 'guidance', 'livelihood', 'rapid-response']);
      for (const c of centres) {
        expect(c.staff).toBeGreaterThanOrEqual(3);
        expect(c.staff).toBeLessThanOrEqual(8);
        expect(c.inspectors).toBe(1);
      }
      const depts = all<{ key: string; officers: number }>(`
        SELECT u.key, count(r.id) officers FROM units u JOIN role_assignments r ON r.unit_id = u.id AND r.role = 'officer'
        WHERE u.kind = 'department' AND u.subdistrict_code = ? GROUP BY u.id`, code);
      expect(depts.map((d) => d.key).sort()).toEqual(
        ['ecology-environment', 'emergency-management', 'housing-construction', 'market-regulation', 'police', 'urban-management'],
      );
      for (const d of depts) {
        expect(d.officers).toBeGreaterThanOrEqual(2);
        expect(d.officers).toBeLessThanOrEqual(6);
      }
    }
  });

  it('places field staff near their block', () => {
    const far = one<{ n: number }>(`
      SELECT count(*) n FROM role_assignments r JOIN staff_positions p ON p.staff_id = r.staff_id
      JOIN blocks b ON b.code = r.block_code
      WHERE r.role IN ('governor', 'assistant')
        AND (p.lon < b.min_lon - 0.002 OR p.lon > b.max_lon + 0.002 OR p.lat < b.min_lat - 0.002 OR p.lat > b.max_lat + 0.002)`);
    expect(far.n).toBe(0);
    const missing = one<{ n: number }>(`
      SELECT count(*) n FROM role_assignments r LEFT JOIN staff_positions p ON p.staff_id = r.staff_id
      WHERE r.role IN ('governor', 'assistant', 'supervisor', 'officer') AND p.staff_id IS NULL`);
    expect(missing.n).toBe(0);
  });

  it('writes the whole taxonomy, and every category has a seed profile', () => {
    expect(one<{ n: number }>('SELECT count(*) n FROM categories').n).toBe(TAXONOMY.categories.length);
    for (const c of TAXONOMY.categories) expect(CATEGORY_PROFILES[c.code], c.code).toBeDefined();
  });
});

describe('seeded demo database: event history', () => {
  it('holds 30,000 events and the last-12-month targets within ±3%', () => {
    expect(one<{ n: number }>('SELECT count(*) n FROM events').n).toBe(30_000);
    const from = lastYearStart(now);
    const r = one<{ consultation: number; demands: number; suggestions: number }>(`
      SELECT sum(channel = 'consultation') consultation,
             sum(kind = 'demand' AND status IN ('resolved', 'closed', 'evaluated')) demands,
             sum(kind = 'suggestion') suggestions
      FROM events WHERE reported_at >= ? AND reported_at <= ?`, from, now);
    const near = (x: number, target: number) => Math.abs(x - target) / target <= 0.03;
    expect(near(r.consultation, LAST_YEAR_TARGETS.consultation), `consultation ${r.consultation}`).toBe(true);
    expect(near(r.demands, LAST_YEAR_TARGETS.demandsResolved), `demands ${r.demands}`).toBe(true);
    expect(near(r.suggestions, LAST_YEAR_TARGETS.suggestions), `suggestions ${r.suggestions}`).toBe(true);
  });

  it('has monotonic lifecycle timestamps set exactly up to each event\'s status', () => {
    const cols = ['filed_at', 'dispatched_at', 'accepted_at', 'arrived_at', 'resolved_at', 'closed_at', 'evaluated_at'] as const;
    const rows = all<Record<string, number | string | null>>(
      `SELECT id, status, reported_at, ${cols.join(', ')}, due_at, assignee_id, satisfaction FROM events`,
    );
    let bad = 0;
    for (const e of rows) {
      const status = e.status as Status;
      const rank = STATUS_RANK[status];
      let prev = e.reported_at as number;
      if (prev > now) bad++;
      cols.forEach((c, i) => {
        const v = e[c] as number | null;
        const expected = status === 'rejected' ? c === 'filed_at' : i + 1 <= rank;
        if ((v !== null) !== expected) bad++;
        if (v !== null) {
          if (v < prev || v > now) bad++;
          prev = v;
        }
      });
      if ((e.assignee_id !== null) !== (rank >= STATUS_RANK.dispatched && status !== 'rejected')) bad++;
      if ((e.satisfaction !== null) !== (status === 'evaluated')) bad++;
    }
    expect(bad).toBe(0);
  });

  it('numbers cases YH + local date + daily sequence', () => {
    const rows = all<{ case_no: string; reported_at: number }>('SELECT case_no, reported_at FROM events WHERE id % 97 = 0');
    for (const r of rows) {
      const local = new Date(r.reported_at + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
      expect(r.case_no).toMatch(new RegExp(`^YH${local}\\d{5}$`));
    }
  });

  it('puts every event inside its block (sample of 500)', () => {
    const sample = all<{ lon: number; lat: number; geometry: string; block_code: string; community_code: string }>(`
      SELECT e.lon, e.lat, b.geometry, e.block_code, e.community_code FROM events e
      JOIN blocks b ON b.version_id = e.version_id AND b.code = e.block_code
      WHERE e.id % 60 = 7 LIMIT 500`);
    expect(sample.length).toBe(500);
    for (const s of sample) {
      const g = JSON.parse(s.geometry) as Polygon | MultiPolygon;
      expect(booleanPointInPolygon([s.lon, s.lat], g), s.block_code).toBe(true);
      expect(s.block_code.startsWith(s.community_code)).toBe(true);
    }
  });

  it('logs one row per transition, consistent with the status, and never lets the handler verify', () => {
    const events = all<{ id: number; status: Status; tier: string; block_code: string; assignee_id: number | null; rework_count: number; extension_count: number }>(
      'SELECT id, status, tier, block_code, assignee_id, rework_count, extension_count FROM events ORDER BY id',
    );
    const logs = db.prepare('SELECT event_id, at, actor_id, actor_role, from_status, to_status, note FROM event_log ORDER BY event_id, id').iterate() as IterableIterator<{
      event_id: number; at: number; actor_id: number | null; actor_role: string; from_status: Status | null; to_status: Status; note: string;
    }>;
    const supervisors = new Map(all<{ block_code: string; staff_id: number }>("SELECT block_code, staff_id FROM role_assignments WHERE role = 'supervisor'").map((r) => [r.block_code, r.staff_id]));
    const byEvent = new Map<number, { at: number; actor_id: number | null; actor_role: string; from_status: Status | null; to_status: Status; note: string }[]>();
    for (const l of logs) {
      let list = byEvent.get(l.event_id);
      if (!list) byEvent.set(l.event_id, (list = []));
      list.push(l);
    }
    const problems: string[] = [];
    for (const e of events) {
      const rows = byEvent.get(e.id) ?? [];
      if (rows.length === 0 || rows[0].from_status !== null || rows[0].to_status !== 'reported') problems.push(`${e.id}: first row`);
      let status: Status | null = null;
      let at = -Infinity;
      let reworks = 0;
      let extensions = 0;
      const handlers = new Set<number>();
      for (const r of rows) {
        if (r.at < at) problems.push(`${e.id}: time goes back`);
        at = r.at;
        const side = r.from_status === r.to_status;
        if (side) {
          if (r.to_status !== status) problems.push(`${e.id}: side row off status`);
          if (r.actor_role !== 'system') extensions++;
        } else {
          if (r.from_status !== status) problems.push(`${e.id}: ${r.from_status} after ${status}`);
          if (r.to_status === 'accepted' && status === 'resolved') reworks++;
          status = r.to_status;
        }
        if (['accepted', 'arrived', 'resolved'].includes(r.to_status) && !side && r.actor_id !== null && !['supervisor', 'centre-inspector'].includes(r.actor_role)) handlers.add(r.actor_id);
        if (r.to_status === 'closed' && !side) {
          if (r.actor_id === null || handlers.has(r.actor_id) || r.actor_id === e.assignee_id) problems.push(`${e.id}: verified by its handler`);
          if (e.tier === 'block' && r.actor_id !== supervisors.get(e.block_code)) problems.push(`${e.id}: closed by someone other than the block supervisor`);
        }
      }
      if (status !== e.status) problems.push(`${e.id}: log ends at ${status}, event is ${e.status}`);
      if (reworks !== e.rework_count) problems.push(`${e.id}: rework ${reworks} vs ${e.rework_count}`);
      if (extensions !== e.extension_count) problems.push(`${e.id}: extensions ${extensions} vs ${e.extension_count}`);
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('is realistic: mostly closed on time, some late, rejected, reworked, extended, open and overdue at the end', () => {
    const r = one<Record<string, number>>(`
      SELECT count(*) n,
        sum(status IN ('closed', 'evaluated')) done,
        sum(status IN ('closed', 'evaluated') AND resolved_at <= due_at) on_time,
        sum(status = 'rejected') rejected,
        sum(rework_count > 0) rework,
        sum(extension_count > 0) extended,
        sum(status NOT IN ('closed', 'evaluated', 'rejected')) open,
        sum(status NOT IN ('resolved', 'closed', 'evaluated', 'rejected') AND due_at < ?) overdue,
        min(CASE WHEN status NOT IN ('closed', 'evaluated', 'rejected') THEN reported_at END) oldest_open
      FROM events`, now);
    expect(r.done / r.n).toBeGreaterThan(0.9);
    expect(r.on_time / r.done).toBeGreaterThan(0.8);
    expect(r.on_time / r.done).toBeLessThan(0.97);
    expect(r.rejected / r.n).toBeGreaterThan(0.01);
    expect(r.rejected / r.n).toBeLessThan(0.08);
    expect(r.rework).toBeGreaterThan(0);
    expect(r.extended).toBeGreaterThan(0);
    expect(r.open).toBeGreaterThan(20);
    expect(r.overdue).toBeGreaterThan(5);
    expect(now - r.oldest_open).toBeLessThan(90 * 86_400_000);
  });

  it('follows the daily rhythm: few reports at night, peaks in the morning and afternoon', () => {
    const hours = all<{ h: number; n: number }>(
      "SELECT CAST(strftime('%H', reported_at / 1000, 'unixepoch', '+8 hours') AS INTEGER) h, count(*) n FROM events GROUP BY h",
    );
    const at = (h: number) => hours.find((x) => x.h === h)?.n ?? 0;
    expect(at(10)).toBeGreaterThan(8 * at(3));
    expect(at(16)).toBeGreaterThan(at(13));
    const years = all<{ y: string; n: number }>("SELECT strftime('%Y', reported_at / 1000, 'unixepoch', '+8 hours') y, count(*) n FROM events GROUP BY y ORDER BY y");
    expect(years[0].y).toBe('2022');
    expect(years[1].n).toBeGreaterThan(years[0].n);
    expect(years[3].n).toBeGreaterThan(years[1].n);
  });

  it('plants the hotspots: their blocks stand out in volume and overdue share', () => {
    const perBlock = all<{ code: string; n: number; late: number }>(`
      SELECT block_code code, count(*) n, sum(resolved_at > due_at) late FROM events GROUP BY block_code ORDER BY n DESC`);
    const rank = new Map(perBlock.map((b, i) => [b.code, i]));
    const overallLate = perBlock.reduce((a, b) => a + b.late, 0) / perBlock.reduce((a, b) => a + b.n, 0);
    for (const h of district.hotspots) {
      expect(rank.get(h.blockCode) ?? 999, h.id).toBeLessThan(perBlock.length * 0.1);
      const b = perBlock.find((x) => x.code === h.blockCode)!;
      expect(b.late / b.n, h.id).toBeGreaterThan(overallLate * 1.5);
    }
  });
});

describe('seedDemo', () => {
  const hashTables = (d: Db): string => {
    const h = createHash('sha256');
    for (const table of SEEDED_TABLES) {
      const cols = (d.prepare(`PRAGMA table_info(${table})`).all() as { name: string; pk: number }[]).map((c) => c.name);
      h.update(`#${table}\n`);
      for (const row of d.prepare(`SELECT * FROM ${table} ORDER BY ${cols.map((_, i) => i + 1).join(', ')}`).raw().iterate()) {
        h.update(JSON.stringify(row));
        h.update('\n');
      }
    }
    return h.digest('hex');
  };

  it('is deterministic: same seed and now give identical content; another seed differs', async () => {
    const a = openDatabase(':memory:');
    const b = openDatabase(':memory:');
    const c = openDatabase(':memory:');
    try {
      await seedDemo(a, { now, district, events: 2_000, seed: 7 });
      await seedDemo(b, { now, district, events: 2_000, seed: 7 });
      await seedDemo(c, { now, district, events: 2_000, seed: 8 });
      const ha = hashTables(a);
      expect(hashTables(b)).toBe(ha);
      expect(hashTables(c)).not.toBe(ha);
    } finally {
      a.close();
      b.close();
      c.close();
    }
  });

  it('scales the last-12-month quotas with the event count', async () => {
    const d = openDatabase(':memory:');
    try {
      const s = await seedDemo(d, { now, district, events: 6_000 });
      expect(s.lastYear.suggestions).toBe(600);
      expect(s.lastYear.demandsResolved).toBe(587);
      expect(s.lastYear.consultation).toBe(509);
    } finally {
      d.close();
    }
  });

  it('refuses a database that holds data, and clears it with force', async () => {
    const d = openDatabase(':memory:');
    try {
      await seedDemo(d, { now, district, events: 500 });
      await expect(seedDemo(d, { now, district, events: 300 })).rejects.toBeInstanceOf(DatabaseNotEmptyError);
      expect((d.prepare('SELECT count(*) n FROM events').get() as { n: number }).n).toBe(500);
      const s = await seedDemo(d, { now, district, events: 300, force: true });
      expect(s.counts.events).toBe(300);
      expect((d.prepare('SELECT count(*) n FROM events').get() as { n: number }).n).toBe(300);
      expect((d.prepare('SELECT count(*) n FROM blocks').get() as { n: number }).n).toBe(667);
    } finally {
      d.close();
    }
  });
});
