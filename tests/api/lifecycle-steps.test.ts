/**
 * The added lifecycle steps through the API on a copy of the seeded database: 挂账 with the clock paused across a
 * weekend, 作废, 督办 at department level, 回访 with 不满意 → 重办, 核实 before filing a hotline report, photo evidence
 * stored and returned, the extension cap, verifiers outside the handling unit, and the sweep's 处置超期 / 核查超期 split.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { VERIFY_BREACH_NOTE } from '../../server/domain/escalation.ts';
import { addWorkingTime } from '../../server/domain/working-time.ts';
import { sweepEscalations } from '../../server/services/escalation-sweeper.ts';
import { readProblem } from './fixture.ts';
import { blockPlaces, seededCopy, type BlockPlace } from '../helpers/seeded.ts';
import { postAs, signedIn } from '../helpers/signed-in.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const HOUR = 3_600_000;
const at = (s: string) => Date.parse(`${s}+08:00`);

let db: Db;
let app: ReturnType<typeof createApp>;
let clock = at('2026-11-26T09:00:00');
let places: BlockPlace[] = [];
let nextPlace = 3;

beforeAll(() => {
  db = openDatabase(seededCopy('lifecycle-steps'));
  app = createApp({ db, now: () => clock });
  places = blockPlaces(db);
});
afterAll(() => db?.close());

const place = () => places[(nextPlace += 11) % places.length];

function people(p: BlockPlace) {
  const one = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { id: number }).id;
  const centre = (key: string, role: string) =>
    one(`SELECT ra.staff_id AS id FROM role_assignments ra JOIN units u ON u.id = ra.unit_id
          WHERE u.kind = 'centre' AND u.key = ? AND u.subdistrict_code = ? AND ra.role = ? AND ra.valid_to IS NULL ORDER BY ra.id LIMIT 1`, key, p.subdistrict, role);
  const block = (role: string) =>
    one(`SELECT staff_id AS id FROM role_assignments WHERE block_code = ? AND role = ? AND valid_to IS NULL ORDER BY id LIMIT 1`, p.block, role);
  return {
    dispatcher: centre('guidance', 'centre-staff'), inspector: centre('guidance', 'centre-inspector'),
    livelihoodInspector: centre('livelihood', 'centre-inspector'), supervisor: block('supervisor'), governor: block('governor'),
  };
}
type People = ReturnType<typeof people>;

/** Writes as the body's actor (reports as an integration), through `target` (an app over the same database). */
const post = (path: string, body: unknown, target = app) => postAs({ app: target, db }, 'integration')(path, body);
const read = (path: string) => signedIn({ app, db }, 'admin')(path);
const counts = () =>
  db.prepare(`SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM event_log) AS log,
    (SELECT count(*) FROM live_messages) AS live, (SELECT count(*) FROM event_log_photos) AS photos`).get() as Json;

async function report(p: BlockPlace, extra: Json = {}): Promise<Json> {
  const res = await post('/api/events', { category: '0102', text: '路边有暴露垃圾', lon: p.lon, lat: p.lat, channel: 'patrol', kind: 'incident', ...extra });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

async function move(id: number, body: Json, expectStatus = 200, target = app): Promise<Json> {
  const res = await post(`/api/events/${id}/transitions`, body, target);
  if (res.status !== expectStatus) throw new Error(`${JSON.stringify(body)} → ${res.status}: ${await res.text()}`);
  return res.status === 200 ? res.json() : readProblem(res);
}

async function caseAt(status: 'filed' | 'accepted' | 'arrived' | 'resolved' | 'closed', p = place()): Promise<{ id: number; who: People; e: Json }> {
  const who = people(p);
  let e = await report(p);
  const steps: Json[] = [
    { to: 'filed', actor: who.dispatcher },
    { to: 'dispatched', actor: who.dispatcher, assignee: who.governor },
    { to: 'accepted', actor: who.governor },
    { to: 'arrived', actor: who.governor },
    { to: 'resolved', actor: who.governor },
    { to: 'closed', actor: who.supervisor },
  ];
  const n = { filed: 1, accepted: 3, arrived: 4, resolved: 5, closed: 6 }[status];
  for (const s of steps.slice(0, n)) e = await move(e.id, s);
  return { id: e.id, who, e };
}

const lastMessage = () => {
  const m = db.prepare(`SELECT type, payload FROM live_messages ORDER BY id DESC LIMIT 1`).get() as { type: string; payload: string };
  return { type: m.type, ...JSON.parse(m.payload) } as Json;
};

describe('挂账 · 缓办 through the API', () => {
  it('suspends with a reason and review date, leaves the overdue board, resumes with due time moved by the paused working time', async () => {
    clock = at('2026-11-27T15:00:00'); // Friday
    const { id, who, e } = await caseAt('accepted');
    const due0 = Date.parse(e.dueAt);
    clock = at('2026-11-27T16:30:00');
    await move(id, { to: 'suspend', actor: who.dispatcher, reason: '等待产权单位答复' }, 422);
    await move(id, { to: 'suspend', actor: who.dispatcher, reason: 'x', reviewAt: 'next week' }, 400);
    await move(id, { to: 'suspend', actor: who.governor, reason: 'x', reviewAt: '2026-12-01' }, 403);
    const s = await move(id, { to: 'suspend', actor: who.dispatcher, reason: '等待产权单位答复', reviewAt: '2026-12-01' });
    expect(s).toMatchObject({ status: 'suspended', suspendedFrom: 'accepted', reviewAt: '2026-12-01T00:00:00.000+08:00', overdue: false });
    expect(lastMessage()).toMatchObject({ type: 'event.transitioned', id, transition: 'suspend', to: 'suspended', reason: '等待产权单位答复' });
    // Long past due while suspended: not overdue, not swept, not on the board.
    const later = due0 + 48 * HOUR;
    clock = later;
    sweepEscalations(db, later);
    expect(db.prepare(`SELECT breached_at AS b FROM events WHERE id = ?`).get(id)).toEqual({ b: null });
    const board = await (await read('/api/events/overdue?include=warning&limit=5000')).json();
    expect(board.items.map((x: Json) => x.id)).not.toContain(id);
    // Monday 10:30: 3 working hours paused (Fri 16:30–17:30, Mon 08:30–10:30).
    clock = at('2026-11-30T10:30:00');
    const r = await move(id, { to: 'resume', actor: who.inspector });
    expect(r).toMatchObject({ status: 'accepted', suspendedAt: null, reviewAt: null });
    expect(Date.parse(r.dueAt)).toBe(addWorkingTime(due0, 3, 'working-hours'));
    expect(r.log.at(-1)).toMatchObject({ from: 'suspended', to: 'accepted', note: '恢复办理：停表3个工作小时' });
    await move(id, { to: 'resume', actor: who.dispatcher }, 409);
  });
});

describe('作废 · 撤件', () => {
  it('voids a filed case with a reason; it is finished and off every open list', async () => {
    clock = at('2026-11-26T09:00:00');
    const { id, who } = await caseAt('filed');
    await move(id, { to: 'void', actor: who.dispatcher }, 422);
    const v = await move(id, { to: 'void', actor: who.dispatcher, reason: '报事人撤回' });
    expect(v).toMatchObject({ status: 'voided', overdue: false });
    expect(v.voidedAt).not.toBeNull();
    const open = await (await read(`/api/events?status=open&block=${v.blockCode}&limit=5000`)).json();
    expect(open.items.map((x: Json) => x.id)).not.toContain(id);
    const p = await move(id, { to: 'file', actor: who.dispatcher }, 409);
    expect(p).toMatchObject({ reason: 'illegal-transition', allowed: [] });
  });
});

describe('督办 at department level', () => {
  it('urges without moving the tier, logged and announced; escalate stays refused at the top', async () => {
    clock = at('2026-11-26T09:00:00');
    const p = place();
    const { id, who } = await caseAt('accepted', p);
    const staffOf = (kind: string, role: string) =>
      (db.prepare(`SELECT ra.staff_id AS id FROM role_assignments ra JOIN units u ON u.id = ra.unit_id WHERE u.kind = ? AND u.subdistrict_code = ? AND ra.role = ? LIMIT 1`).get(kind, p.subdistrict, role) as { id: number }).id;
    await move(id, { to: 'escalate', actor: who.dispatcher, assignee: staffOf('centre', 'centre-staff') });
    const top = await move(id, { to: 'escalate', actor: who.dispatcher, assignee: staffOf('department', 'officer') });
    expect(top).toMatchObject({ tier: 'department', status: 'dispatched' });
    const refused = await move(id, { to: 'escalate', actor: who.dispatcher, assignee: staffOf('department', 'officer') }, 409);
    expect(refused).toMatchObject({ reason: 'already-top-tier' });
    expect(refused.allowed).toContain('urge');
    const before = counts();
    const u = await move(id, { to: 'urge', actor: who.dispatcher, reason: '群众多次反映，请今日办结' });
    expect(u).toMatchObject({ tier: 'department', status: 'dispatched', assignee: top.assignee });
    expect(u.log.at(-1)).toMatchObject({ from: 'dispatched', to: 'dispatched', note: '督办催办（大事公办）：群众多次反映，请今日办结' });
    expect(counts()).toEqual({ ...before, log: before.log + 1, live: before.live + 1 });
    expect(lastMessage()).toMatchObject({ transition: 'urge', tier: 'department', reason: '群众多次反映，请今日办结' });
  });
});

describe('回访 and 不满意 → 重办', () => {
  it('不满意 reopens the case to its handler on a new clock; 满意 evaluates it', async () => {
    clock = at('2026-11-26T09:00:00');
    const { id, who } = await caseAt('closed');
    clock = at('2026-11-26T11:00:00');
    await move(id, { to: 'revisit', actor: who.dispatcher, result: 'so-so' }, 422);
    await move(id, { to: 'revisit', actor: 'resident', result: 'satisfied' }, 403);
    const redo = await move(id, { to: 'revisit', actor: who.dispatcher, result: 'dissatisfied', reason: '垃圾又堆起来了' });
    expect(redo).toMatchObject({ status: 'accepted', reworkCount: 1, resolvedAt: null, closedAt: null, assignee: { id: who.governor }, satisfaction: 1 });
    expect(Date.parse(redo.dueAt)).toBe(addWorkingTime(clock, 4, 'working-hours'));
    expect(lastMessage()).toMatchObject({ transition: 'revisit', from: 'closed', to: 'accepted', result: 'dissatisfied' });
    await move(id, { to: 'arrived', actor: who.governor });
    await move(id, { to: 'resolved', actor: who.governor });
    await move(id, { to: 'closed', actor: who.supervisor });
    const ok = await move(id, { to: 'revisit', actor: who.inspector, result: 'satisfied' });
    expect(ok).toMatchObject({ status: 'evaluated', satisfaction: 5 });
  });
});

describe('核实 before filing a hotline report', () => {
  it('the dispatcher cannot file it until the block supervisor has checked it on site', async () => {
    clock = at('2026-11-26T09:00:00');
    const p = place();
    const who = people(p);
    const e = await report(p, { channel: 'hotline', kind: 'demand' });
    const refused = await move(e.id, { to: 'file', actor: who.dispatcher }, 409);
    expect(refused).toMatchObject({ reason: 'report-not-verified', allowed: ['reject'] });
    await move(e.id, { to: 'verify-report', actor: who.dispatcher }, 403);
    const v = await move(e.id, { to: 'verify-report', actor: who.supervisor, note: '现场确有垃圾' });
    expect(v).toMatchObject({ status: 'reported' });
    expect(v.reportVerifiedAt).not.toBeNull();
    expect(v.log.at(-1)).toMatchObject({ from: 'reported', to: 'reported', actorRole: 'supervisor', note: '现场核实：现场确有垃圾' });
    await move(e.id, { to: 'verify-report', actor: who.supervisor }, 409);
    expect((await move(e.id, { to: 'file', actor: who.dispatcher })).status).toBe('filed');
  });
});

describe('photo evidence', () => {
  const before = { kind: 'before', url: 'https://files.yuhu.gov.cn/case/1/before.jpg' };
  const after = { kind: 'after', url: 'https://files.yuhu.gov.cn/case/1/after.jpg' };

  it('stored per log row with resolve and close, returned with the log', async () => {
    clock = at('2026-11-26T09:00:00');
    const { id, who } = await caseAt('arrived');
    const before0 = counts();
    const r = await move(id, { to: 'resolve', actor: who.governor, photos: [before, after] });
    expect(r.log.at(-1)).toMatchObject({ to: 'resolved', photos: [before, after] });
    expect(counts().photos).toBe(before0.photos + 2);
    const c = await move(id, { to: 'close', actor: who.supervisor, photos: [after] });
    const got = await (await read(`/api/events/${id}`)).json();
    expect(got.log.at(-1)).toMatchObject({ to: 'closed', photos: [after] });
    expect(got.log.at(-2)).toMatchObject({ to: 'resolved', photos: [before, after] });
    expect(got.log[0].photos).toEqual([]);
    expect(c.log).toEqual(got.log);
  });

  it('bad photos are refused with the field named, nothing written', async () => {
    const { id, who } = await caseAt('arrived');
    const before0 = counts();
    const bad = async (photos: unknown, status: number, name: string) => {
      const p = await move(id, { to: 'resolve', actor: who.governor, photos }, status);
      expect(p.errors?.[0]?.name).toBe(name);
    };
    await bad([{ kind: 'during', url: after.url }], 400, 'photos[0].kind');
    await bad([{ kind: 'after', url: 'javascript:alert(1)' }], 400, 'photos[0].url');
    await bad([{ kind: 'after', url: `https://x.cn/${'a'.repeat(1000)}` }], 400, 'photos[0].url');
    await bad(Array(10).fill(after), 400, 'photos');
    await bad('after.jpg', 400, 'photos');
    expect(counts()).toEqual(before0);
    const other = await caseAt('filed');
    const p = await move(other.id, { to: 'urge', actor: other.who.dispatcher, reason: 'x', photos: [after] }, 422);
    expect(p).toMatchObject({ reason: 'photos-not-accepted' });
  });
});

describe('the extension cap', () => {
  it('two approved extensions by default; a third request is refused with the reason; the cap is configurable', async () => {
    clock = at('2026-11-26T09:00:00');
    const { id, who } = await caseAt('accepted');
    for (let i = 0; i < 2; i++) {
      await move(id, { to: 'extension-request', actor: who.governor, hours: 2, reason: '需协调' });
      await move(id, { to: 'extension-approve', actor: who.dispatcher });
    }
    const p = await move(id, { to: 'extension-request', actor: who.governor, hours: 2, reason: '还需协调' }, 409);
    expect(p).toMatchObject({ reason: 'extension-cap-reached' });
    const strict = createApp({ db, now: () => clock, maxExtensions: 0 });
    const other = await caseAt('accepted');
    const q = await move(other.id, { to: 'extension-request', actor: other.who.governor, hours: 2, reason: 'x' }, 409, strict);
    expect(q).toMatchObject({ reason: 'extension-cap-reached' });
  });
});

describe('管办分离: who may verify', () => {
  it("the handling side's own centre inspector may not close; the guidance inspector and the supervisor may", async () => {
    clock = at('2026-11-26T09:00:00');
    const a = await caseAt('resolved');
    expect(await move(a.id, { to: 'close', actor: a.who.livelihoodInspector }, 403)).toMatchObject({ reason: 'actor-not-permitted' });
    expect((await move(a.id, { to: 'close', actor: a.who.inspector })).status).toBe('closed');
    const b = await caseAt('resolved');
    expect((await move(b.id, { to: 'rework', actor: b.who.supervisor, reason: '未清理干净' })).status).toBe('accepted');
  });
});

describe('the sweep: 处置超期 is the handler’s, 核查超期 the verifier’s', () => {
  it('a case resolved on time is marked 核查超期 when verification is late, never 超期', async () => {
    clock = at('2026-11-26T09:00:00');
    const onTime = await caseAt('resolved');
    const late = await caseAt('arrived');
    const row = (id: number) => db.prepare(`SELECT due_at AS due, breached_at AS b, verify_breached_at AS vb FROM events WHERE id = ?`).get(id) as Json;
    const due = row(onTime.id).due as number;
    const verifyDue = due + 2 * HOUR;
    db.prepare(`UPDATE events SET verify_due_at = ? WHERE id = ?`).run(verifyDue, onTime.id);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM events e INDEXED BY events_verify_due WHERE e.verify_breached_at IS NULL AND e.status = 'resolved' AND e.verify_due_at <= 1`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan).toMatch(/SEARCH e USING INDEX events_verify_due \(verify_due_at<\?\)/);
    // Past due, before the verification deadline: the unresolved one is the handler's breach; the resolved one nothing.
    sweepEscalations(db, due + HOUR);
    expect(row(onTime.id)).toMatchObject({ b: null, vb: null });
    expect(row(late.id).b).toBe(due + HOUR);
    const res = sweepEscalations(db, verifyDue);
    expect(res.verifyBreached).toBeGreaterThanOrEqual(1);
    expect(row(onTime.id)).toMatchObject({ b: null, vb: verifyDue });
    const log = db.prepare(`SELECT note, actor_role, from_status, to_status FROM event_log WHERE event_id = ? ORDER BY id DESC LIMIT 1`).get(onTime.id);
    expect(log).toEqual({ note: VERIFY_BREACH_NOTE, actor_role: 'system', from_status: 'resolved', to_status: 'resolved' });
    const got = await (await read(`/api/events/${onTime.id}`)).json();
    expect(got).toMatchObject({ verifyOverdue: true, escalated: false });
    // Once marked, never again.
    sweepEscalations(db, verifyDue + HOUR);
    expect((db.prepare(`SELECT count(*) AS n FROM event_log WHERE event_id = ? AND note = ?`).get(onTime.id, VERIFY_BREACH_NOTE) as Json).n).toBe(1);
  });
});
