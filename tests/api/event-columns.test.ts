import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueries } from '../../server/db/queries/index.ts';
import { eventWindowQueries } from '../../server/db/queries/event-window.ts';
import {
  categoryOf, decodeEventColumns, latOf, lonOf, reportedAtOf, STATUS_OVERDUE, STATUS_URGENT, statusOf, type EventColumns,
} from '../../server/contract/event-columns.ts';
import { onError } from '../../server/http/problem.ts';
import { eventColumnRoutes } from '../../server/routes/event-columns.ts';
import { NOW, OPEN, readProblem, type Fixture } from './fixture.ts';
import { fixtureApp } from '../helpers/apps.ts';
import { signedIn, type Requester } from '../helpers/signed-in.ts';
import { authenticate } from '../../server/http/auth.ts';
import { createAccounts } from '../../server/services/accounts.ts';

let fx: Fixture;
/** Requests as a leader: signed in, district-wide reads. */
let api: Requester;

beforeAll(() => {
  const made = fixtureApp();
  fx = made.fx;
  api = made.as('leader');
});
afterAll(() => fx.db.close());

const DAY = 86_400_000;
const MEDIA = 'application/vnd.gezhi.events+octet-stream; version=1';

async function columns(qs = '', headers: Record<string, string> = {}): Promise<{ res: Response; d: EventColumns; raw: Uint8Array }> {
  const res = await api(`/api/events/columns${qs}`, { headers });
  expect(res.status, `${qs}: ${res.status}`).toBe(200);
  const body = Buffer.from(await res.arrayBuffer());
  const enc = res.headers.get('content-encoding');
  const raw = new Uint8Array(enc === 'gzip' ? gunzipSync(body) : enc === 'br' ? brotliDecompressSync(body) : body);
  return { res, d: decodeEventColumns(raw), raw };
}

interface Item {
  id: number; status: string; overdue: boolean; priority: string; category: { code: string }; lon: number; lat: number; reportedAt: string;
}

async function json(qs: string): Promise<Item[]> {
  const res = await api(`/api/events?limit=5000${qs ? `&${qs}` : ''}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Item[] }).items;
}

describe('GET /api/events/columns', () => {
  it('serves the last 30 days as GZEV v1 agreeing with /api/events, oldest first', async () => {
    const { res, d } = await columns();
    expect(res.headers.get('content-type')).toBe(MEDIA);
    expect(res.headers.get('x-event-count')).toBe(String(d.count));
    expect(d.timeEnd).toBe(NOW);
    expect(d.timeOrigin).toBe(NOW - 30 * DAY);
    expect(d.asOf).toBe(NOW);
    const items = await json(`from=${new Date(NOW - 30 * DAY).toISOString()}`);
    expect(d.count).toBe(items.length);
    expect(d.count).toBe(fx.events.length);
    const byId = new Map(items.map((e) => [e.id, e]));
    const ats: number[] = [];
    for (let i = 0; i < d.count; i++) {
      const e = byId.get(d.ids[i])!;
      expect(e, `event ${d.ids[i]}`).toBeDefined();
      expect(statusOf(d, i)).toBe(e.status);
      expect(categoryOf(d, i)).toBe(e.category.code);
      expect((d.statusBytes[i] & STATUS_OVERDUE) !== 0).toBe(e.overdue);
      expect((d.statusBytes[i] & STATUS_URGENT) !== 0).toBe(e.priority === 'urgent');
      expect(Math.abs(lonOf(d, i) - e.lon)).toBeLessThanOrEqual(d.scaleLon / 2 + 1e-6);
      expect(Math.abs(latOf(d, i) - e.lat)).toBeLessThanOrEqual(d.scaleLat / 2 + 1e-6);
      const at = Date.parse(e.reportedAt);
      expect(reportedAtOf(d, i)).toBe(at - ((at - d.timeOrigin) % 1000));
      ats.push(at * 1e3 + d.ids[i]);
    }
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
    expect(d.categories).toEqual(['0102', '0103', '5101']);
  });

  it('filters by status, overdue, bbox and time like /api/events', async () => {
    const open = await columns('?status=open');
    expect(open.d.count).toBe(fx.events.filter((e) => OPEN.includes(e.status)).length);
    for (let i = 0; i < open.d.count; i++) expect(OPEN).toContain(statusOf(open.d, i));

    const overdue = await columns('?status=overdue');
    const expected = fx.events.filter((e) => OPEN.includes(e.status) && e.dueAt < NOW).map((e) => e.id).sort((a, b) => a - b);
    expect([...overdue.d.ids].sort((a, b) => a - b)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
    for (let i = 0; i < overdue.d.count; i++) expect(overdue.d.statusBytes[i] & STATUS_OVERDUE).toBe(STATUS_OVERDUE);

    const bbox = '112.80,27.85,112.82,27.86';
    const inBox = await columns(`?bbox=${bbox}`);
    const boxItems = await json(`bbox=${bbox}`);
    expect([...inBox.d.ids].sort((a, b) => a - b)).toEqual(boxItems.map((e) => e.id).sort((a, b) => a - b));
    // A narrower box gives finer steps.
    expect(inBox.d.scaleLon).toBeLessThan((await columns()).d.scaleLon);

    const from = NOW - 2 * DAY;
    const recent = await columns(`?from=${new Date(from).toISOString()}&to=${new Date(NOW).toISOString()}`);
    expect(recent.d.count).toBe(fx.events.filter((e) => e.reportedAt >= from && e.reportedAt < NOW).length);
    expect(recent.d.timeOrigin).toBe(from);

    // Only `to`: the 30 days before it.
    const before = await columns(`?to=${new Date(NOW - DAY).toISOString()}`);
    expect(before.d.timeOrigin).toBe(NOW - 31 * DAY);
    expect(before.d.count).toBe(fx.events.filter((e) => e.reportedAt < NOW - DAY).length);
  });

  it('answers an empty window with a valid header-only body', async () => {
    const { d, raw } = await columns('?from=2020-01-01&to=2020-01-02');
    expect(d.count).toBe(0);
    expect(raw.length % 8).toBe(0);
    expect(d.statuses).toContain('evaluated');
  });

  it('compresses with gzip or brotli, tags each encoding and answers If-None-Match with 304', async () => {
    const plain = await columns();
    const gz = await columns('', { 'Accept-Encoding': 'gzip' });
    const br = await columns('', { 'Accept-Encoding': 'gzip, br' });
    expect(gz.res.headers.get('content-encoding')).toBe('gzip');
    expect(br.res.headers.get('content-encoding')).toBe('br');
    expect(gz.raw).toEqual(plain.raw);
    expect(br.raw).toEqual(plain.raw);
    const tag = plain.res.headers.get('etag')!;
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(gz.res.headers.get('etag')).toBe(tag.replace(/"$/, '.gz"'));
    expect(plain.res.headers.get('vary')).toBe('Accept-Encoding');
    const again = await api('/api/events/columns', { headers: { 'If-None-Match': gz.res.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const other = await api('/api/events/columns?status=open', { headers: { 'If-None-Match': tag } });
    expect(other.status).toBe(200);
  });

  it('rejects bad parameters as problem+json naming them', async () => {
    for (const [qs, name] of [
      ['?limit=5', 'limit'],
      ['?bbox=1,2,3', 'bbox'],
      ['?status=pending', 'status'],
      ['?from=2024-06-10&to=2024-06-01', 'to'],
      ['?from=yesterday', 'from'],
    ] as const) {
      const res = await api(`/api/events/columns${qs}`);
      expect(res.status, qs).toBe(400);
      const p = await readProblem(res);
      expect(p.errors?.[0]?.name, qs).toBe(name);
    }
  });

  it('refuses a window over the size limit with a 422 problem', async () => {
    const small = new Hono()
      .use(authenticate(createAccounts(fx.db)))
      .route('/api/events/columns', eventColumnRoutes({ q: createQueries(fx.db), now: () => NOW }, eventWindowQueries(fx.db), { maxEvents: 10 }))
      .onError(onError);
    const smallApi = signedIn({ app: small, db: fx.db }, 'leader');
    const res = await smallApi('/api/events/columns');
    expect(res.status).toBe(422);
    const p = (await readProblem(res)) as { type: string; maxEvents?: number; detail: string };
    expect(p.type).toBe('/problems/window-too-large');
    expect(p.maxEvents).toBe(10);
    expect(p.detail).toMatch(/more than 10 events/);
    expect((await smallApi('/api/events/columns?status=overdue')).status).toBe(200);
  });

  it('leaves /api/events/:id to the events routes', async () => {
    const res = await api('/api/events/1');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: number }).id).toBe(1);
  });
});
