/**
 * Open311 GeoReport v2 under /open311/v2 on a copy of the seeded Yuhu database (30,000 events, clock pinned to the
 * seed time). Every response is validated against the GeoReport v2 JSON Schemas in tests/fixtures/open311-schema/,
 * and every object is checked to carry no field the schema does not define (the schemas allow extra fields, a
 * misspelt name would otherwise pass).
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { TAXONOMY } from '../../server/contract/taxonomy.ts';
import { expectValid, JSON_TYPE } from './open311-support.ts';
import { signedIn } from '../helpers/signed-in.ts';

const KEYS = ['test-key-one', 'test-key-two'];
const DAY = 86_400_000;
const BASE = '/open311/v2';
const ISO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/;
/** A point inside the district (the seat, on the east bank). */
const INSIDE = { lat: 27.87, long: 112.9 };

let db: Db;
let app: ReturnType<typeof createApp>;
let now: number;

beforeAll(() => {
  const file = join(mkdtempSync(join(tmpdir(), 'gezhi-open311-')), 'seeded.db');
  copyFileSync(inject('seededDb'), file);
  db = openDatabase(file);
  now = inject('seedNow');
  app = createApp({ db, now: () => now, open311Keys: KEYS });
});
afterAll(() => db?.close());

const get = (path: string, headers: Record<string, string> = {}) => app.request(`${BASE}${path}`, { headers });
async function getJson(path: string, status = 200, headers: Record<string, string> = {}) {
  const res = await get(path, headers);
  const body = (await res.json()) as unknown;
  expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(status);
  expect(res.headers.get('Content-Type')).toBe(JSON_TYPE);
  return { res, body };
}
async function expectError(res: Response, status: number): Promise<{ code: number; description: string }[]> {
  const body = (await res.json()) as { code: number; description: string }[];
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(res.headers.get('Content-Type')).toBe(JSON_TYPE);
  expectValid('errors.json', body);
  for (const e of body) expect(e.code).toBe(status);
  return body;
}

const count = () => db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()!.n;
/** Rows of the Open311 side tables (requests awaiting location, details kept beside cases). */
const sideRows = () =>
  db.prepare<[], { n: number }>('SELECT (SELECT count(*) FROM unlocated_requests) + (SELECT count(*) FROM request_details) AS n').get()!.n;
const form = (fields: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString();
const postForm = (fields: Record<string, string | number>, headers: Record<string, string> = {}) =>
  app.request(`${BASE}/requests.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: form(fields),
  });
const postJson = (body: unknown, headers: Record<string, string> = {}) =>
  app.request(`${BASE}/requests.json`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

interface Req {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string;
  service_code: string;
  service_name: string;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string;
  agency_responsible: string;
  service_notice: string;
  address: string;
  lat: number;
  long: number;
}

describe('services', () => {
  it('lists every minor category as a service, zh by default', async () => {
    const { res, body } = await getJson('/services.json');
    expectValid('services.json', body);
    const services = body as { service_code: string; service_name: string; description: string; metadata: boolean; type: string; group: string; keywords: string }[];
    expect(services.map((s) => s.service_code)).toEqual(TAXONOMY.categories.map((c) => c.code));
    expect(res.headers.get('Content-Language')).toBe('zh-CN');
    const garbage = services.find((s) => s.service_code === '0102')!;
    expect(garbage).toMatchObject({ service_name: '暴露垃圾', description: '家事自办 · 4 工作小时', metadata: false, type: 'realtime', group: '市容环境' });
    expect(garbage.keywords.split(',')).toContain('垃圾');
    for (const s of services) {
      const c = TAXONOMY.byCode.get(s.service_code)!;
      expect(s.service_name).toBe(c.name);
      expect(s.group).toBe(c.majorName);
      expect(s.description).toMatch(/^(家事自办|小事共办|大事公办) · /);
    }
  });

  it('answers English names with ?locale=en or Accept-Language: en', async () => {
    const byParam = (await getJson('/services.json?locale=en')).body as { service_code: string; service_name: string; group: string }[];
    expectValid('services.json', byParam);
    const { res, body } = await getJson('/services.json', 200, { 'Accept-Language': 'en-US,en;q=0.9,zh;q=0.5' });
    expect(body).toEqual(byParam);
    expect(res.headers.get('Content-Language')).toBe('en');
    expect(byParam.find((s) => s.service_code === '0102')).toMatchObject({ service_name: 'Exposed garbage', group: 'City appearance and environment' });
    // zh preferred over en in the header keeps zh.
    const zh = (await getJson('/services.json', 200, { 'Accept-Language': 'zh-CN,zh;q=0.9,en;q=0.8' })).body as { service_name: string }[];
    expect(zh[0].service_name).toBe(TAXONOMY.categories[0].name);
  });

  it('gives a service definition, and a spec-format 404 for an unknown code', async () => {
    const { body } = await getJson('/services/0102.json');
    expectValid('service-definition.json', body);
    expect(body).toEqual({ service_code: '0102', attributes: [] });
    const errors = await expectError(await get('/services/9999.json'), 404);
    expect(errors[0].description).toContain('9999');
    await expectError(await get('/services/abc.json'), 404);
  });

  it('refuses a bad value of a recognised parameter with a spec-format 400, ignores unknown ones, 404s unknown paths', async () => {
    await expectError(await get('/services.json?locale=fr'), 400);
    const plain = (await getJson('/services.json')).body;
    expect((await getJson('/services.json?colour=red&updated_after=2026-01-01T00:00:00Z')).body).toEqual(plain);
    // An empty optional argument is the same as an absent one.
    expect((await getJson('/services.json?locale=&jurisdiction_id=')).body).toEqual(plain);
    await expectError(await get('/nothing-here.json'), 404);
    await expectError(await get('/services.csv'), 404);
  });
});

describe('GET requests.json', () => {
  const inWindow = () =>
    db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM events WHERE reported_at >= ?').get(now - 90 * DAY)!.n;

  it('covers the last 90 days by default, at most 1,000 requests, newest first', async () => {
    const total = inWindow();
    expect(total).toBeGreaterThan(1000); // the seed holds enough recent cases to reach the cap
    const { res, body } = await getJson('/requests.json');
    expectValid('requests.json', body);
    const list = body as Req[];
    expect(list).toHaveLength(1000);
    expect(res.headers.get('Link')).toMatch(/page=2>; rel="next"$/);
    const times = list.map((r) => Date.parse(r.requested_datetime));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThanOrEqual(times[i - 1]);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(now - 90 * DAY);
    for (const r of list) {
      expect(r.requested_datetime).toMatch(ISO_OFFSET);
      expect(r.updated_datetime).toMatch(ISO_OFFSET);
      expect(r.expected_datetime).toMatch(ISO_OFFSET);
      expect(Date.parse(r.updated_datetime)).toBeGreaterThanOrEqual(Date.parse(r.requested_datetime));
      expect(r).not.toHaveProperty('media_url');
    }
    // The rest of the window on the following pages, nothing repeated, nothing older.
    const seen = new Set(list.map((r) => r.service_request_id));
    for (let page = 2; seen.size < total; page++) {
      const next = (await getJson(`/requests.json?page=${page}`)).body as Req[];
      expect(next.length).toBeGreaterThan(0);
      for (const r of next) {
        expect(seen.has(r.service_request_id)).toBe(false);
        seen.add(r.service_request_id);
      }
    }
    expect(seen.size).toBe(total);
    const after = await getJson(`/requests.json?page=${Math.ceil(total / 1000) + 1}`);
    expect(after.body).toEqual([]);
    expect(after.res.headers.get('Link')).toBeNull();
  });

  it('pages with page and page_size (1…1000)', async () => {
    const twenty = (await getJson('/requests.json?page_size=20')).body as Req[];
    const p1 = (await getJson('/requests.json?page_size=10&page=1')).body as Req[];
    const p2 = (await getJson('/requests.json?page_size=10&page=2')).body as Req[];
    expectValid('requests.json', p2);
    expect([...p1, ...p2].map((r) => r.service_request_id)).toEqual(twenty.map((r) => r.service_request_id));
    await expectError(await get('/requests.json?page_size=0'), 400);
    await expectError(await get('/requests.json?page_size=1001'), 400);
    await expectError(await get('/requests.json?page=0'), 400);
    await expectError(await get('/requests.json?page=x'), 400);
  });

  it('maps statuses: open = reported…resolved, closed = closed/evaluated/rejected', async () => {
    const statusOf = db.prepare<[number], { status: string }>('SELECT status FROM events WHERE id = ?');
    const since = '2022-01-01';
    const open = (await getJson(`/requests.json?status=open&start_date=${since}`)).body as Req[];
    expectValid('requests.json', open);
    const openInDb = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM events WHERE status NOT IN ('closed', 'evaluated', 'rejected')`).get()!.n;
    expect(open).toHaveLength(openInDb);
    for (const r of open) {
      expect(r.status).toBe('open');
      expect(['reported', 'filed', 'dispatched', 'accepted', 'arrived', 'resolved']).toContain(statusOf.get(Number(r.service_request_id))!.status);
    }
    // Pending verification is still open.
    const resolved = open.find((r) => statusOf.get(Number(r.service_request_id))!.status === 'resolved')!;
    expect(resolved.status_notes).toBe('已处置，待核查结案');
    const dispatched = open.find((r) => statusOf.get(Number(r.service_request_id))!.status === 'dispatched')!;
    expect(dispatched.status_notes).toMatch(/^已派遣至/);
    const inProgress = open.find((r) => ['accepted', 'arrived'].includes(statusOf.get(Number(r.service_request_id))!.status))!;
    expect(inProgress.status_notes).toMatch(/^处置中/);

    const closed = (await getJson('/requests.json?status=closed&page_size=500')).body as Req[];
    expectValid('requests.json', closed);
    expect(closed.length).toBeGreaterThan(0);
    const kinds = new Set<string>();
    for (const r of closed) {
      const s = statusOf.get(Number(r.service_request_id))!.status;
      kinds.add(s);
      expect(r.status).toBe('closed');
      expect(['closed', 'evaluated', 'rejected']).toContain(s);
      if (s === 'rejected') expect(r.status_notes).toMatch(/^已驳回：.+/);
      else expect(r.status_notes).toMatch(/^已结案/);
    }
    expect(kinds).toContain('rejected');
    await expectError(await get('/requests.json?status=pending'), 400);
  });

  it('filters by service_code and by an explicit date window', async () => {
    const list = (await getJson('/requests.json?service_code=0102,1305&start_date=2026-01-01&end_date=2026-06-30')).body as Req[];
    expectValid('requests.json', list);
    const n = db.prepare<[number, number], { n: number }>(
      `SELECT count(*) AS n FROM events WHERE category_code IN ('0102', '1305') AND reported_at >= ? AND reported_at < ?`,
    ).get(Date.parse('2026-01-01T00:00:00+08:00'), Date.parse('2026-07-01T00:00:00+08:00'))!.n;
    expect(list).toHaveLength(Math.min(n, 1000));
    for (const r of list) {
      expect(['0102', '1305']).toContain(r.service_code);
      expect(r.requested_datetime >= '2026-01-01' && r.requested_datetime < '2026-07-01').toBe(true);
    }
    // Only end_date: the 90 days before it.
    const before = (await getJson('/requests.json?end_date=2025-03-31T23:59:59%2B08:00&page_size=1000')).body as Req[];
    const end = Date.parse('2025-03-31T23:59:59+08:00');
    for (const r of before) {
      const t = Date.parse(r.requested_datetime);
      expect(t).toBeLessThanOrEqual(end);
      expect(t).toBeGreaterThanOrEqual(end - 90 * DAY);
    }
    expect(before.length).toBeGreaterThan(0);
    await expectError(await get('/requests.json?service_code=9999'), 400);
    await expectError(await get('/requests.json?start_date=yesterday'), 400);
    await expectError(await get('/requests.json?start_date=2026-02-01&end_date=2026-01-01'), 400);
  });

  it('takes service_request_id lists over every other filter', async () => {
    const old = db.prepare<[], { id: number }>(`SELECT id FROM events WHERE status = 'rejected' ORDER BY id LIMIT 2`).all().map((r) => r.id);
    const { body } = await getJson(`/requests.json?service_request_id=${old.join(',')}&status=open&start_date=2026-11-01`);
    expectValid('requests.json', body);
    expect((body as Req[]).map((r) => r.service_request_id).sort()).toEqual(old.map(String).sort());
    await expectError(await get('/requests.json?service_request_id=1,x'), 400);
  });
});

describe('GET requests/{id}.json', () => {
  it('answers one request as an array, the same as in the list', async () => {
    const list = (await getJson('/requests.json?page_size=5')).body as Req[];
    const first = list[0];
    const { body } = await getJson(`/requests/${first.service_request_id}.json`);
    expectValid('requests.json', body);
    expect(body).toEqual([first]);
  });

  it('names the step, the unit, the deadline and the place', async () => {
    const row = db.prepare<[], { id: number; block_name: string; community: string; unit: string; due_at: number }>(
      `SELECT e.id, b.name AS block_name, c.name AS community, u.name AS unit, e.due_at
         FROM events e JOIN blocks b ON b.version_id = e.version_id AND b.code = e.block_code
         JOIN areas c ON c.code = e.community_code JOIN units u ON u.id = e.unit_id
        WHERE e.status = 'evaluated' AND e.tier = 'centre' ORDER BY e.id DESC LIMIT 1`,
    ).get()!;
    const [r] = (await getJson(`/requests/${row.id}.json`)).body as Req[];
    expect(r.status).toBe('closed');
    expect(r.status_notes).toMatch(/^已结案/);
    expect(r.agency_responsible).toBe(row.unit);
    expect(r.address.startsWith(`${row.block_name}，${row.community}`)).toBe(true);
    expect(Date.parse(r.expected_datetime)).toBe(row.due_at);
    expect(r.service_notice).toMatch(/^处置时限 /);
    const block = db.prepare<[], { id: number; block_name: string }>(
      `SELECT e.id, b.name AS block_name FROM events e JOIN blocks b ON b.version_id = e.version_id AND b.code = e.block_code
        WHERE e.tier = 'block' AND e.unit_id IS NULL LIMIT 1`,
    ).get()!;
    const [rb] = (await getJson(`/requests/${block.id}.json`)).body as Req[];
    expect(rb.agency_responsible).toBe(`${block.block_name}治理团队`);
    const log = db.prepare<[number], { at: number }>('SELECT max(at) AS at FROM event_log WHERE event_id = ?').get(block.id)!;
    expect(Date.parse(rb.updated_datetime)).toBe(log.at);
  });

  it('is a spec-format 404 for an unknown id', async () => {
    await expectError(await get('/requests/99999999.json'), 404);
    await expectError(await get('/requests/abc.json'), 404);
    await expectError(await get('/tokens/99999999.json'), 404);
  });
});

describe('POST requests.json', () => {
  const report = { service_code: '0102', ...INSIDE, description: '小区门口有暴露垃圾，已经两天了', first_name: '三', last_name: '张', account_id: 'acct-7' };

  it('refuses a missing or wrong api_key with 403 and writes nothing', async () => {
    const before = count();
    await expectError(await postForm(report), 403);
    await expectError(await postForm({ ...report, api_key: 'not-a-key' }), 403);
    await expectError(await postJson({ ...report, api_key: '' }), 403);
    expect(count()).toBe(before);
  });

  it('creates a case from the spec form encoding, visible at /api/events/{id} under the same id', async () => {
    const before = count();
    const res = await postForm({ ...report, api_key: KEYS[0] });
    const body = (await res.json()) as { service_request_id: string; token?: string; service_notice: string; account_id: string }[];
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(res.headers.get('Content-Type')).toBe(JSON_TYPE);
    expectValid('post-response.json', body);
    expect(count()).toBe(before + 1);
    const [created] = body;
    // Created within the POST: the id, and (as the spec asks) no token beside it.
    expect(created).not.toHaveProperty('token');
    expect(created.account_id).toBe('acct-7');
    expect(created.service_notice).toMatch(/^处置时限 4 工作小时/);
    expect(res.headers.get('Location')).toBe(`${BASE}/requests/${created.service_request_id}.json`);

    const event = (await (await signedIn({ app, db }, 'dispatcher')(`/api/events/${created.service_request_id}`)).json()) as Record<string, unknown>;
    expect(event).toMatchObject({
      id: Number(created.service_request_id), channel: 'hotline', kind: 'demand', status: 'reported', text: report.description,
      reporter: '张三', category: { code: '0102', name: '暴露垃圾' },
    });
    const [r] = (await getJson(`/requests/${created.service_request_id}.json`)).body as Req[];
    expect(r).toMatchObject({ service_request_id: created.service_request_id, status: 'open', status_notes: '已受理，待立案', service_code: '0102', lat: INSIDE.lat, long: INSIDE.long });

    // A token lookup of the id answers the id (requests are created synchronously).
    const token = await getJson(`/tokens/${created.service_request_id}.json`);
    expectValid('tokens.json', token.body);
    expect(token.body).toEqual([{ service_request_id: created.service_request_id, token: created.service_request_id }]);
  });

  it('creates a case from JSON too, with the channel extension parameter', async () => {
    const res = await postJson({ ...report, api_key: KEYS[1], lat: INSIDE.lat, long: INSIDE.long, first_name: 'Jane', last_name: 'Doe', channel: 'wechat' });
    const body = (await res.json()) as { service_request_id: string }[];
    expect(res.status, JSON.stringify(body)).toBe(200);
    expectValid('post-response.json', body);
    const event = (await (await signedIn({ app, db }, 'dispatcher')(`/api/events/${body[0].service_request_id}`)).json()) as Record<string, unknown>;
    expect(event).toMatchObject({ id: Number(body[0].service_request_id), channel: 'wechat', kind: 'demand', reporter: 'Jane Doe' });
    // Without a description the service name is the text.
    const bare = await postJson({ api_key: KEYS[0], service_code: '1305', lat: String(INSIDE.lat), long: String(INSIDE.long) });
    const [b] = (await bare.json()) as { service_request_id: string }[];
    expect(bare.status).toBe(200);
    const e2 = (await (await signedIn({ app, db }, 'dispatcher')(`/api/events/${b.service_request_id}`)).json()) as Record<string, unknown>;
    expect(e2).toMatchObject({ text: '垃圾箱', channel: 'hotline', reporter: '' });
  });

  it('replays a retry with the same Idempotency-Key instead of creating a second case', async () => {
    const before = count();
    const headers = { 'Idempotency-Key': 'open311-retry-1' };
    const first = await postForm({ ...report, api_key: KEYS[0] }, headers);
    const a = (await first.json()) as { service_request_id: string }[];
    expect(first.status).toBe(200);
    const again = await postForm({ ...report, api_key: KEYS[0] }, headers);
    const b = (await again.json()) as { service_request_id: string }[];
    expect(again.status).toBe(200);
    expect(again.headers.get('Idempotent-Replay')).toBe('true');
    expectValid('post-response.json', b);
    expect(b[0].service_request_id).toBe(a[0].service_request_id);
    expect(count()).toBe(before + 1);
    // The same key with another report is a conflict.
    await expectError(await postForm({ ...report, description: '另一件事', api_key: KEYS[0] }, headers), 409);
    expect(count()).toBe(before + 1);
  });

  it('refuses an unknown service_code (404), no location at all or a point outside the district (400), writing nothing', async () => {
    const before = count();
    const sideBefore = sideRows();
    const unknown = await expectError(await postForm({ ...report, service_code: '9999', api_key: KEYS[0] }), 404);
    expect(unknown.some((e) => e.description.startsWith('service_code'))).toBe(true);
    await expectError(await postForm({ ...report, service_code: '', api_key: KEYS[0] }), 400);
    const { lat: _lat, long: _long, ...noPoint } = report;
    const nowhere = await expectError(await postForm({ ...noPoint, api_key: KEYS[0] }), 400);
    expect(nowhere[0].description).toMatch(/^lat\/long: are required unless address_string or address_id/);
    await expectError(await postForm({ ...noPoint, lat: 27.87, api_key: KEYS[0] }), 400);
    await expectError(await postForm({ ...report, lat: 27.87, long: 'east', api_key: KEYS[0] }), 400);
    await expectError(await postForm({ ...report, lat: 30.5, long: 114.3, api_key: KEYS[0] }), 400);
    await expectError(await postJson({ ...report, channel: 'fax', api_key: KEYS[0] }), 400);
    await expectError(await postJson([report]), 400);
    await expectError(await postForm({ ...report, description: '长'.repeat(2001), api_key: KEYS[0] }), 400);
    await expectError(await postForm({ ...report, description: 'x'.repeat(70_000), api_key: KEYS[0] }), 413);
    // A point outside the district with a media URL: neither the case nor its details.
    await expectError(await postForm({ ...report, lat: 30.5, long: 114.3, media_url: 'https://example.org/a.jpg', api_key: KEYS[0] }), 400);
    const badMedia = await expectError(await postForm({ ...report, media_url: 'javascript:alert(1)', api_key: KEYS[0] }), 400);
    expect(badMedia[0].description).toMatch(/^media_url: /);
    await expectError(await postForm({ ...noPoint, address_string: '路'.repeat(501), api_key: KEYS[0] }), 400);
    expect(count()).toBe(before);
    expect(sideRows()).toBe(sideBefore);
  });
});

describe('keys', () => {
  it('reads GEZHI_OPEN311_KEYS once, when the app is created', async () => {
    const saved = process.env.GEZHI_OPEN311_KEYS;
    try {
      process.env.GEZHI_OPEN311_KEYS = ' env-key-a , env-key-b ';
      const envApp = createApp({ db, now: () => now });
      process.env.GEZHI_OPEN311_KEYS = '';
      const send = (key: string) =>
        envApp.request(`${BASE}/requests.json`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: form({ api_key: key, service_code: '0102', ...INSIDE, description: '环境变量密钥测试' }),
        });
      expect((await send('env-key-b')).status).toBe(200);
      await expectError(await send(KEYS[0]), 403);
      const noKeys = createApp({ db, now: () => now });
      await expectError(
        await noKeys.request(`${BASE}/requests.json`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form({ api_key: 'env-key-a', service_code: '0102', ...INSIDE }) }),
        403,
      );
    } finally {
      if (saved === undefined) delete process.env.GEZHI_OPEN311_KEYS;
      else process.env.GEZHI_OPEN311_KEYS = saved;
    }
  });
});
