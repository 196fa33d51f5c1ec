/**
 * The review API on a copy of the seeded Yuhu database: every indicator, percentile, flatness figure and survival
 * curve for several random filters against a straightforward computation over the raw rows (SQL rows, filtered and
 * counted in plain loops here, sorted for percentiles); CSV exports; validation; the cube following writes.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { closedOnTime } from '../../server/domain/on-time.ts';
import { kaplanMeier } from '../../server/domain/stats/kaplan-meier.ts';
import { createRng } from '../../server/domain/prng.ts';
import { workingMsBetween } from '../../server/domain/working-time.ts';
import { blockPlaces, seededCopy } from '../helpers/seeded.ts';
import { signedIn } from '../helpers/signed-in.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const now = inject('seedNow');
const DAY = 86_400_000;
const HOUR = 3_600_000;

interface Raw {
  id: number; status: string; channel: string; kind: string; priority: string; category_code: string; block_code: string;
  community_code: string; subdistrict_code: string; unit_kind: string | null; unit_key: string | null; assignee_id: number | null;
  reported_at: number; filed_at: number | null; dispatched_at: number | null; arrived_at: number | null;
  resolved_at: number | null; closed_at: number | null; due_at: number; verify_due_at: number | null;
  satisfaction: number | null; rework_count: number; extension_count: number;
}

let db: Db;
let app: ReturnType<typeof createApp>;
let raw: Raw[];
let logs: Map<number, { at: number; actor_id: number | null; assignee_id: number | null }[]>;

beforeAll(() => {
  db = openDatabase(seededCopy('review'));
  app = createApp({ db, now: () => now });
  raw = db.prepare(`SELECT e.*, u.kind AS unit_kind, u.key AS unit_key FROM events e LEFT JOIN units u ON u.id = e.unit_id`).all() as Raw[];
  logs = new Map();
  for (const r of db.prepare(`SELECT event_id, at, actor_id, assignee_id FROM event_log ORDER BY event_id, at, id`).all() as Json[]) {
    if (!logs.has(r.event_id)) logs.set(r.event_id, []);
    logs.get(r.event_id)!.push(r as never);
  }
});
afterAll(() => db?.close());

const get = async (path: string) => {
  const res = await signedIn({ app, db }, 'analyst')(path);
  return { status: res.status, res, body: res.headers.get('content-type')?.includes('json') ? ((await res.json()) as Json) : null };
};

/** Type 7, written out again. */
function q7(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo] + (h - lo) * (s[Math.min(lo + 1, s.length - 1)] - s[lo]);
}

function rawHandoffs(id: number): number {
  let n = 0;
  let last: number | null = null;
  for (const r of logs.get(id) ?? []) {
    if (r.assignee_id !== null && r.assignee_id !== last) {
      n++;
      last = r.assignee_id;
    }
  }
  return n;
}

const fmtDay = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 10);

describe('GET /api/review/indicators', () => {
  const rng = createRng(2024);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)];

  function randomFilter(round: number): { query: Record<string, string>; keep: (r: Raw) => boolean } {
    const query: Record<string, string> = {};
    const tests: ((r: Raw) => boolean)[] = [];
    const fromDay = now - (30 + Math.floor(rng.next() * 600)) * DAY;
    const toDay = Math.min(now, fromDay + (20 + Math.floor(rng.next() * 300)) * DAY);
    query.from = fmtDay(fromDay);
    query.to = fmtDay(toDay);
    const someone = pick(raw.filter((r) => r.reported_at >= fromDay && r.reported_at < toDay));
    const options: (() => void)[] = [
      () => { query.subdistrict = someone.subdistrict_code; tests.push((r) => r.subdistrict_code === someone.subdistrict_code); },
      () => { query.community = someone.community_code; tests.push((r) => r.community_code === someone.community_code); },
      () => { query.category = someone.category_code.slice(0, 2); tests.push((r) => r.category_code.startsWith(query.category)); },
      () => { query.category = someone.category_code; tests.push((r) => r.category_code === someone.category_code); },
      () => { query.channel = `${someone.channel},hotline`; tests.push((r) => r.channel === someone.channel || r.channel === 'hotline'); },
      () => { query.kind = someone.kind; tests.push((r) => r.kind === someone.kind); },
      () => { query.priority = someone.priority; tests.push((r) => r.priority === someone.priority); },
      () => { query.centre = 'livelihood'; tests.push((r) => r.unit_kind === 'centre' && r.unit_key === 'livelihood'); },
      () => { query.department = 'urban-management'; tests.push((r) => r.unit_kind === 'department' && r.unit_key === 'urban-management'); },
    ];
    if (round > 0) {
      const n = 1 + Math.floor(rng.next() * 2);
      const chosen = new Set<number>();
      while (chosen.size < n) chosen.add(Math.floor(rng.next() * options.length));
      const list = [...chosen];
      if (list.some((i) => i === 7) && list.some((i) => i === 8)) list.pop();
      if (list.some((i) => i === 2) && list.some((i) => i === 3)) list.pop();
      for (const i of list) options[i]();
    }
    if (round === 5) {
      const person = pick(raw.filter((r) => r.assignee_id !== null)).assignee_id!;
      query.person = String(person);
      tests.push((r) => r.assignee_id === person);
    }
    return { query, keep: (r) => tests.every((t) => t(r)) };
  }

  for (let round = 0; round < 7; round++) {
    it(`matches the raw rows for random filter #${round}`, async () => {
      const { query, keep } = randomFilter(round);
      const { status, body } = await get(`/api/review/indicators?${new URLSearchParams(query)}`);
      expect(status, JSON.stringify(body)).toBe(200);
      const from = Date.parse(`${query.from}T00:00:00+08:00`);
      const to = Date.parse(`${query.to}T00:00:00+08:00`) + DAY;
      const rows = raw.filter(keep);
      const cohort = rows.filter((r) => r.reported_at >= from && r.reported_at < to);
      const cases = cohort.filter((r) => r.status !== 'rejected');
      const closed = cases.filter((r) => r.status === 'closed' || r.status === 'evaluated');
      const filed = cases.filter((r) => r.filed_at !== null);
      const resolved = cases.filter((r) => r.resolved_at !== null || r.rework_count > 0);
      const rated = cases.filter((r) => r.satisfaction !== null);
      let decided = 0, onTime = 0;
      for (const r of rows) {
        if (r.due_at < from || r.due_at >= to) continue;
        const ok = closedOnTime({ ...r, closed_at: r.status === 'closed' || r.status === 'evaluated' ? r.closed_at : null }, now);
        if (ok === null) continue;
        decided++;
        if (ok) onTime++;
      }
      const ind = body!.indicators;
      expect(ind.received).toBe(cohort.length);
      expect(ind.rejected).toBe(cohort.length - cases.length);
      expect(ind.filed).toBe(filed.length);
      expect(ind.closed).toBe(closed.length);
      expect(ind.closureRate).toBe(filed.length ? closed.length / filed.length : null);
      expect(ind.onTimeDecided).toBe(decided);
      expect(ind.onTime).toBe(onTime);
      expect(ind.onTimeRate).toBe(decided ? onTime / decided : null);
      expect(ind.reworkRate).toBe(resolved.length ? resolved.filter((r) => r.rework_count > 0).length / resolved.length : null);
      expect(ind.extensionRate).toBe(filed.length ? cases.filter((r) => r.extension_count > 0).length / filed.length : null);
      expect(ind.satisfactionRate).toBe(rated.length ? rated.filter((r) => r.satisfaction! >= 4).length / rated.length : null);
      if (round === 0) expect(cohort.length).toBeGreaterThan(500);

      const steps = { accept: 'filed_at', dispatch: 'dispatched_at', arrive: 'arrived_at', resolve: 'resolved_at', close: 'closed_at' } as const;
      for (const [name, col] of Object.entries(steps)) {
        const reached = cases.filter((r) => r[col] !== null);
        const natural = reached.map((r) => Math.floor(Math.max(0, r[col]! - r.reported_at) / 60_000));
        const working = reached.map((r) => Math.floor(workingMsBetween(r.reported_at, r[col]!) / 60_000));
        const n = body!.intervals.natural[name];
        const w = body!.intervals.working[name];
        if (reached.length === 0) {
          expect(n).toBeNull();
          continue;
        }
        expect(n.n).toBe(reached.length);
        for (const [k, p] of [['q1', 0.25], ['median', 0.5], ['q3', 0.75], ['p90', 0.9]] as const) {
          expect(n[k], `${name} natural ${k}`).toBeCloseTo(q7(natural, p), 6);
          expect(w[k], `${name} working ${k}`).toBeCloseTo(q7(working, p), 6);
        }
        expect(n.max).toBe(Math.max(...natural));
        expect(w.min).toBe(Math.min(...working));
      }
      const handoffs = cases.reduce((s, r) => s + rawHandoffs(r.id), 0);
      expect(body!.flatness.overall.cases).toBe(cases.length);
      expect(body!.flatness.overall.handoffs).toBe(handoffs);
      const trendReceived = body!.trend.points.reduce((s: number, p: Json) => s + p.received, 0);
      expect(trendReceived).toBe(cohort.length);
    });
  }

  it('exports each table as CSV with a BOM and Chinese headers', async () => {
    for (const table of ['summary', 'intervals', 'flatness', 'trend']) {
      const res = await signedIn({ app, db }, 'analyst')(`/api/review/indicators?format=csv&table=${table}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toContain(`review-${table}.csv`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = new TextDecoder().decode(bytes.slice(3));
      expect(text.split('\r\n')[0]).toMatch(/[\u4e00-\u9fff]/);
      expect(text.split('\r\n').length).toBeGreaterThan(2);
    }
    // TextDecoder keeps the BOM only when told to; Response.text() would drop it.
    const csvText = async (path: string) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(await (await signedIn({ app, db }, 'analyst')(path)).arrayBuffer());
    const ranking = await csvText('/api/review/rankings?format=csv');
    expect(ranking.startsWith('\uFEFF代码 key,名称 name')).toBe(true);
    expect(ranking).toContain('街道');
    const survival = await csvText('/api/review/survival?format=csv');
    expect(survival.startsWith('\uFEFF')).toBe(true);
  });
});

describe('GET /api/review/survival', () => {
  it('gives each subdistrict the Kaplan–Meier curve of its raw rows, open cases censored at now', async () => {
    const from = now - 180 * DAY;
    const { status, body } = await get(`/api/review/survival?from=${fmtDay(from)}&to=${fmtDay(now)}&by=subdistrict`);
    expect(status).toBe(200);
    expect(body!.curves).toHaveLength(12);
    const to = Date.parse(`${fmtDay(now)}T00:00:00+08:00`) + DAY;
    for (const curve of body!.curves as Json[]) {
      const rows = raw.filter((r) => r.subdistrict_code === curve.key && r.status !== 'rejected' && r.reported_at >= Date.parse(`${fmtDay(from)}T00:00:00+08:00`) && r.reported_at < to);
      const done = rows.map((r) => r.status === 'closed' || r.status === 'evaluated');
      const hours = rows.map((r, i) => Math.max(0, Math.ceil(((done[i] ? r.closed_at! : Math.max(now, r.reported_at)) - r.reported_at) / HOUR)));
      const km = kaplanMeier(hours, done);
      expect(curve.n).toBe(rows.length);
      expect(curve.open).toBe(done.filter((d) => !d).length);
      expect(curve.medianHours).toBe(km.median);
      expect(curve.points.length).toBe(km.steps.length);
      const mid = km.steps[Math.floor(km.steps.length / 2)];
      const p = curve.points.find((x: Json) => x.t === mid.t);
      expect(p.survival).toBeCloseTo(mid.survival, 12);
      expect(p.lower).toBeCloseTo(mid.lower, 12);
      expect(p.upper).toBeCloseTo(mid.upper, 12);
      expect(curve.name).toMatch(/街道|镇|乡/);
    }
  });
});

describe('GET /api/review/rankings', () => {
  it('ranks subdistricts by score with the district figure, 环比 and 同比', async () => {
    const { status, body } = await get('/api/review/rankings?month=2026-10&by=subdistrict');
    expect(status).toBe(200);
    expect(body!.rows).toHaveLength(12);
    const from = Date.parse('2026-10-01T00:00:00+08:00');
    const to = Date.parse('2026-11-01T00:00:00+08:00');
    expect(body!.district.received).toBe(raw.filter((r) => r.reported_at >= from && r.reported_at < to).length);
    const sum = (body!.rows as Json[]).reduce((s, r) => s + r.current.received, 0);
    expect(sum).toBe(body!.district.received);
    const scores = (body!.rows as Json[]).map((r) => r.current.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    for (const r of body!.rows as Json[]) {
      expect(r.vsDistrict).toBeCloseTo(r.current.score - body!.district.score, 9);
      expect(r.monthOnMonth).toBeCloseTo((r.current.score - r.previousScore) / r.previousScore, 9);
      expect(r.yearOnYear).toBeCloseTo((r.current.score - r.lastYearScore) / r.lastYearScore, 9);
    }
  });
});

describe('validation', () => {
  it.each([
    ['/api/review/indicators?subdistrict=4303', 'subdistrict'],
    ['/api/review/indicators?channel=fax', 'channel'],
    ['/api/review/indicators?from=2026-02-30', 'from'],
    ['/api/review/indicators?from=2026-06-01&to=2026-05-01', 'to'],
    ['/api/review/indicators?centre=mayor', 'centre'],
    ['/api/review/indicators?person=abc', 'person'],
    ['/api/review/indicators?table=everything', 'table'],
    ['/api/review/indicators?colour=red', 'colour'],
    ['/api/review/indicators?subdistrict=430302001&community=430302002001', 'community'],
    ['/api/review/survival?by=weather', 'by'],
    ['/api/review/rankings?month=2026-13', 'month'],
    ['/api/review/replay?day=yesterday', 'day'],
  ])('%s → 400 naming %s', async (path, name) => {
    const res = await signedIn({ app, db }, 'analyst')(path);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const p = (await res.json()) as Json;
    expect(p.errors[0].name).toBe(name);
  });
});

describe('following writes', () => {
  it('counts a new report and its filing on the next read', async () => {
    const before = (await get('/api/review/indicators')).body!.indicators;
    const place = blockPlaces(db)[0];
    const res = await signedIn({ app, db }, 'integration')('/api/events', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ category: '0102', text: '路边有暴露垃圾', lon: place.lon, lat: place.lat, channel: 'patrol', kind: 'incident' }),
    });
    expect(res.status).toBe(201);
    const ev = (await res.json()) as Json;
    const after = (await get('/api/review/indicators')).body!.indicators;
    expect(after.received).toBe(before.received + 1);
    expect(after.filed).toBe(before.filed);
    const staff = (await get(`/api/staff?role=centre-staff&subdistrict=${place.subdistrict}`)).body!.items as Json[];
    const dispatcher = staff.find((s) => s.unit?.key === 'guidance')!.id;
    const t = await signedIn({ app, db }, { staffId: dispatcher }).post(`/api/events/${ev.id}/transitions`, { to: 'filed' });
    expect(t.status, await t.clone().text()).toBe(200);
    expect((await get('/api/review/indicators')).body!.indicators.filed).toBe(before.filed + 1);
  });
});
