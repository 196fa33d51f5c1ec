/**
 * Boundary planning bench, in one run, on the seeded Yuhu district (11,871 buildings, 667 blocks, 30,000 events):
 *   move-building   move one building into a neighbouring block: the delta, both blocks' unions (incremental) and
 *                   their figures (population, events, staff, shape, contiguity) — 200 random moves
 *   validate-plan   validate the whole 667-block plan from cold: every block's union and figures recomputed, then
 *                   balance and every rule
 *   replay-12m      what-if replay of the seed's last 12 months of cases: read from SQLite, each tied to its
 *                   building's parcel, counted under a draft and under the published version
 *   replay-1m       the same for 1,000,000 cases (the seed's cases, each repeated with its point moved up to 30 m),
 *                   parcel location included; read from memory
 * `tsx scripts/bench/plan.ts` runs this bench alone.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../server/db/database.ts';
import { MIGRATIONS } from '../../server/db/migrations.ts';
import { seedDemo } from '../../server/db/seed/index.ts';
import { moveEdit, splitEdit } from '../../server/domain/plan/edits.ts';
import { blockMetrics, planMetrics, type PlanInputs } from '../../server/domain/plan/metrics.ts';
import { eventsPerBuilding, monthsBefore, replayEvents } from '../../server/domain/plan/replay.ts';
import { PlanSession } from '../../server/domain/plan/session.ts';
import { validatePlan } from '../../server/domain/plan/validate.ts';
import { PlanWorkspace } from '../../server/services/plan-workspace.ts';
import { type BenchResult, consume, measure, prng, round } from './util.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SEED_NOW = Date.parse('2026-11-25T10:00:00+08:00');
const GOALS = { moveMs: 50, validateMs: 500, replay12mMs: 1000, replay1mMs: 10_000 };
const MOVES = 200;
const MILLION = 1_000_000;

async function seededDatabase(): Promise<string> {
  const dir = join(ROOT, 'tests', '.tmp');
  const file = join(dir, 'seeded.db');
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
  if (existsSync(file)) {
    const db = openDatabase(file, { readonly: true });
    const v = db.pragma('user_version', { simple: true });
    db.close();
    if (v === latest) return file;
  }
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `seeding-${process.pid}.db`);
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  const db = openDatabase(tmp);
  await seedDemo(db, { now: SEED_NOW });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  renameSync(tmp, file);
  return file;
}

export async function runPlanBench(): Promise<BenchResult> {
  const db = openDatabase(await seededDatabase(), { readonly: true });
  const ws = new PlanWorkspace(db);
  const t0 = performance.now();
  const base = ws.base(1);
  const loadMs = performance.now() - t0;
  const d = base.district;
  const staff = new Map<string, number>();
  for (const t of ws.q.teams(1, SEED_NOW)) if (t.role !== 'supervisor') staff.set(t.block_code, (staff.get(t.block_code) ?? 0) + 1);
  const ev = ws.replayEvents(SEED_NOW);
  const inputs: PlanInputs = { eventsPerBuilding: eventsPerBuilding(ev, d.size, monthsBefore(SEED_NOW, 12), SEED_NOW), staff };

  // A draft with a few splits, so the replay has something to compare.
  const session = new PlanSession(base);
  for (const code of base.codes().filter((_, k) => k % 50 === 0)) {
    const m = session.state.members(code);
    if (m.length < 4) continue;
    const lon = m.reduce((t, i) => t + d.lon[i], 0) / m.length;
    try {
      session.edit(splitEdit(session.state, code, [[lon, d.lat[m[0]] - 1], [lon, d.lat[m[0]] + 1]]));
    } catch {
      // a block whose buildings all stand on one side of its mean longitude: leave it
    }
  }
  planMetrics(session.state, inputs); // warm caches, as an open draft has them

  const u = prng(20261204);
  const s = session.state;
  const move = measure(() => {
    for (;;) {
      const i = Math.floor(u() * d.size);
      const around = s.blocksAround([i]);
      if (around.length === 0) continue;
      const from = s.codeOf(i);
      const delta = moveEdit(s, [d.ids[i]], around[Math.floor(u() * around.length)]);
      session.edit(delta);
      const a = blockMetrics(s, from, inputs);
      const b = blockMetrics(s, delta.moves[0][2], inputs);
      return a.households + b.households + Math.round(a.polsbyPopper * 1000);
    }
  }, MOVES, 20);

  const validate = measure(() => {
    const cold = session.state.clone(false);
    const v = validatePlan(planMetrics(cold, inputs), { changed: session.changedCodes() });
    return v.issues.length;
  }, 9, 2);

  const from12 = monthsBefore(SEED_NOW, 12);
  const replay12 = measure(() => {
    const cols = ws.q.replayColumns(from12, SEED_NOW);
    const building = d.locate(cols.lon, cols.lat);
    const r = replayEvents({ building, reportedAt: cols.reportedAt, late: cols.late, blockTier: cols.blockTier }, s.assignment(), new Set(s.codes()), base.assignment(), from12, SEED_NOW);
    return r.events;
  }, 9, 2);
  const events12 = replayEvents(ev, s.assignment(), new Set(s.codes()), base.assignment(), from12, SEED_NOW).events;

  // 1,000,000 cases: the seed's, repeated with points moved up to 30 m, spread over the last 12 months.
  const src = ev.columns;
  const n = src.lon.length;
  const lon = new Float64Array(MILLION), lat = new Float64Array(MILLION), at = new Float64Array(MILLION);
  const late = new Uint8Array(MILLION), tier = new Uint8Array(MILLION);
  for (let k = 0; k < MILLION; k++) {
    const j = k % n;
    lon[k] = src.lon[j] + (u() - 0.5) * 0.0006;
    lat[k] = src.lat[j] + (u() - 0.5) * 0.0005;
    at[k] = from12 + u() * (SEED_NOW - from12);
    late[k] = src.late[j];
    tier[k] = src.blockTier[j];
  }
  const replay1m = measure(() => {
    const building = d.locate(lon, lat);
    const r = replayEvents({ building, reportedAt: at, late, blockTier: tier }, s.assignment(), new Set(s.codes()), base.assignment(), from12, SEED_NOW);
    return r.events - r.unlocated;
  }, 3, 1);
  db.close();
  consume(events12);

  return {
    name: 'plan',
    description: `boundary planning over ${d.size} buildings and ${base.codes().length} blocks: one-building move (geometry + figures), whole-plan validation from cold, what-if replay of 12 months (${events12} cases) and of 1,000,000 cases`,
    metrics: {
      'load plan district (ms, once)': round(loadMs),
      'move one building median (ms)': round(move.median, 3),
      'move one building p-min (ms)': round(move.min, 3),
      'validate 667-block plan median (ms)': round(validate.median),
      'replay 12 months median (ms)': round(replay12.median),
      'replay 1,000,000 events median (ms)': round(replay1m.median),
    },
    checks: [
      { name: 'move one building', pass: move.median < GOALS.moveMs, detail: `${round(move.median, 3)} ms < ${GOALS.moveMs} ms` },
      { name: 'validate whole plan', pass: validate.median < GOALS.validateMs, detail: `${round(validate.median)} ms < ${GOALS.validateMs} ms` },
      { name: 'replay 12 months of seed events', pass: replay12.median < GOALS.replay12mMs, detail: `${round(replay12.median)} ms < ${GOALS.replay12mMs} ms` },
      { name: 'replay 1,000,000 events', pass: replay1m.median < GOALS.replay1mMs, detail: `${round(replay1m.median)} ms < ${GOALS.replay1mMs} ms` },
    ],
    details: { moveSamples: move.samples.length, validateSamples: validate.samples, replay12Samples: replay12.samples, replay1mSamples: replay1m.samples },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await runPlanBench();
  console.table(r.metrics);
  for (const c of r.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
}
