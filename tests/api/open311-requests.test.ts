/**
 * Open311 requests beyond a point and a text, on a copy of the seeded Yuhu database: a request with only an address
 * (stored as a request awaiting location, listed, readable by id and token, located by hand through
 * POST /api/events/unlocated/:id/locate), media_url kept and returned, unrecognised parameters ignored,
 * jurisdiction_id checked. Every Open311 answer is validated against the GeoReport v2 schemas.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { expectValid, expectXml, JSON_TYPE, textOf, XML_TYPE } from './open311-support.ts';
import { signedIn } from '../helpers/signed-in.ts';

const KEYS = ['requests-key'];
const BASE = '/open311/v2';
const INSIDE = { lat: 27.87, long: 112.9 };
const DISTRICT = '430302';

let db: Db;
let app: ReturnType<typeof createApp>;
let now: number;

beforeAll(() => {
  const file = join(mkdtempSync(join(tmpdir(), 'gezhi-open311-req-')), 'seeded.db');
  copyFileSync(inject('seededDb'), file);
  db = openDatabase(file);
  now = inject('seedNow');
  app = createApp({ db, now: () => now, open311Keys: KEYS });
});
afterAll(() => db?.close());

interface Req {
  service_request_id: string;
  status: string;
  status_notes: string;
  service_code: string;
  description: string;
  address: string;
  address_id?: string;
  lat: number | null;
  long: number | null;
  media_url?: string;
  requested_datetime: string;
  expected_datetime: string | null;
  agency_responsible: string | null;
}

/** The schema of a resource's answer, by its path. */
function schemaOf(path: string): string {
  const name = path.replace(/[?.].*$/, '');
  if (name.startsWith('/services/')) return 'service-definition.json';
  if (name.startsWith('/tokens/')) return 'tokens.json';
  if (name.startsWith('/requests')) return 'requests.json';
  return name === '/services' ? 'services.json' : 'discovery.json';
}

const get = (path: string, headers: Record<string, string> = {}) => app.request(`${BASE}${path}`, { headers });
async function getJson<T = unknown>(path: string, status = 200): Promise<T> {
  const res = await get(path);
  const body = (await res.json()) as T;
  expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(status);
  expect(res.headers.get('Content-Type')).toBe(JSON_TYPE);
  expectValid(status === 200 ? schemaOf(path) : 'errors.json', body);
  return body;
}
const form = (fields: Record<string, string | number>) => new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString();
async function post(fields: Record<string, string | number>, opts: { headers?: Record<string, string>; status?: number; query?: string } = {}) {
  const res = await app.request(`${BASE}/requests.json${opts.query ?? ''}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...opts.headers },
    body: form({ api_key: KEYS[0], ...fields }),
  });
  const body = (await res.json()) as { service_request_id: string; service_notice: string; account_id: string | null }[];
  expect(res.status, JSON.stringify(body)).toBe(opts.status ?? 200);
  expect(res.headers.get('Content-Type')).toBe(JSON_TYPE);
  expectValid(res.status === 200 ? 'post-response.json' : 'errors.json', body);
  return { res, body };
}
/** The console's side (locating requests) as an admin: the whole district (a dispatcher sees only their subdistrict). */
const api = (path: string, init?: RequestInit) => signedIn({ app, db }, 'admin')(path, init);
const locate = (id: number | string, body: unknown) =>
  api(`/api/events/unlocated/${id}/locate`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

const count = (table: string) => db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()!.n;

describe('a request with only an address', () => {
  const addressOnly = {
    service_code: '0505', address_string: '雨湖区韶山西路与建设北路交叉口东50米', description: '一辆白色轿车长期占用人行道',
    first_name: '三', last_name: '张', email: 'zhang@example.org', phone: '13800000000', device_id: 'dev-1', account_id: 'acct-9',
    media_url: 'https://img.example.org/违停/1.jpg',
  };
  let pendingId = '';
  let n = 0;

  it('is accepted, stored to be located by hand, and answered with a U-id', async () => {
    const events = count('events');
    const { res, body } = await post(addressOnly);
    const [created] = body;
    expect(created.service_request_id).toMatch(/^U[1-9]\d*$/);
    expect(created.account_id).toBe('acct-9');
    expect(created.service_notice).toBe('地址待人工定位；定位后立案派遣，处置时限 2 工作小时');
    expect(res.headers.get('Location')).toBe(`${BASE}/requests/${created.service_request_id}.json`);
    expect(count('events')).toBe(events); // not a case yet
    pendingId = created.service_request_id;
    n = Number(pendingId.slice(1));
    const row = db.prepare<[number], Record<string, unknown>>('SELECT * FROM unlocated_requests WHERE id = ?').get(n)!;
    expect(row).toMatchObject({
      service_code: '0505', text: addressOnly.description, address_string: addressOnly.address_string, address_id: null,
      media_url: 'https://img.example.org/%E8%BF%9D%E5%81%9C/1.jpg', channel: 'hotline', reporter: '张三', email: 'zhang@example.org',
      phone: '13800000000', device_id: 'dev-1', account_id: 'acct-9', requested_at: now, event_id: null, located_at: null,
    });
  });

  it('is listed by GET requests (open, no point) and readable by id and by token, in JSON and XML', async () => {
    const list = await getJson<Req[]>('/requests.json?page_size=20');
    const listed = list.find((r) => r.service_request_id === pendingId)!;
    expect(listed).toEqual({
      service_request_id: pendingId, status: 'open', status_notes: '已受理，地址待人工定位', service_name: '机动车乱停放',
      service_code: '0505', description: addressOnly.description, agency_responsible: null,
      service_notice: '地址待人工定位；定位后立案派遣，处置时限 2 工作小时', requested_datetime: '2026-11-25T10:00:00.000+08:00',
      updated_datetime: '2026-11-25T10:00:00.000+08:00', expected_datetime: null, address: addressOnly.address_string,
      lat: null, long: null, media_url: 'https://img.example.org/%E8%BF%9D%E5%81%9C/1.jpg',
    });
    // Newest first: it was requested at the clock's now, so it leads the list.
    expect(list[0].service_request_id).toBe(pendingId);
    expect(await getJson<Req[]>(`/requests/${pendingId}.json`)).toEqual([listed]);
    expect(await getJson<Req[]>(`/requests.json?service_request_id=${pendingId}`)).toEqual([listed]);
    expect(await getJson(`/tokens/${pendingId}.json`)).toEqual([{ service_request_id: pendingId, token: pendingId }]);
    expect((await getJson<Req[]>('/requests.json?status=open&page_size=5'))[0].service_request_id).toBe(pendingId);
    expect((await getJson<Req[]>('/requests.json?service_code=0505&page_size=5'))[0].service_request_id).toBe(pendingId);
    // Not among closed requests, nor under another service.
    expect((await getJson<Req[]>('/requests.json?status=closed')).some((r) => r.service_request_id === pendingId)).toBe(false);
    expect((await getJson<Req[]>('/requests.json?service_code=0102')).some((r) => r.service_request_id === pendingId)).toBe(false);
    const xml = await (await get(`/requests/${pendingId}.xml`)).text();
    const [req] = expectXml(xml, 'requests', [listed]);
    expect(textOf(req, 'lat')).toBe('');
    expect(textOf(req, 'media_url')).toBe(listed.media_url);
  });

  it('shows in the dispatcher\'s list of requests awaiting location', async () => {
    const res = await api('/api/events/unlocated');
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: Record<string, unknown>[] };
    expect(items[0]).toMatchObject({
      id: n, serviceRequestId: pendingId, category: { code: '0505', name: '机动车乱停放' }, addressString: addressOnly.address_string,
      reporter: '张三', phone: '13800000000', eventId: null, locatedAt: null, requestedAt: '2026-11-25T10:00:00.000+08:00',
    });
    expect((await api(`/api/events/unlocated/${n}`)).status).toBe(200);
    expect((await api('/api/events/unlocated/99999999')).status).toBe(404);
  });

  it('accepts address_id alone, and replays a retry with the same Idempotency-Key', async () => {
    const headers = { 'Idempotency-Key': 'open311-address-id-1' };
    const { body: a } = await post({ service_code: '0102', address_id: 'ADDR-4303-0017' }, { headers });
    const { res, body: b } = await post({ service_code: '0102', address_id: 'ADDR-4303-0017' }, { headers });
    expect(b[0].service_request_id).toBe(a[0].service_request_id);
    expect(res.headers.get('Idempotent-Replay')).toBe('true');
    const [r] = await getJson<Req[]>(`/requests/${a[0].service_request_id}.json`);
    expect(r).toMatchObject({ address: 'ADDR-4303-0017', address_id: 'ADDR-4303-0017', description: '暴露垃圾', lat: null });
    // The key with another request, or with a located one, is a conflict; nothing more is written.
    const before = count('unlocated_requests') + count('events');
    await post({ service_code: '0102', address_id: 'ADDR-OTHER' }, { headers, status: 409 });
    await post({ service_code: '0102', ...INSIDE }, { headers, status: 409 });
    expect(count('unlocated_requests') + count('events')).toBe(before);
  });

  it('is refused a point outside the district or a malformed body when located, writing nothing', async () => {
    const events = count('events');
    const details = count('request_details');
    const outside = await locate(n, { lon: 114.3, lat: 30.5 });
    expect(outside.status).toBe(422);
    expect(outside.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
    for (const bad of [{ lon: 112.9 }, { lon: '112.9', lat: 27.87 }, { lon: 112.9, lat: 27.87, note: 'x' }, [112.9, 27.87]]) {
      expect((await locate(n, bad)).status).toBe(400);
    }
    expect((await locate('abc', { lon: 112.9, lat: 27.87 })).status).toBe(400);
    expect(count('events')).toBe(events);
    expect(count('request_details')).toBe(details);
    expect(db.prepare<[number], { event_id: number | null }>('SELECT event_id FROM unlocated_requests WHERE id = ?').get(n)!.event_id).toBeNull();
  });

  it('becomes a case through the report service when located, and the request names that case from then on', async () => {
    const events = count('events');
    const res = await locate(n, { lon: INSIDE.long, lat: INSIDE.lat });
    const event = (await res.json()) as Record<string, unknown> & { id: number };
    expect(res.status, JSON.stringify(event)).toBe(201);
    expect(res.headers.get('Location')).toBe(`/api/events/${event.id}`);
    expect(event).toMatchObject({ status: 'reported', channel: 'hotline', kind: 'demand', text: addressOnly.description, reporter: '张三', category: { code: '0505' } });
    expect(count('events')).toBe(events + 1);
    const log = db.prepare<[number], { to_status: string }>('SELECT to_status FROM event_log WHERE event_id = ?').all(event.id);
    expect(log.map((l) => l.to_status)).toEqual(['reported']);
    expect(db.prepare<[number], { event_id: number; located_at: number }>('SELECT event_id, located_at FROM unlocated_requests WHERE id = ?').get(n))
      .toEqual({ event_id: event.id, located_at: now });

    // The request's id, its token and an id-list lookup now answer the case, with its point, unit and deadline.
    const [r] = await getJson<Req[]>(`/requests/${pendingId}.json`);
    expect(r).toMatchObject({ service_request_id: String(event.id), status: 'open', status_notes: '已受理，待立案', lat: INSIDE.lat, long: INSIDE.long, media_url: 'https://img.example.org/%E8%BF%9D%E5%81%9C/1.jpg' });
    expect(r.address.startsWith(`${addressOnly.address_string}，`)).toBe(true);
    expect(r.expected_datetime).not.toBeNull();
    expect(r.agency_responsible).not.toBeNull();
    expect(await getJson<Req[]>(`/requests/${event.id}.json`)).toEqual([r]);
    expect(await getJson<Req[]>(`/requests.json?service_request_id=${pendingId},${event.id}`)).toEqual([r]);
    expect(await getJson(`/tokens/${pendingId}.json`)).toEqual([{ service_request_id: String(event.id), token: pendingId }]);
    // Listed once, as the case.
    const list = await getJson<Req[]>('/requests.json?page_size=50');
    expect(list.filter((x) => x.service_request_id === pendingId)).toEqual([]);
    expect(list.filter((x) => x.service_request_id === String(event.id))).toHaveLength(1);
    // Gone from the dispatcher's list; locating again is a conflict naming the case.
    const { items } = (await (await api('/api/events/unlocated')).json()) as { items: { id: number }[] };
    expect(items.some((i) => i.id === n)).toBe(false);
    const again = await locate(n, { lon: INSIDE.long, lat: INSIDE.lat });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ reason: 'already-located', eventId: event.id });
    expect((await locate(99999999, { lon: INSIDE.long, lat: INSIDE.lat })).status).toBe(404);
    expect(count('events')).toBe(events + 1);
  });
});

describe('media_url', () => {
  it('is stored with a located request and returned in JSON and XML', async () => {
    const url = 'https://cdn.example.org/photos/2026/11/25/pic.jpg?size=large&v=2';
    const { body } = await post({ service_code: '0201', ...INSIDE, description: '电线杆上贴满小广告', media_url: url, address_string: '建设北路12号' });
    const id = body[0].service_request_id;
    expect(db.prepare<[number], { media_url: string; address_string: string }>('SELECT media_url, address_string FROM request_details WHERE event_id = ?').get(Number(id)))
      .toEqual({ media_url: url, address_string: '建设北路12号' });
    const [r] = await getJson<Req[]>(`/requests/${id}.json`);
    expect(r.media_url).toBe(url);
    // The address as written leads the block, community and subdistrict.
    expect(r.address).toMatch(/^建设北路12号，.+，.+/);
    const xml = await (await get(`/requests/${id}.xml`)).text();
    expect(xml).toContain('<media_url>https://cdn.example.org/photos/2026/11/25/pic.jpg?size=large&amp;v=2</media_url>');
    expect(textOf(expectXml(xml, 'requests', [r])[0], 'media_url')).toBe(url);
    // A case without one has no media_url.
    const { body: plain } = await post({ service_code: '0201', ...INSIDE });
    expect(await getJson<Req[]>(`/requests/${plain[0].service_request_id}.json`)).not.toHaveProperty('0.media_url');
  });

  it('is refused unless it is an http(s) URL', async () => {
    for (const bad of ['ftp://example.org/a.jpg', 'not a url', 'data:image/png;base64,AAAA', `https://example.org/${'a'.repeat(2000)}`]) {
      const { body } = await post({ service_code: '0201', ...INSIDE, media_url: bad }, { status: 400 });
      expect(body[0]).toMatchObject({ code: 400 });
      expect((body[0] as unknown as { description: string }).description).toMatch(/^media_url: /);
    }
  });
});

describe('parameters', () => {
  it('ignores parameters it does not recognise, on reads and on POST, and reads empty ones as absent', async () => {
    const plain = await getJson<Req[]>('/requests.json?page_size=30&status=open');
    expect(await getJson<Req[]>('/requests.json?page_size=30&status=open&updated_after=2026-11-01T00:00:00Z&_=123&colour=red')).toEqual(plain);
    expect(await getJson<Req[]>('/requests.json?page_size=30&status=open&service_code=&start_date=&jurisdiction_id=')).toEqual(plain);
    expect(await getJson('/services/0102.json?extensions=true')).toEqual({ service_code: '0102', attributes: [] });
    const before = count('events');
    const { body } = await post({ service_code: '0102', ...INSIDE, description: '未知参数测试', colour: 'red', 'attribute[WHISPAWN]': '123', updated_after: 'x', address_id: '' });
    expect(count('events')).toBe(before + 1);
    const [r] = await getJson<Req[]>(`/requests/${body[0].service_request_id}.json`);
    expect(r.description).toBe('未知参数测试');
    // JSON bodies too: unknown members, even of other types, are ignored.
    const res = await app.request(`${BASE}/requests.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ api_key: KEYS[0], service_code: '0102', lat: INSIDE.lat, long: INSIDE.long, extra: { nested: [1, 2] }, flag: true }),
    });
    expect(res.status).toBe(200);
    // Multipart, as clients that upload a photo send it: the file part (not a GeoReport v2 parameter) is ignored.
    const multipart = new FormData();
    for (const [k, v] of Object.entries({ api_key: KEYS[0], service_code: '1114', address_string: '雨湖路88号门口', media_url: 'https://img.example.org/m.jpg' })) multipart.append(k, v);
    multipart.append('media', new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }), 'photo.jpg');
    const mp = await app.request(`${BASE}/requests.json`, { method: 'POST', body: multipart });
    const [created] = (await mp.json()) as { service_request_id: string }[];
    expect(mp.status).toBe(200);
    expect(created.service_request_id).toMatch(/^U\d+$/);
    expect((await getJson<Req[]>(`/requests/${created.service_request_id}.json`))[0]).toMatchObject({ address: '雨湖路88号门口', media_url: 'https://img.example.org/m.jpg' });
  });

  it('checks the values of the ones it recognises', async () => {
    await getJson('/requests.json?status=pending', 400);
    await getJson('/requests.json?service_request_id=U0', 400);
    await getJson('/requests.json?service_request_id=X12', 400);
    await getJson('/requests.json?start_date=yesterday', 400);
    await getJson('/services.json?locale=fr', 400);
  });
});

describe('jurisdiction_id', () => {
  const reads = ['/services.json', '/services/0102.json', '/requests.json?page_size=5', '/requests/1.json', '/tokens/1.json', '/discovery.json'];

  it(`accepts the district's code (${DISTRICT}) and its absence with the same answer`, async () => {
    for (const path of reads) {
      const sep = path.includes('?') ? '&' : '?';
      expect(await getJson(`${path}${sep}jurisdiction_id=${DISTRICT}`), path).toEqual(await getJson(path));
    }
    const { body } = await post({ service_code: '0102', ...INSIDE, jurisdiction_id: DISTRICT });
    expect(body[0].service_request_id).toMatch(/^\d+$/);
    await post({ service_code: '0102', ...INSIDE }, { query: `?jurisdiction_id=${DISTRICT}` });
  });

  it('answers any other value with the spec\'s 404 naming jurisdiction_id, in either format, writing nothing', async () => {
    for (const path of reads) {
      const sep = path.includes('?') ? '&' : '?';
      const errors = await getJson<{ code: number; description: string }[]>(`${path}${sep}jurisdiction_id=sfgov.org`, 404);
      expect(errors[0].description, path).toMatch(/^jurisdiction_id: "sfgov.org" was not found; this server serves 430302/);
    }
    const xml = await get('/requests.xml?jurisdiction_id=430303');
    expect(xml.status).toBe(404);
    expect(xml.headers.get('Content-Type')).toBe(XML_TYPE);
    expect(textOf(expectXml(await xml.text(), 'errors')[0], 'code')).toBe('404');
    const before = count('events') + count('unlocated_requests');
    await post({ service_code: '0102', ...INSIDE, jurisdiction_id: '430300' }, { status: 404 });
    await post({ service_code: '0102', address_string: '某路1号' }, { status: 404, query: '?jurisdiction_id=430300' });
    expect(count('events') + count('unlocated_requests')).toBe(before);
  });
});
