/**
 * Review bench: the full indicator set (counts, rates, score, natural- and working-time percentiles of five
 * intervals, flatness, trend) district-wide and for one subdistrict × one category, and Kaplan–Meier curves for the
 * 12 subdistricts, over the transport bench's database (the seeded demo plus 1,000,000 synthetic events) with a log
 * copied for every synthetic event — against the same figures computed straight from the raw rows (SELECT the
 * window's rows and their log, filter, count, sort, as a report script would). The cube's one-off build, its
 * incremental catch-up after a write and its memory are reported too.
 *
 * GEZHI_BENCH_REVIEW_RUNS: runs per cube figure (default 5). GEZHI_BENCH_REVIEW_RAW_RUNS: runs of the raw path (default
 * 1: it takes minutes).
 */
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { fillMissingVerifyDue } from '../../server/db/commands/verify-due.ts';
import { MIGRATIONS } from '../../server/db/migrations.ts';
import { reviewQueries } from '../../server/db/queries/review.ts';
import { closedOnTime, verifyDueAt } from '../../server/domain/on-time.ts';
import { kaplanMeier } from '../../server/domain/stats/kaplan-meier.ts';
import { workingMsBetween } from '../../server/domain/working-time.ts';
import { createReviewService, type ReviewFilter } from '../../server/services/review.ts';
import { ROOT } from '../../tests/browser/harness.ts';
import { transportDatabase } from './transport.ts';
import { consume, median, now, round, type BenchResult } from './util.ts';

const N = Number(process.env.GEZHI_BENCH_TRANSPORT_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.GEZHI_BENCH_REVIEW_RUNS ?? 5);
const RAW_RUNS = Number(process.env.GEZHI_BENCH_REVIEW_RAW_RUNS ?? 1);
const GOAL_INDICATORS_MS = 300;
const GOAL_SURVIVAL_MS = 200;
const SYNTHETIC_ID_BASE = 100_000_000;
const TMP = join(ROOT, 'tests', '.tmp');
const HOUR = 3_600_000;
const SEED_NOW = Date.parse('2026-11-25T10:00:00+08:00');

/** The transport database plus, for each synthetic event, its source event's log moved to its time. Cached by N. */
async function reviewDatabase(): Promise<string> {
  const file = join(TMP, `review-${N}.db`);
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
  if (existsSync(file)) {
    const db = openDatabase(file, { readonly: true });
    const v = db.pragma('user_version', { simple: true });
    db.close();
    if (v === latest) return file;
  }
  const source = await transportDatabase(N);
  const tmp = join(TMP, `review-${N}-${process.pid}.db`);
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  copyFileSync(source, tmp);
  const db = openDatabase(tmp);
  const t0 = performance.now();
  // Each synthetic event copies the demo event with its text, category and lifecycle (transport.ts draws the
  // source by a hash of i); match them again by those columns' shifted times and copy the log.
  const demo = db.prepare(`SELECT count(*) FROM events WHERE id < ?`).pluck().get(SYNTHETIC_ID_BASE) as number;
  db.transaction(() => {
    db.prepare(
      `WITH src AS (SELECT row_number() OVER (ORDER BY id) - 1 AS r, id, reported_at FROM events WHERE id < :base)
       INSERT INTO event_log (event_id, at, actor_id, actor_role, from_status, to_status, assignee_id, note)
       SELECT e.id, l.at - s.reported_at + e.reported_at, l.actor_id, l.actor_role, l.from_status, l.to_status, l.assignee_id, l.note
         FROM events e
         JOIN src s ON s.r = ((e.id - :base) * 2654435761) % :demo
         JOIN event_log l ON l.event_id = s.id
        WHERE e.id >= :base
        ORDER BY e.id, l.at, l.id`,
    ).run({ base: SYNTHETIC_ID_BASE, demo });
  })();
  fillMissingVerifyDue(db, (t) => verifyDueAt(t));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  for (const f of [`${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  renameSync(tmp, file);
  console.log(`  built ${file}: logs for ${N} synthetic events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return file;
}

interface RawRow {
  id: number; status: string; category_code: string; subdistrict_code: string; reported_at: number;
  filed_at: number | null; dispatched_at: number | null; arrived_at: number | null; resolved_at: number | null;
  closed_at: number | null; due_at: number; verify_due_at: number | null; satisfaction: number | null;
  rework_count: number; extension_count: number;
}

/** The same figures straight from the rows: what the review would cost without the cube. */
function rawIndicators(db: Db, f: ReviewFilter, at: number): number {
  const where = [`(reported_at >= @from AND reported_at < @to OR due_at >= @from AND due_at < @to)`];
  if (f.subdistrict) where.push('subdistrict_code = @subdistrict');
  if (f.category) where.push(`substr(category_code, 1, ${f.category.length}) = @category`);
  const rows = db.prepare(
    `SELECT id, status, category_code, subdistrict_code, reported_at, filed_at, dispatched_at, arrived_at, resolved_at,
            closed_at, due_at, verify_due_at, satisfaction, rework_count, extension_count
       FROM events WHERE ${where.join(' AND ')}`,
  ).all({ from: f.from, to: f.to, subdistrict: f.subdistrict, category: f.category }) as RawRow[];
  const cohort = rows.filter((r) => r.reported_at >= f.from && r.reported_at < f.to);
  const cases = cohort.filter((r) => r.status !== 'rejected');
  let figures = cases.filter((r) => r.status === 'closed' || r.status === 'evaluated').length;
  figures += cases.filter((r) => r.rework_count > 0).length + cases.filter((r) => (r.satisfaction ?? 0) >= 4).length;
  for (const r of rows) if (r.due_at >= f.from && r.due_at < f.to && closedOnTime(r, at)) figures++;
  for (const col of ['filed_at', 'dispatched_at', 'arrived_at', 'resolved_at', 'closed_at'] as const) {
    const reached = cases.filter((r) => r[col] !== null);
    const natural = reached.map((r) => Math.floor((r[col]! - r.reported_at) / 60_000)).sort((a, b) => a - b);
    const working = reached.map((r) => Math.floor(workingMsBetween(r.reported_at, r[col]!) / 60_000)).sort((a, b) => a - b);
    figures += (natural[natural.length >> 1] ?? 0) + (working[working.length >> 1] ?? 0);
  }
  // Flatness: the log of every case in the cohort.
  const ids = new Set(cases.map((r) => r.id));
  let handoffs = 0;
  const last = new Map<number, number>();
  for (const l of db.prepare(`SELECT event_id, assignee_id FROM event_log ORDER BY event_id, at, id`).iterate() as Iterable<{ event_id: number; assignee_id: number | null }>) {
    if (!ids.has(l.event_id) || l.assignee_id === null) continue;
    if (last.get(l.event_id) !== l.assignee_id) {
      handoffs++;
      last.set(l.event_id, l.assignee_id);
    }
  }
  return figures + handoffs;
}

function rawSurvival(db: Db, f: ReviewFilter, at: number): number {
  const rows = db.prepare(
    `SELECT subdistrict_code, status, reported_at, closed_at FROM events WHERE reported_at >= ? AND reported_at < ? AND status <> 'rejected'`,
  ).all(f.from, f.to) as { subdistrict_code: string; status: string; reported_at: number; closed_at: number | null }[];
  const groups = new Map<string, { t: number[]; d: boolean[] }>();
  for (const r of rows) {
    if (!groups.has(r.subdistrict_code)) groups.set(r.subdistrict_code, { t: [], d: [] });
    const g = groups.get(r.subdistrict_code)!;
    const done = r.status === 'closed' || r.status === 'evaluated';
    g.t.push(Math.ceil(((done ? r.closed_at! : at) - r.reported_at) / HOUR));
    g.d.push(done);
  }
  let s = 0;
  for (const g of groups.values()) s += kaplanMeier(g.t, g.d).median ?? 0;
  return s;
}

/**
 * Wall time and this process's CPU time per run (medians). On a machine shared with other work the wall time
 * includes waiting for a core; the CPU time is what the figure itself costs.
 */
function time(fn: () => number, runs: number): { median: number; cpu: number; samples: number[] } {
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = now();
    consume(fn());
    samples.push(now() - t);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
  }
  return { median: median(samples), cpu: median(cpu), samples: samples.map((x) => round(x, 1)) };
}

export async function runReviewBench(): Promise<BenchResult> {
  const file = await reviewDatabase();
  const db = openDatabase(file);
  try {
    const at = SEED_NOW;
    const service = createReviewService(reviewQueries(db), () => at);
    const events = db.prepare(`SELECT count(*) FROM events`).pluck().get() as number;
    const logRows = db.prepare(`SELECT max(id) FROM event_log`).pluck().get() as number;
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const t0 = now();
    service.cube.refresh();
    const buildMs = now() - t0;
    global.gc?.();
    const cubeMb = (process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heap0) / 2 ** 20;

    const whole: ReviewFilter = { from: Date.parse('2021-12-01T00:00:00+08:00'), to: at };
    const top = db.prepare(`SELECT subdistrict_code AS s, substr(category_code, 1, 2) AS c, count(*) AS n FROM events GROUP BY 1, 2 ORDER BY n DESC LIMIT 1`).get() as { s: string; c: string };
    const slice: ReviewFilter = { ...whole, subdistrict: top.s, category: top.c };
    const district = time(() => service.indicators(whole).indicators.received, RUNS);
    const sliced = time(() => service.indicators(slice).indicators.received, RUNS);
    const survival = time(() => service.survival(whole, 'subdistrict').curves.length, RUNS);
    const groups = service.survival(whole, 'subdistrict').curves.length;
    const received = service.indicators(whole).indicators.received;

    // A write and the catch-up that follows it (one log row → one case re-read).
    const one = db.prepare(`SELECT max(id) FROM events`).pluck().get() as number | undefined;
    let catchUpMs = NaN;
    if (one !== undefined) {
      db.exec('BEGIN'); // rolled back below: the cached database stays as built
      db.prepare(`INSERT INTO event_log (event_id, at, actor_id, actor_role, from_status, to_status, assignee_id, note) VALUES (?, ?, NULL, 'system', NULL, 'closed', NULL, 'bench')`).run(one, at);
      catchUpMs = time(() => service.cube.refresh(), 1).median;
      db.exec('ROLLBACK');
    }

    const rawDistrict = time(() => rawIndicators(db, whole, at), RAW_RUNS);
    const rawSliced = time(() => rawIndicators(db, slice, at), RAW_RUNS);
    const rawKm = time(() => rawSurvival(db, whole, at), RAW_RUNS);
    const ratio = (a: number, b: number) => round(a / b, 1);
    return {
      name: 'review',
      description:
        `review indicators and KM curves over ${events} events (${logRows} log rows): the case cube (median of ${RUNS}) ` +
        `vs the same figures straight from the raw rows (median of ${RAW_RUNS})`,
      metrics: {
        events,
        casesInWindow: received,
        cubeBuildMs: round(buildMs, 0),
        cubeMemoryMb: round(cubeMb, 0),
        cubeCatchUpAfterWriteMs: round(catchUpMs, 2),
        indicatorsDistrictMs: round(district.median, 1),
        indicatorsDistrictCpuMs: round(district.cpu, 1),
        indicatorsSubdistrictCategoryMs: round(sliced.median, 1),
        indicatorsSubdistrictCategoryCpuMs: round(sliced.cpu, 1),
        survival12GroupsMs: round(survival.median, 1),
        survival12GroupsCpuMs: round(survival.cpu, 1),
        rawIndicatorsDistrictMs: round(rawDistrict.median, 0),
        rawIndicatorsSubdistrictCategoryMs: round(rawSliced.median, 0),
        rawSurvival12GroupsMs: round(rawKm.median, 0),
        rawOverCubeDistrict: ratio(rawDistrict.median, district.median),
        rawOverCubeSubdistrictCategory: ratio(rawSliced.median, sliced.median),
        rawOverCubeSurvival: ratio(rawKm.median, survival.median),
      },
      checks: [
        { name: `district indicators < ${GOAL_INDICATORS_MS} ms`, pass: district.median < GOAL_INDICATORS_MS, detail: `${round(district.median, 1)} ms (CPU ${round(district.cpu, 1)} ms) over ${received} cases` },
        { name: `subdistrict × category indicators < ${GOAL_INDICATORS_MS} ms`, pass: sliced.median < GOAL_INDICATORS_MS, detail: `${round(sliced.median, 1)} ms (CPU ${round(sliced.cpu, 1)} ms; ${top.s} × ${top.c})` },
        { name: `KM curves for 12 groups < ${GOAL_SURVIVAL_MS} ms`, pass: survival.median < GOAL_SURVIVAL_MS && groups === 12, detail: `${round(survival.median, 1)} ms (CPU ${round(survival.cpu, 1)} ms), ${groups} groups` },
      ],
      details: { district, sliced, survival, rawDistrict, rawSliced, rawKm, slice: top },
    };
  } finally {
    db.close();
  }
}
