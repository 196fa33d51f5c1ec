/**
 * /api/plans over a private copy of the seeded Yuhu database: drafts, edits under optimistic concurrency (409 for a
 * stale revision), undo/redo, validation, figures, what-if replay, diff, publish as a new boundary version (teams,
 * re-located events, the old version kept), a retired code never given again, GeoJSON export and import.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seededApp, type SeededApp } from '../helpers/apps.ts';
import { signedIn, type Requester } from '../helpers/signed-in.ts';
import { readProblem } from './fixture.ts';

let s: SeededApp;
let planner: Requester;
const now = inject('seedNow');
beforeAll(() => {
  s = seededApp('plans', () => now);
  planner = signedIn({ app: s.app, db: s.db }, 'planner');
});
afterAll(() => s.db.close());

const post = (path: string, body: unknown) => planner.post(path, body);
const get = (path: string) => planner.get(path);
interface Member { id: number; lon: number; lat: number }
const membersOf = (code: string): Member[] =>
  s.db.prepare(`SELECT b.id, b.lon, b.lat FROM block_buildings bb JOIN buildings b ON b.id = bb.building_id WHERE bb.version_id = 1 AND bb.block_code = ? ORDER BY b.id`).all(code) as Member[];
const splitLine = (m: Member[]): [number, number][] => {
  const lon = m.reduce((t, x) => t + x.lon, 0) / m.length;
  return [[lon, m[0].lat - 0.05], [lon, m[0].lat + 0.05]];
};
/** An urban block with many buildings, split down the middle. */
const bigBlock = () => (s.db.prepare(`SELECT block_code AS code FROM block_buildings WHERE version_id = 1 AND block_code LIKE '430302001%' GROUP BY block_code HAVING count(*) >= 12 ORDER BY block_code LIMIT 1`).get() as { code: string }).code;

async function newPlan(name = '草案'): Promise<{ id: number; revision: number; author: string }> {
  const res = await post('/api/plans', { name, description: '测试' });
  expect(res.status).toBe(201);
  return res.json();
}

describe('/api/plans', () => {
  it('is the planner\'s: 401 without sign-in, 403 for a leader; the author and the audit log name the signed-in user', async () => {
    expect((await s.app.request('/api/plans')).status).toBe(401);
    expect((await signedIn({ app: s.app, db: s.db }, 'leader').get('/api/plans')).status).toBe(403);
    const p = await newPlan('审计');
    const audit = s.db.prepare(`SELECT actor FROM audit_log WHERE action = 'plan.create' ORDER BY id DESC LIMIT 1`).get() as { actor: string };
    expect(p.author).toBe(audit.actor);
    expect(p.author).not.toBe('');
  });

  it('splits a block along a line, refuses a stale revision with 409, undoes and redoes to the same geometry', async () => {
    const plan = await newPlan();
    expect(plan.revision).toBe(0);
    const code = bigBlock();
    const res = await post(`/api/plans/${plan.id}/edits`, { revision: 0, op: 'split', block: code, line: splitLine(membersOf(code)) });
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r.plan.revision).toBe(1);
    expect(r.blocks.map((b: { code: string }) => b.code)).toHaveLength(2);
    const [a, b] = r.blocks;
    expect(a.code).toBe(code);
    expect(b.code.slice(0, 12)).toBe(code.slice(0, 12));
    expect(a.metrics.buildings + b.metrics.buildings).toBe(membersOf(code).length);
    expect(a.metrics.households).toBeGreaterThan(0);
    expect(a.geometry.type).toMatch(/Polygon/);

    const stale = await post(`/api/plans/${plan.id}/edits`, { revision: 0, op: 'retire', block: code });
    expect(stale.status).toBe(409);
    const p = await readProblem(stale);
    expect(p.type).toBe('/problems/stale-plan');

    const undo = await (await post(`/api/plans/${plan.id}/undo`, { revision: 1 })).json();
    expect(undo.removed).toEqual([b.code]);
    const before = (await (await get(`/api/plans/${plan.id}/blocks`)).json()).features.find((f: { id: string }) => f.id === code);
    const redo = await (await post(`/api/plans/${plan.id}/redo`, { revision: 2 })).json();
    expect(JSON.stringify(redo.blocks[0].geometry)).toBe(JSON.stringify(a.geometry));
    expect(redo.plan.history).toHaveLength(1);
    const undo2 = await (await post(`/api/plans/${plan.id}/undo`, { revision: 3 })).json();
    const after = undo2.blocks.find((x: { code: string }) => x.code === code);
    expect(JSON.stringify(after.geometry)).toBe(JSON.stringify(before.geometry));
  });

  it('answers bad input with problem+json: 400 for the shape, 422 for an impossible edit, 404 for no plan', async () => {
    const plan = await newPlan();
    const cases: [string, unknown, number, string?][] = [
      [`/api/plans/${plan.id}/edits`, { revision: 0, op: 'paint' }, 400, 'op'],
      [`/api/plans/${plan.id}/edits`, { op: 'retire', block: bigBlock() }, 400, 'revision'],
      [`/api/plans/${plan.id}/edits`, { revision: 0, op: 'split', block: '123', line: [[1, 2], [3, 4]] }, 400, 'block'],
      [`/api/plans/${plan.id}/edits`, { revision: 0, op: 'split', block: bigBlock(), line: [[113, 27], [113.001, 27]] }, 422],
      [`/api/plans/${plan.id}/edits`, { revision: 0, op: 'merge', blocks: ['430302001001001', '430302202205002'] }, 422],
      [`/api/plans/${plan.id}/edits`, { revision: 0, op: 'move', buildings: [99_999_999], to: bigBlock() }, 422],
      ['/api/plans/99999/edits', { revision: 0, op: 'retire', block: bigBlock() }, 404],
      ['/api/plans', { name: '' }, 400, 'name'],
      ['/api/plans', { name: 'x', author: 'y' }, 400, 'author'],
      ['/api/plans/import', { name: 'x', geojson: { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[1, 2]]] } }] } }, 400],
      ['/api/plans/import', { name: 'x', geojson: { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [112.9, 27.9] } }] } }, 422],
    ];
    for (const [path, body, status, field] of cases) {
      const res = await post(path, body);
      expect(res.status, `${path} ${JSON.stringify(body).slice(0, 80)}`).toBe(status);
      const p = await readProblem(res);
      if (field) expect(p.errors?.[0].name).toBe(field);
    }
    expect((await get(`/api/plans/${plan.id}/replay?months=99`)).status).toBe(400);
    expect((await get(`/api/plans/${plan.id}`)).status).toBe(200);
    expect((await (await get(`/api/plans/${plan.id}`)).json()).revision).toBe(0); // nothing half-written
  });

  it('validates, compares figures with the published version, replays past events and lists the diff', async () => {
    const plan = await newPlan();
    const code = bigBlock();
    const r1 = await (await post(`/api/plans/${plan.id}/edits`, { revision: 0, op: 'split', block: code, line: splitLine(membersOf(code)) })).json();
    const created = r1.blocks[1].code;
    const v = await (await get(`/api/plans/${plan.id}/validation`)).json();
    expect(v.errors).toBe(0);
    expect(v.issues.filter((i: { inherited?: boolean }) => !i.inherited)).toEqual([]);

    const m = await (await get(`/api/plans/${plan.id}/metrics`)).json();
    expect(m.draft.totals.blocks).toBe(m.published.totals.blocks + 1);
    expect(m.draft.totals.households).toBe(m.published.totals.households);
    expect(m.draft.worst.length).toBeGreaterThan(0);

    const rp = await (await get(`/api/plans/${plan.id}/replay?months=12`)).json();
    const sum = (side: 'draft' | 'published') => rp.rows.reduce((t: number, x: Record<string, { volume: number } | null>) => t + (x[side]?.volume ?? 0), 0);
    expect(rp.events).toBeGreaterThan(5000);
    expect(sum('draft')).toBe(sum('published'));
    const row = rp.rows.find((x: { code: string }) => x.code === created);
    expect(row.published).toBeNull();
    expect(row.draft.volume).toBe(row.volumeChange);

    const diff = await (await get(`/api/plans/${plan.id}/diff`)).json();
    expect(diff.blocks).toEqual(expect.arrayContaining([{ code, change: 'changed' }, { code: created, change: 'added' }]));
    expect(diff.moved).toHaveLength(r1.blocks[1].metrics.buildings);
    expect(diff.moved.every((x: { from: string; to: string }) => x.from === code && x.to === created)).toBe(true);
  });

  it('flags a move that breaks a block in two, and will not publish it', async () => {
    const plan = await newPlan();
    const code = bigBlock();
    const m = membersOf(code);
    // The building farthest from the block's first building, moved into a block that does not touch it.
    const far = s.db.prepare(`SELECT code FROM blocks WHERE version_id = 1 AND code LIKE ? AND code <> ? ORDER BY code DESC LIMIT 1`).get(`${code.slice(0, 12)}%`, code) as { code: string };
    const res = await post(`/api/plans/${plan.id}/edits`, { revision: 0, op: 'move', buildings: [m[0].id], to: far.code });
    const r = await res.json();
    const bad = r.validation.issues.filter((i: { reason: string; severity: string }) => i.reason === 'not-contiguous' && i.severity === 'error');
    expect(bad.length).toBeGreaterThan(0);
    const pub = await post(`/api/plans/${plan.id}/publish`, { revision: 1, name: '新版', effectiveFrom: '2026-11-01T00:00:00+08:00' });
    expect(pub.status).toBe(409);
    expect((await readProblem(pub)).type).toBe('/problems/plan-not-publishable');
  });

  it('publishes a new version: teams required for new blocks, events re-located, old version kept, retired codes never reused', async () => {
    const plan = await newPlan('2026 调整');
    const code = bigBlock();
    const split = await (await post(`/api/plans/${plan.id}/edits`, { revision: 0, op: 'split', block: code, line: splitLine(membersOf(code)) })).json();
    const created = split.blocks[1].code;
    const nb = s.db.prepare(`SELECT code FROM blocks WHERE version_id = 1 AND code LIKE ? AND code NOT IN (?) ORDER BY code`).all(`${code.slice(0, 12)}%`, code) as { code: string }[];
    // Merge a neighbour of the same community into another (retiring its code), when one touches.
    let revision = 1;
    let retired: string | null = null;
    for (const a of nb) for (const b of nb) {
      if (retired || a.code === b.code) continue;
      const res = await post(`/api/plans/${plan.id}/edits`, { revision, op: 'merge', blocks: [a.code, b.code] });
      if (res.status === 200) (retired = b.code), revision++;
    }
    expect(retired).not.toBeNull();
    const v = await (await get(`/api/plans/${plan.id}/validation`)).json();
    expect(v.errors).toBe(0);

    const at = '2026-10-01T00:00:00+08:00';
    const noTeam = await post(`/api/plans/${plan.id}/publish`, { revision, name: '2026 调整版', effectiveFrom: at });
    expect(noTeam.status).toBe(409);
    expect((await noTeam.json()).missingTeams).toEqual([created]);
    const staff = s.db.prepare(`SELECT id FROM staff ORDER BY id DESC LIMIT 3`).all() as { id: number }[];
    const badTeam = await post(`/api/plans/${plan.id}/publish`, { revision, name: '2026 调整版', effectiveFrom: at, teams: { [created]: { governor: staff[0].id, assistants: [staff[0].id], supervisor: staff[2].id } } });
    expect(badTeam.status).toBe(422);
    const eventsBefore = s.db.prepare(`SELECT count(*) AS n FROM events WHERE reported_at >= ?`).get(Date.parse(at)) as { n: number };
    const old = await (await get('/api/blocks')).json();
    const res = await post(`/api/plans/${plan.id}/publish`, {
      revision, name: '2026 调整版', effectiveFrom: at,
      teams: { [created]: { governor: staff[0].id, assistants: [staff[1].id], supervisor: staff[2].id } },
    });
    expect(res.status).toBe(201);
    const pub = await res.json();
    expect(pub.relocatedEvents).toBe(eventsBefore.n);

    const now2 = await (await get('/api/blocks')).json();
    expect(now2.boundaryVersion.id).toBe(pub.versionId);
    const codes = now2.features.map((f: { id: string }) => f.id);
    expect(codes).toContain(created);
    expect(codes).not.toContain(retired);
    expect(now2.features.find((f: { id: string }) => f.id === created).properties.governor.id).toBe(staff[0].id);
    const was = await (await get('/api/blocks?version=1')).json();
    expect(was.boundaryVersion.id).toBe(1);
    expect(was.features.map((f: { id: string }) => f.id)).toEqual(old.features.map((f: { id: string }) => f.id));
    expect(JSON.stringify(was.features.map((f: { geometry: unknown }) => f.geometry))).toBe(JSON.stringify(old.features.map((f: { geometry: unknown }) => f.geometry)));
    expect((await get('/api/blocks?version=999')).status).toBe(404);
    const moved = s.db.prepare(`SELECT count(*) AS n FROM events WHERE reported_at >= ? AND version_id = ?`).get(Date.parse(at), pub.versionId) as { n: number };
    expect(moved.n).toBe(eventsBefore.n);
    const kept = s.db.prepare(`SELECT count(*) AS n FROM events WHERE reported_at < ? AND version_id = 1`).get(Date.parse(at)) as { n: number };
    expect(kept.n).toBeGreaterThan(0);

    // The published plan is closed; a new plan starts from the new version and never hands out the retired code.
    expect((await post(`/api/plans/${plan.id}/undo`, { revision: revision + 1 })).status).toBe(409);
    const next = await newPlan('下一轮');
    const target = s.db.prepare(`SELECT code FROM blocks WHERE version_id = ? AND code LIKE ? ORDER BY code LIMIT 1`).get(pub.versionId, `${retired!.slice(0, 12)}%`) as { code: string };
    const m = s.db.prepare(`SELECT b.id FROM block_buildings bb JOIN buildings b ON b.id = bb.building_id WHERE bb.version_id = ? AND bb.block_code = ? ORDER BY b.id LIMIT 1`).get(pub.versionId, target.code) as { id: number };
    const c = await (await post(`/api/plans/${next.id}/edits`, { revision: 0, op: 'create', buildings: [m.id] })).json();
    const fresh = c.blocks.find((b: { code: string }) => b.code !== target.code).code;
    expect(fresh).not.toBe(retired);
    expect(fresh).not.toBe(created);
  });

  it('exports a plan as GeoJSON and imports it back as the same membership, reporting unmatched parcels', async () => {
    const plan = await newPlan();
    const code = (s.db.prepare(`SELECT code FROM blocks WHERE version_id = (SELECT max(id) FROM boundary_versions) AND code LIKE '430302002%' ORDER BY code LIMIT 1`).get() as { code: string }).code;
    const v = (s.db.prepare(`SELECT max(id) AS id FROM boundary_versions`).get() as { id: number }).id;
    const m = s.db.prepare(`SELECT b.id, b.lon, b.lat FROM block_buildings bb JOIN buildings b ON b.id = bb.building_id WHERE bb.version_id = ? AND bb.block_code = ? ORDER BY b.id`).all(v, code) as Member[];
    const r = await post(`/api/plans/${plan.id}/edits`, { revision: 0, op: 'split', block: code, line: splitLine(m) });
    expect(r.status).toBe(200);
    const exp = await get(`/api/plans/${plan.id}/export`);
    expect(exp.headers.get('content-type')).toContain('application/geo+json');
    const fc = await exp.json();
    const res = await post('/api/plans/import', { name: '导入', geojson: fc });
    expect(res.status).toBe(201);
    const imp = await res.json();
    expect(imp.unmatched.length).toBeLessThan(20);
    const d1 = await (await get(`/api/plans/${plan.id}/diff`)).json();
    const d2 = await (await get(`/api/plans/${imp.plan.id}/diff`)).json();
    const unmatched = new Set(imp.unmatched.map((u: { building: number }) => u.building));
    expect(d2.moved).toEqual(d1.moved.filter((x: { building: number }) => !unmatched.has(x.building)));
    expect(d2.blocks).toEqual(d1.blocks);
  });
});
