import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCKS, NOW, OPEN, readProblem, type Fixture, type FixtureEvent } from './fixture.ts';
import { fixtureApp } from '../helpers/apps.ts';
import type { Requester } from '../helpers/signed-in.ts';

let fx: Fixture;
/** Requests as a leader: signed in, district-wide reads. */
let api: Requester;

beforeAll(() => {
  const made = fixtureApp();
  fx = made.fx;
  api = made.as('leader');
});
afterAll(() => fx.db.close());

interface Page {
  items: { id: number; status: string; overdue: boolean; blockCode: string; category: { code: string }; reportedAt: string; lon: number; lat: number }[];
  nextCursor: string | null;
}

const get = async (qs: string): Promise<Page> => {
  const res = await api(`/api/events${qs}`);
  expect(res.status, `${qs}: ${res.status}`).toBe(200);
  return res.json();
};

/** Follows nextCursor to the end and returns every id in order. */
async function all(qs: string, limit: number): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = qs ? '&' : '?';
    const page: Page = await get(`${qs}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((e) => e.id));
    cursor = page.nextCursor;
    if (++pages > 100) throw new Error('pagination does not end');
  } while (cursor);
  return ids;
}

const order = (evs: FixtureEvent[]) =>
  [...evs].sort((a, b) => b.reportedAt - a.reportedAt || b.id - a.id).map((e) => e.id);

describe('GET /api/events', () => {
  it('lists newest first with ISO +08:00 times and the summary shape', async () => {
    const page = await get('');
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((e) => e.id)).toEqual(order(fx.events));
    const e = (await get('?limit=1')).items[0] as unknown as Record<string, unknown>;
    expect(Object.keys(e).sort()).toEqual([
      'assignee', 'blockCode', 'caseNo', 'category', 'channel', 'closedAt', 'communityCode', 'dueAt', 'id', 'kind', 'lat',
      'lon', 'overdue', 'priority', 'reportedAt', 'status', 'subdistrictCode', 'tier',
    ]);
    expect(e.reportedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
  });

  it('paginates with cursors covering every row exactly once, ties on reported_at broken by id', async () => {
    for (const limit of [1, 2, 3, 7, 30, 31]) {
      const ids = await all('', limit);
      expect(ids, `limit ${limit}`).toEqual(order(fx.events));
    }
    const open = await all('?status=open', 4);
    expect(open).toEqual(order(fx.events.filter((e) => OPEN.includes(e.status))));
  });

  it('filters by status list, open and overdue', async () => {
    const closed = await get('?status=closed,evaluated');
    expect(closed.items.map((e) => e.id)).toEqual(order(fx.events.filter((e) => e.status === 'closed' || e.status === 'evaluated')));
    const overdue = await get('?status=overdue');
    const expected = order(fx.events.filter((e) => OPEN.includes(e.status) && e.dueAt < NOW));
    expect(expected.length).toBeGreaterThan(0);
    expect(overdue.items.map((e) => e.id)).toEqual(expected);
    expect(overdue.items.every((e) => e.overdue)).toBe(true);
    const mixed = await get('?status=overdue,rejected');
    expect(mixed.items.map((e) => e.id)).toEqual(order(fx.events.filter((e) => (OPEN.includes(e.status) && e.dueAt < NOW) || e.status === 'rejected')));
  });

  it('filters by category (major or minor), block, bbox and time window', async () => {
    expect((await get('?category=01')).items.map((e) => e.id)).toEqual(order(fx.events.filter((e) => e.category.startsWith('01'))));
    expect((await get('?category=5101')).items.map((e) => e.id)).toEqual(order(fx.events.filter((e) => e.category === '5101')));
    expect((await get('?category=99')).items).toEqual([]);
    expect((await get(`?block=${BLOCKS[3]}`)).items.map((e) => e.id)).toEqual(order(fx.events.filter((e) => e.block === BLOCKS[3])));
    const bbox = [112.81, 27.85, 112.83, 27.86];
    expect((await get(`?bbox=${bbox.join(',')}`)).items.map((e) => e.id)).toEqual(
      order(fx.events.filter((e) => e.lon >= bbox[0] && e.lon <= bbox[2] && e.lat >= bbox[1] && e.lat <= bbox[3])),
    );
    const from = NOW - 24 * 3_600_000;
    const to = NOW - 6 * 3_600_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    expect((await get(`?from=${iso(from)}&to=${iso(to)}`)).items.map((e) => e.id)).toEqual(
      order(fx.events.filter((e) => e.reportedAt >= from && e.reportedAt < to)),
    );
    // Bare dates are Shanghai days; to=that day includes the whole day.
    const day = await get('?from=2024-06-15&to=2024-06-15');
    const start = Date.UTC(2024, 5, 14, 16);
    expect(day.items.map((e) => e.id)).toEqual(order(fx.events.filter((e) => e.reportedAt >= start && e.reportedAt < start + 86_400_000)));
    // Offsetless date-times are Shanghai time too.
    const local = await get('?from=2024-06-15T00:00&to=2024-06-15T12:00:00%2B08:00');
    expect(local.items.map((e) => e.id)).toEqual(order(fx.events.filter((e) => e.reportedAt >= start && e.reportedAt < NOW)));
  });

  it('combines filters with pagination', async () => {
    const ids = await all(`?status=open,closed&category=01`, 2);
    expect(ids).toEqual(order(fx.events.filter((e) => (OPEN.includes(e.status) || e.status === 'closed') && e.category.startsWith('01'))));
  });
});

describe('GET /api/events/:id', () => {
  it('returns the event with lifecycle timestamps and its log', async () => {
    const res = await api('/api/events/8');
    expect(res.status).toBe(200);
    const e = await res.json();
    expect(e).toMatchObject({ id: 8, status: 'evaluated', satisfaction: 5, reworkCount: 0, extensionCount: 0, escalated: false, reporter: '市民' });
    for (const k of ['filedAt', 'dispatchedAt', 'acceptedAt', 'arrivedAt', 'resolvedAt', 'closedAt', 'evaluatedAt']) expect(e[k]).toMatch(/\+08:00$/);
    expect(e.log.map((l: { to: string }) => l.to)).toEqual(['reported', 'filed', 'dispatched', 'accepted', 'arrived', 'resolved', 'closed', 'evaluated']);
    expect(e.log[0]).toMatchObject({ from: null, actor: null, actorRole: 'resident' });
    expect(e.log[1].actor).toEqual({ id: 1, name: '员工1' });
    expect(e.log[2].assignee).not.toBeNull();
    const first = await (await api('/api/events/1')).json();
    expect(first).toMatchObject({ status: 'reported', filedAt: null, closedAt: null, escalated: true });
  });

  it('is 400 for a non-positive-integer id and 404 for an unknown one', async () => {
    for (const bad of ['0', '-1', '1.5', 'abc', '1e3', '99999999999999999999', "1' OR 1=1 --"]) {
      const res = await api(`/api/events/${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect((await readProblem(res)).errors?.[0]).toMatchObject({ in: 'path', name: 'id' });
    }
    const res = await api('/api/events/12345');
    expect(res.status).toBe(404);
    await readProblem(res);
  });
});
