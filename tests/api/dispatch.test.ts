/**
 * Recommendation and dispatch through the API, on a copy of the seeded Yuhu database: candidates for block-,
 * centre- and department-tier cases (role fit, ranking, parts, reasons, routes from the staff position to the case
 * with non-decreasing times, one reverse search per request), dispatch to the top candidate and to a named one
 * (event, stored route, live messages, /api/routes/active), the route settled on arrival and cancelled on return,
 * and refusals that leave the database unchanged.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Db } from '../../server/db/database.ts';
import { WEIGHTS } from '../../server/domain/recommend.ts';
import { haversineMetres } from '../../server/geo/road-graph.ts';
import { Router } from '../../server/geo/routing.ts';
import { readProblem } from './fixture.ts';
import type { BlockPlace } from '../helpers/seeded.ts';
import { seededApp, type App } from '../helpers/apps.ts';
import { postAs, signedIn } from '../helpers/signed-in.ts';

const HOUR = 3_600_000;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let db: Db;
let app: App;
let clock = 0;
let place: () => BlockPlace;

type Place = BlockPlace;
beforeAll(() => {
  clock = inject('seedNow') + HOUR;
  ({ db, app, place } = seededApp('dispatch', () => clock, 11));
});
afterAll(() => db?.close());


/** Writes as the body's actor (reports as an integration); reads as an admin (all cases, every route). */
const post = (path: string, body: unknown) => postAs({ app, db }, 'integration')(path, body);
const read = (path: string) => signedIn({ app, db }, 'admin')(path);
const get = async (path: string): Promise<{ status: number; body: Json }> => {
  const res = await read(path);
  return { status: res.status, body: await res.json() };
};

const counts = () =>
  db.prepare(
    `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM event_log) AS log,
            (SELECT count(*) FROM live_messages) AS live, (SELECT count(*) FROM event_routes) AS routes,
            (SELECT count(*) FROM live_messages WHERE type = 'route.dispatched') AS routeMessages`,
  ).get() as { events: number; log: number; live: number; routes: number; routeMessages: number };

const dispatchers = new Map<string, number>();
/** A guidance-centre staff member of the subdistrict (a dispatcher), found through the staff API. */
async function dispatcherOf(subdistrict: string): Promise<number> {
  if (!dispatchers.has(subdistrict)) {
    const { status, body } = await get(`/api/staff?role=centre-staff&subdistrict=${subdistrict}`);
    expect(status).toBe(200);
    const d = (body.items as Json[]).find((s) => s.unit?.key === 'guidance');
    expect(d, `a guidance-centre staff member in ${subdistrict}`).toBeTruthy();
    dispatchers.set(subdistrict, d!.id);
  }
  return dispatchers.get(subdistrict)!;
}

const one = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { id: number } | undefined)?.id;
const supervisorOf = (block: string) =>
  one(`SELECT staff_id AS id FROM role_assignments WHERE block_code = ? AND role = 'supervisor' AND valid_to IS NULL`, block)!;

/** Reports a case at a place and files it; returns the event. */
async function filed(p: Place, category = '0102'): Promise<Json> {
  let res = await post('/api/events', { category, text: '路边有暴露垃圾', lon: p.lon, lat: p.lat, channel: 'patrol', kind: 'incident' });
  expect(res.status, await res.clone().text()).toBe(201);
  const ev = (await res.json()) as Json;
  res = await post(`/api/events/${ev.id}/transitions`, { to: 'filed', actor: await dispatcherOf(p.subdistrict) });
  expect(res.status, await res.clone().text()).toBe(200);
  return ev;
}

function checkRoute(route: { coordinates: [number, number][]; times: number[] }, from: Json, to: Json) {
  expect(route.coordinates.length).toBeGreaterThanOrEqual(2);
  expect(route.times.length).toBe(route.coordinates.length);
  expect(route.times[0]).toBe(0);
  for (let i = 1; i < route.times.length; i++) expect(route.times[i]).toBeGreaterThanOrEqual(route.times[i - 1]);
  const [sLon, sLat] = route.coordinates[0];
  const [eLon, eLat] = route.coordinates[route.coordinates.length - 1];
  expect(haversineMetres(sLon, sLat, from.lon, from.lat)).toBeLessThan(1);
  expect(haversineMetres(eLon, eLat, to.lon, to.lat)).toBeLessThan(1);
}

describe('GET /api/events/:id/candidates', () => {
  it('block tier: the block team and its neighbours, ranked, with parts, reasons and routes for the top 3 — from one reverse search', async () => {
    const p = place();
    const ev = await filed(p);
    const spy = vi.spyOn(Router.prototype, 'travelTimesTo');
    const point = vi.spyOn(Router.prototype, 'route');
    const { status, body } = await get(`/api/events/${ev.id}/candidates`);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(point).not.toHaveBeenCalled();
    spy.mockRestore();
    point.mockRestore();
    expect(status).toBe(200);
    expect(body).toMatchObject({ eventId: ev.id, tier: 'block', category: { code: '0102', name: expect.any(String) } });
    expect(body.dueAt).toMatch(/\+08:00$/);
    expect(body.remainingSeconds).toBe(Math.round((Date.parse(body.dueAt) - clock) / 1000));
    const items = body.items as Json[];
    expect(items.length).toBeGreaterThan(1);
    expect(items.length).toBeLessThanOrEqual(10);
    const supervisor = supervisorOf(p.block);
    for (const [k, c] of items.entries()) {
      expect(['governor', 'assistant']).toContain(c.staff.role);
      expect(c.staff.id).not.toBe(supervisor);
      expect(c.staff.blockCode).toMatch(new RegExp(`^${p.subdistrict}`));
      expect(c.owner).toBe(c.staff.blockCode === p.block);
      expect(c.reasons).toContain(c.owner ? 'own-block' : 'neighbour-block');
      const sum = WEIGHTS.eta * c.parts.eta + WEIGHTS.ownership * c.parts.ownership + WEIGHTS.load * c.parts.load + WEIGHTS.sla * c.parts.sla;
      expect(Math.abs(sum - c.score)).toBeLessThan(1e-5);
      for (const v of Object.values(c.parts) as number[]) expect(v >= 0 && v <= 1).toBe(true);
      if (k > 0) expect(c.score).toBeLessThanOrEqual(items[k - 1].score);
      expect(Number.isInteger(c.openLoad)).toBe(true);
      if (k < 3 && c.etaSeconds !== null) {
        checkRoute(c.route, c.position, ev);
        expect(c.route.times.at(-1)).toBeCloseTo(c.etaSeconds, 6);
        expect(c.distanceMetres).toBeGreaterThan(0);
      } else if (k >= 3) expect(c.route).toBeNull();
    }
    expect(items[0].owner || items[0].etaSeconds !== null).toBe(true);
    expect(items.filter((c) => c.reasons.includes('nearest')).length).toBeLessThanOrEqual(1);
    const limited = await get(`/api/events/${ev.id}/candidates?limit=2`);
    expect(limited.body.items.map((c: Json) => c.staff.id)).toEqual(items.slice(0, 2).map((c) => c.staff.id));
  });

  it('centre and department tiers: handlers of the responsible unit in the case’s subdistrict', async () => {
    for (const [category, key, role] of [['0103', 'rapid-response', 'centre-staff'], ['0501', 'urban-management', 'officer']] as const) {
      const p = place();
      const ev = await filed(p, category);
      const { status, body } = await get(`/api/events/${ev.id}/candidates?limit=100`);
      expect(status).toBe(200);
      expect(body.tier).toBe(role === 'officer' ? 'department' : 'centre');
      const expected = db.prepare(
        `SELECT DISTINCT ra.staff_id AS id FROM role_assignments ra JOIN units u ON u.id = ra.unit_id
          WHERE u.key = ? AND u.subdistrict_code = ? AND ra.role = ? AND ra.valid_to IS NULL`,
      ).all(key, p.subdistrict, role).map((r) => (r as { id: number }).id).sort((a, b) => a - b);
      expect(body.items.map((c: Json) => c.staff.id).sort((a: number, b: number) => a - b)).toEqual(expected.slice(0, 100));
      for (const c of body.items as Json[]) {
        expect(c.staff.unit).toMatchObject({ key, kind: role === 'officer' ? 'department' : 'centre' });
        expect(c.owner).toBe(true);
        expect(c.reasons).toContain('responsible-unit');
        if (c.position === null) expect(c.reasons).toContain('no-position');
      }
    }
  });

  it('404 for an unknown event, 409 with the allowed transitions for a case that is not filed, 400 for a bad limit', async () => {
    expect((await readProblem(await read('/api/events/99999999/candidates'))).status).toBe(404);
    const p = place();
    const res = await post('/api/events', { category: '0102', text: '路边有暴露垃圾', lon: p.lon, lat: p.lat, channel: 'patrol', kind: 'incident' });
    const ev = (await res.json()) as Json;
    const problem = (await readProblem(await read(`/api/events/${ev.id}/candidates`))) as Json;
    expect(problem.status).toBe(409);
    expect(problem.eventStatus).toBe('reported');
    expect(problem.allowed).toEqual(['file', 'reject', 'verify-report']); // what the status allows someone (核实: hotline, walk-in)
    expect((await readProblem(await read(`/api/events/${ev.id}/candidates?limit=0`))).status).toBe(400);
    expect((await readProblem(await read(`/api/events/${ev.id}/candidates?sort=x`))).status).toBe(400);
  });

  it('answers in milliseconds on the seeded district', async () => {
    const ev = await filed(place());
    await get(`/api/events/${ev.id}/candidates`);
    const ms: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      const res = await read(`/api/events/${ev.id}/candidates`);
      await res.arrayBuffer();
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    console.log(`GET candidates (block tier): median ${ms[15].toFixed(2)} ms, max ${ms[29].toFixed(2)} ms`);
    expect(ms[15]).toBeLessThan(50);
  });
});

describe('POST /api/events/:id/dispatch', () => {
  it('dispatches to the top candidate: transition, stored route, live messages, active routes', async () => {
    const p = place();
    const ev = await filed(p);
    const top = (await get(`/api/events/${ev.id}/candidates`)).body.items[0] as Json;
    const before = counts();
    const actor = await dispatcherOf(p.subdistrict);
    const res = await post(`/api/events/${ev.id}/dispatch`, { actor, reason: '就近派遣' });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.event).toMatchObject({ id: ev.id, status: 'dispatched', assignee: { id: top.staff.id, name: top.staff.name } });
    const shape = (await get(`/api/events/${ev.id}`)).body;
    expect(Object.keys(body.event).sort()).toEqual(Object.keys(shape).sort());
    const last = body.event.log.at(-1);
    expect(last).toMatchObject({ from: 'filed', to: 'dispatched', actor: { id: actor }, assignee: { id: top.staff.id } });
    expect(last.note).toContain('就近派遣');
    const route = body.route as Json;
    expect(route).toMatchObject({ eventId: ev.id, staffId: top.staff.id, staffName: top.staff.name, status: 'active', etaSeconds: top.etaSeconds });
    expect(route.createdAt).toMatch(/\+08:00$/);
    expect(route.distanceMetres).toBe(top.distanceMetres);
    checkRoute(route as never, top.position, ev);
    expect(route.coordinates).toEqual(top.route.coordinates);
    expect(route.times).toEqual(top.route.times);

    const after = counts();
    expect(after.events).toBe(before.events);
    expect(after.log).toBe(before.log + 1);
    expect(after.routes).toBe(before.routes + 1);
    expect(after.routeMessages).toBe(before.routeMessages + 1);
    expect(after.live).toBe(before.live + 2); // event.transitioned + route.dispatched
    const stored = db.prepare(`SELECT * FROM event_routes WHERE id = ?`).get(route.id) as Json;
    expect(stored).toMatchObject({ event_id: ev.id, staff_id: top.staff.id, status: 'active', created_at: clock });
    expect(JSON.parse(stored.geometry)).toEqual({ type: 'LineString', coordinates: route.coordinates });
    expect(JSON.parse(stored.times)).toEqual(route.times);
    const msg = db.prepare(`SELECT payload FROM live_messages WHERE type = 'route.dispatched' ORDER BY id DESC LIMIT 1`).get() as { payload: string };
    expect(JSON.parse(msg.payload)).toEqual(route);

    const active = (await get('/api/routes/active')).body.items as Json[];
    expect(active.find((r) => r.id === route.id)).toEqual(route);

    // the trip ends on arrival: accepted → arrived settles the route and the wall stops drawing it
    clock += 5 * 60_000;
    expect((await post(`/api/events/${ev.id}/transitions`, { to: 'accepted', actor: top.staff.id })).status).toBe(200);
    expect((db.prepare(`SELECT status FROM event_routes WHERE id = ?`).get(route.id) as Json).status).toBe('active');
    expect((await post(`/api/events/${ev.id}/transitions`, { to: 'arrived', actor: top.staff.id })).status).toBe(200);
    expect((db.prepare(`SELECT status FROM event_routes WHERE id = ?`).get(route.id) as Json).status).toBe('arrived');
    expect(((await get('/api/routes/active')).body.items as Json[]).some((r) => r.id === route.id)).toBe(false);
  });

  it('dispatches to a named assignee (not the top one); a return cancels the route and the case can be dispatched again', async () => {
    const p = place();
    const ev = await filed(p);
    const items = (await get(`/api/events/${ev.id}/candidates?limit=100`)).body.items as Json[];
    const pick = items.find((c, k) => k > 0 && c.etaSeconds !== null) ?? items[1];
    const actor = await dispatcherOf(p.subdistrict);
    let res = await post(`/api/events/${ev.id}/dispatch`, { actor, assignee: pick.staff.id });
    expect(res.status, await res.clone().text()).toBe(200);
    let body = (await res.json()) as Json;
    expect(body.event.assignee.id).toBe(pick.staff.id);
    expect(body.route?.staffId ?? pick.staff.id).toBe(pick.staff.id);
    if (pick.etaSeconds !== null) {
      expect(body.route.etaSeconds).toBe(pick.etaSeconds);
      checkRoute(body.route, pick.position, ev);
    }
    const first = body.route as Json | null;

    // 回退: the assignee returns it → the route is cancelled, the case is filed again and can be re-dispatched
    res = await post(`/api/events/${ev.id}/transitions`, { to: 'return', actor: pick.staff.id, reason: '不在辖区' });
    expect(res.status, await res.clone().text()).toBe(200);
    if (first) expect((db.prepare(`SELECT status FROM event_routes WHERE id = ?`).get(first.id) as Json).status).toBe('cancelled');
    expect((await get(`/api/events/${ev.id}/candidates`)).status).toBe(200);
    res = await post(`/api/events/${ev.id}/dispatch`, { actor });
    expect(res.status, await res.clone().text()).toBe(200);
    body = (await res.json()) as Json;
    expect(body.event.status).toBe('dispatched');
    expect((db.prepare(`SELECT count(*) AS n FROM event_routes WHERE event_id = ? AND status = 'active'`).get(ev.id) as Json).n).toBe(body.route ? 1 : 0);
  });

  it('refuses without writing: 409 when not filed, 422 for the supervisor or an ineligible assignee, 403 for a non-dispatcher, 404, 400', async () => {
    const p = place();
    const ev = await filed(p);
    const actor = await dispatcherOf(p.subdistrict);
    const before = counts();

    const supervisor = (await readProblem(await post(`/api/events/${ev.id}/dispatch`, { actor, assignee: supervisorOf(p.block) }))) as Json;
    expect(supervisor.status).toBe(422);
    expect(supervisor.reason).toBe('assignee-is-supervisor');
    expect(supervisor.errors[0].name).toBe('assignee');

    const stranger = one(
      `SELECT ra.staff_id AS id FROM role_assignments ra JOIN blocks b ON b.version_id = ra.version_id AND b.code = ra.block_code
        WHERE ra.role = 'governor' AND b.subdistrict_code <> ? AND ra.valid_to IS NULL LIMIT 1`, p.subdistrict)!;
    const ineligible = (await readProblem(await post(`/api/events/${ev.id}/dispatch`, { actor, assignee: stranger }))) as Json;
    expect(ineligible.status).toBe(422);
    expect(ineligible.reason).toBe('assignee-not-eligible');

    const governor = one(`SELECT staff_id AS id FROM role_assignments WHERE block_code = ? AND role = 'governor' AND valid_to IS NULL`, p.block)!;
    expect((await readProblem(await post(`/api/events/${ev.id}/dispatch`, { actor: governor }))).status).toBe(403);
    expect((await readProblem(await post(`/api/events/99999999/dispatch`, { actor }))).status).toBe(404);
    // The actor is the signed-in dispatcher: a body that names one is refused.
    const named = await readProblem(await signedIn({ app, db }, { staffId: actor }).post(`/api/events/${ev.id}/dispatch`, { actor }));
    expect(named).toMatchObject({ status: 400, errors: [{ name: 'actor' }] });
    expect((await readProblem(await post(`/api/events/${ev.id}/dispatch`, { actor, extra: 1 }))).status).toBe(400);
    expect((await readProblem(await signedIn({ app, db }, { staffId: actor }).post(`/api/events/${ev.id}/dispatch`, '[1]'))).status).toBe(400);
    expect(counts()).toEqual(before);
    expect((await get(`/api/events/${ev.id}`)).body.status).toBe('filed');

    // dispatched once; a second dispatch is illegal
    expect((await post(`/api/events/${ev.id}/dispatch`, { actor })).status).toBe(200);
    const mid = counts();
    const illegal = (await readProblem(await post(`/api/events/${ev.id}/dispatch`, { actor }))) as Json;
    expect(illegal.status).toBe(409);
    expect(illegal.eventStatus).toBe('dispatched');
    expect(illegal.allowed).toEqual(expect.arrayContaining(['reassign']));
    expect(illegal.allowed).not.toContain('dispatch');
    expect(counts()).toEqual(mid);
    const cands = (await readProblem(await read(`/api/events/${ev.id}/candidates`))) as Json;
    expect(cands.status).toBe(409);
    expect(cands.allowed).toContain('reassign');
  });
});
