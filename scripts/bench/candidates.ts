/**
 * End-to-end recommendation and dispatch latency through app.request (no sockets) on the seeded Yuhu demo: cases
 * reported at building points spread over the district and filed by their subdistrict's dispatcher, then
 * GET /api/events/:id/candidates (block, centre and department tier; the pool query, the open-load query, one
 * reverse road search, scoring and the top-3 route geometry, serialized) and POST /api/events/:id/dispatch (the
 * transition, the route row and two live messages in one transaction). The first request pays the road graph's
 * build; it is reported apart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../server/app.ts';
import { authed, benchToken } from './auth.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { roadNetworkFor } from '../../server/services/road-network.ts';
import type { BenchResult } from './util.ts';

const SEED_NOW = Date.parse('2026-11-25T10:00:00+08:00');
const CASES_PER_TIER = 60;
const ROUNDS = 5;
/** Categories of each tier with staff positions in the demo (rapid-response centre staff, urban-management officers). */
const CATEGORY = { block: '0102', centre: '0103', department: '0501' } as const;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function benchCandidates(db: Db): Promise<Record<string, number>> {
  let clock = SEED_NOW + 3_600_000;
  const app = createApp({ db, now: () => clock });
  // Each subdistrict's dispatcher acts with their own token (the actor of a write is the signed-in caller).
  const tokens = new Map<number, string>();
  const as = (staffId: number) => {
    let token = tokens.get(staffId);
    if (token === undefined) tokens.set(staffId, (token = benchToken(db, { staffId })));
    return authed(app, token);
  };
  const reporter = authed(app, benchToken(db, { role: 'integration' }));
  const post = (path: string, body: unknown, send = reporter) =>
    send(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const places = db.prepare(
    `SELECT bd.lon, bd.lat, b.subdistrict_code AS subdistrict
       FROM block_buildings bb JOIN buildings bd ON bd.id = bb.building_id
       JOIN blocks b ON b.version_id = bb.version_id AND b.code = bb.block_code
      WHERE bb.version_id = (SELECT max(id) FROM boundary_versions)
      GROUP BY bb.block_code ORDER BY bb.block_code`,
  ).all() as { lon: number; lat: number; subdistrict: string }[];
  const dispatcher = db.prepare(
    `SELECT ra.staff_id AS id FROM role_assignments ra JOIN units u ON u.id = ra.unit_id
      WHERE u.kind = 'centre' AND u.key = 'guidance' AND u.subdistrict_code = ? AND ra.role = 'centre-staff' AND ra.valid_to IS NULL
      ORDER BY ra.id LIMIT 1`,
  );
  const cases: Record<keyof typeof CATEGORY, { id: number; actor: number }[]> = { block: [], centre: [], department: [] };
  for (const tier of Object.keys(CATEGORY) as (keyof typeof CATEGORY)[]) {
    for (let i = 0; i < CASES_PER_TIER; i++) {
      const p = places[Math.floor(((i + 0.5) * places.length) / CASES_PER_TIER)];
      const actor = (dispatcher.get(p.subdistrict) as { id: number }).id;
      const res = await post('/api/events', { category: CATEGORY[tier], text: 'bench', lon: p.lon, lat: p.lat, channel: 'patrol', kind: 'incident' });
      if (res.status !== 201) throw new Error(`report answered ${res.status}`);
      const { id } = (await res.json()) as { id: number };
      const filed = await post(`/api/events/${id}/transitions`, { to: 'filed' }, as(actor));
      if (filed.status !== 200) throw new Error(`file answered ${filed.status}`);
      cases[tier].push({ id, actor });
    }
  }

  const request = async ({ id, actor }: { id: number; actor: number }): Promise<[number, number]> => {
    const t0 = performance.now();
    const res = await as(actor)(`/api/events/${id}/candidates`);
    const body = await res.text();
    if (res.status !== 200) throw new Error(`candidates answered ${res.status}: ${body.slice(0, 200)}`);
    return [performance.now() - t0, (JSON.parse(body) as { items: unknown[] }).items.length];
  };
  const [coldMs] = await request(cases.block[0]);
  const stats = roadNetworkFor(db).stats();

  const out: Record<string, number> = { coldFirstRequestMs: round(coldMs, 1), graphBuildMs: round(stats?.buildMs ?? NaN, 1), roadLinks: stats?.links ?? 0 };
  for (const tier of Object.keys(CATEGORY) as (keyof typeof CATEGORY)[]) {
    const ms: number[] = [];
    let items = 0;
    for (let r = 0; r < ROUNDS; r++) {
      for (const c of cases[tier]) {
        const [t, n] = await request(c);
        ms.push(t);
        items += n;
      }
    }
    out[`${tier}MedianMs`] = round(quantile(ms, 0.5), 3);
    out[`${tier}P95Ms`] = round(quantile(ms, 0.95), 3);
    out[`${tier}ItemsAvg`] = round(items / ms.length, 1);
  }

  const dispatchMs: number[] = [];
  for (const c of cases.block) {
    clock += 1000;
    const t0 = performance.now();
    const res = await post(`/api/events/${c.id}/dispatch`, {}, as(c.actor));
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`dispatch answered ${res.status}`);
    dispatchMs.push(performance.now() - t0);
  }
  out.dispatchMedianMs = round(quantile(dispatchMs, 0.5), 3);
  out.dispatchP95Ms = round(quantile(dispatchMs, 0.95), 3);
  const t0 = performance.now();
  const active = await reporter('/api/routes/active');
  const activeBody = (await active.json()) as { items: unknown[] };
  out.activeRoutesMs = round(performance.now() - t0, 3);
  out.activeRoutes = activeBody.items.length;
  return out;
}

/**
 * As a `npm run bench` module: seeds the Yuhu demo into a temporary file (or copies nothing and uses GEZHI_BENCH_DB
 * when set — it writes cases there) and checks the goal: warm GET candidates median under 20 ms for every tier.
 */
export async function runCandidatesBench(): Promise<BenchResult> {
  const given = process.env.GEZHI_BENCH_DB;
  const dir = given ? null : mkdtempSync(join(tmpdir(), 'gezhi-bench-'));
  const db = openDatabase(given ?? join(dir!, 'bench.db'));
  try {
    if (!given) {
      const { seedDemo } = await import('../../server/db/seed/index.ts');
      await seedDemo(db, { now: SEED_NOW });
    }
    const m = await benchCandidates(db);
    const worst = Math.max(m.blockMedianMs, m.centreMedianMs, m.departmentMedianMs);
    return {
      name: 'candidates',
      description: `GET /api/events/:id/candidates and POST …/dispatch via app.request, ${CASES_PER_TIER} filed cases per tier × ${ROUNDS} rounds (${given ? 'GEZHI_BENCH_DB' : 'freshly seeded Yuhu demo'})`,
      metrics: m,
      checks: [{ name: 'warm candidates median < 20 ms (every tier)', pass: worst < 20, detail: `${worst} ms` }],
    };
  } finally {
    db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runCandidatesBench();
  console.log(r.description);
  console.table(r.metrics);
  for (const c of r.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
}
