/**
 * Open311 GeoReport v2 in XML, the spec's required format, on a copy of the seeded Yuhu database: every resource
 * answered as `.xml` is parsed with a real XML parser and checked against the spec's element names (from the JSON
 * Schemas in tests/fixtures/open311-schema/) and against the JSON answer of the same resource; errors come as
 * `<errors><error>`; every answer says charset=utf-8.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { TAXONOMY } from '../../server/contract/taxonomy.ts';
import { startServer } from '../helpers/server.ts';
import { expectValid, expectXml, JSON_TYPE, textOf, XML_TYPE, type XmlDocument } from './open311-support.ts';
import { signedIn } from '../helpers/signed-in.ts';

const KEYS = ['xml-key'];
const BASE = '/open311/v2';
const INSIDE = { lat: 27.87, long: 112.9 };

let db: Db;
let app: ReturnType<typeof createApp>;

beforeAll(() => {
  const file = join(mkdtempSync(join(tmpdir(), 'gezhi-open311-xml-')), 'seeded.db');
  copyFileSync(inject('seededDb'), file);
  db = openDatabase(file);
  const now = inject('seedNow');
  app = createApp({ db, now: () => now, open311Keys: KEYS });
});
afterAll(() => db?.close());

const get = (path: string, headers: Record<string, string> = {}) => app.request(path.startsWith('/open311') ? path : `${BASE}${path}`, { headers });

async function getXml(path: string, status = 200): Promise<string> {
  const res = await get(path);
  const text = await res.text();
  expect(res.status, text.slice(0, 300)).toBe(status);
  expect(res.headers.get('Content-Type')).toBe(XML_TYPE);
  return text;
}

/** The same resource as JSON and as XML: the JSON valid against its schema, the XML the same content. */
async function both(pathWithoutExt: string, query: string, kind: XmlDocument): Promise<{ json: unknown; xml: string }> {
  const jsonRes = await get(`${pathWithoutExt}.json${query}`);
  const json = (await jsonRes.json()) as unknown;
  expect(jsonRes.status, JSON.stringify(json).slice(0, 300)).toBe(200);
  expect(jsonRes.headers.get('Content-Type')).toBe(JSON_TYPE);
  const xml = await getXml(`${pathWithoutExt}.xml${query}`);
  expectValid(
    { services: 'services.json', serviceDefinition: 'service-definition.json', requests: 'requests.json', postResponse: 'post-response.json', tokens: 'tokens.json', errors: 'errors.json', discovery: 'discovery.json' }[kind],
    json,
  );
  expectXml(xml, kind, json);
  return { json, xml };
}

describe('XML for every resource', () => {
  it('services.xml: <services><service>, the same services as services.json, in zh and en', async () => {
    const { json, xml } = await both('/services', '', 'services');
    expect((json as unknown[]).length).toBe(TAXONOMY.categories.length);
    expect(xml).toContain('<service><service_code>0102</service_code><service_name>暴露垃圾</service_name>');
    expect(xml).toContain('<metadata>false</metadata><type>realtime</type>');
    await both('/services', '?locale=en', 'services');
  });

  it('services/{code}.xml: <service_definition> with an empty <attributes>', async () => {
    const { xml } = await both('/services/0102', '', 'serviceDefinition');
    expect(xml).toBe('<?xml version="1.0" encoding="utf-8"?><service_definition><service_code>0102</service_code><attributes></attributes></service_definition>');
  });

  it('requests.xml: <service_requests><request>, page for page the same as requests.json', async () => {
    const { json } = await both('/requests', '?page_size=200', 'requests');
    expect((json as unknown[]).length).toBe(200);
    await both('/requests', '?status=closed&page_size=50&page=3', 'requests');
    await both('/requests', '?service_code=0102,0505&start_date=2026-01-01&end_date=2026-03-31', 'requests');
    // Nothing matches: an empty document element.
    const empty = await getXml('/requests.xml?service_request_id=99999999');
    expect(empty).toBe('<?xml version="1.0" encoding="utf-8"?><service_requests></service_requests>');
    expectXml(empty, 'requests', []);
  });

  it('requests/{id}.xml: one <request>, with a rejected case\'s notes and a closed case\'s unit', async () => {
    const rejected = db.prepare<[], { id: number }>(`SELECT id FROM events WHERE status = 'rejected' ORDER BY id DESC LIMIT 1`).get()!;
    const { xml } = await both(`/requests/${rejected.id}`, '', 'requests');
    const [req] = expectXml(xml, 'requests');
    expect(textOf(req, 'status')).toBe('closed');
    expect(textOf(req, 'status_notes')).toMatch(/^已驳回/);
    const evaluated = db.prepare<[], { id: number }>(`SELECT id FROM events WHERE status = 'evaluated' AND tier = 'department' LIMIT 1`).get()!;
    await both(`/requests/${evaluated.id}`, '?locale=en', 'requests');
  });

  it('POST requests.xml answers <service_requests><request><service_request_id>…, tokens/{id}.xml the same id', async () => {
    const res = await app.request(`${BASE}/requests.xml`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: new URLSearchParams({ api_key: KEYS[0], service_code: '1305', lat: String(INSIDE.lat), long: String(INSIDE.long), description: '垃圾桶满了 <急> & 溢出' }).toString(),
    });
    const xml = await res.text();
    expect(res.status, xml).toBe(200);
    expect(res.headers.get('Content-Type')).toBe(XML_TYPE);
    const [created] = expectXml(xml, 'postResponse');
    const id = textOf(created, 'service_request_id');
    expect(id).toMatch(/^[1-9]\d*$/);
    expect(textOf(created, 'service_notice')).toMatch(/^处置时限 2 工作小时/);
    expect(textOf(created, 'account_id')).toBe('');
    expect(res.headers.get('Location')).toBe(`${BASE}/requests/${id}.xml`);
    // The text with markup characters comes back escaped and parses to what was sent.
    const { xml: one } = await both(`/requests/${id}`, '', 'requests');
    expect(textOf(expectXml(one, 'requests')[0], 'description')).toBe('垃圾桶满了 <急> & 溢出');
    await both(`/tokens/${id}`, '', 'tokens');
  });

  it('text XML 1.0 cannot carry (control characters) is replaced, so the document still parses', async () => {
    const res = await signedIn({ app, db }, 'integration')('/api/events', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ category: '0102', text: 'bell\u0007 and nul\u0000 end', lon: INSIDE.long, lat: INSIDE.lat, channel: 'patrol', kind: 'incident' }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: number };
    const xml = await getXml(`/requests/${id}.xml`);
    const [req] = expectXml(xml, 'requests');
    expect(textOf(req, 'description')).toBe('bell\uFFFD and nul\uFFFD end');
  });

  it('discovery.xml: <discovery><endpoints><endpoint><formats><format>, the same as discovery.json, at /open311 and /open311/v2', async () => {
    for (const base of ['/open311', BASE]) {
      const { json } = await both(`${base}/discovery`, '', 'discovery');
      const d = json as { endpoints: { url: string; specification: string; formats: string[] }[] };
      expect(d.endpoints[0]).toMatchObject({ url: 'http://localhost/open311/v2', specification: 'http://wiki.open311.org/GeoReport_v2' });
      expect(d.endpoints[0].formats).toEqual(['text/xml', 'application/json']);
    }
  });
});

describe('XML errors', () => {
  it('<errors><error><code/><description/></error></errors> with the HTTP status, for .xml resources', async () => {
    const cases: [string, number][] = [
      ['/services/9999.xml', 404],
      ['/requests/99999999.xml', 404],
      ['/tokens/U99999999.xml', 404],
      ['/requests.xml?status=pending', 400],
      ['/requests.xml?page_size=0', 400],
      ['/services.xml?jurisdiction_id=430300', 404],
      ['/nothing.xml', 404],
    ];
    for (const [path, status] of cases) {
      const xml = await getXml(path, status);
      const errors = expectXml(xml, 'errors');
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) {
        expect(textOf(e, 'code')).toBe(String(status));
        expect(textOf(e, 'description').length).toBeGreaterThan(0);
      }
    }
    // The same error as JSON for the .json resource.
    const res = await get('/services/9999.json');
    expect(res.status).toBe(404);
    expect(res.headers.get('Content-Type')).toBe(JSON_TYPE);
    const json = (await res.json()) as unknown;
    expectValid('errors.json', json);
    expectXml(await getXml('/services/9999.xml', 404), 'errors', json);
  });

  it('a refused POST to requests.xml: 403 without a key, 400 for a bad body, each as <errors>', async () => {
    const post = (body: Record<string, string>) =>
      app.request(`${BASE}/requests.xml`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
    for (const [body, status] of [
      [{ service_code: '0102', lat: '27.87', long: '112.9' }, 403],
      [{ api_key: KEYS[0], service_code: '0102', lat: '27.87', long: 'east' }, 400],
      [{ api_key: KEYS[0], service_code: '0102', lat: '30.5', long: '114.3' }, 400],
    ] as const) {
      const res = await post(body);
      const xml = await res.text();
      expect(res.status, xml).toBe(status);
      expect(res.headers.get('Content-Type')).toBe(XML_TYPE);
      for (const e of expectXml(xml, 'errors')) expect(textOf(e, 'code')).toBe(String(status));
    }
  });
});

describe('over HTTP', () => {
  it('the real server answers XML (compressed on the wire) and takes an address-only POST as form data', async () => {
    const serverDb = join(mkdtempSync(join(tmpdir(), 'gezhi-open311-http-')), 'seeded.db');
    copyFileSync(inject('seededDb'), serverDb);
    const server = await startServer({ GEZHI_DB: serverDb, GEZHI_OPEN311_KEYS: 'http-key' });
    try {
      const services = await fetch(`${server.url}/open311/v2/services.xml`, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(services.status).toBe(200);
      expect(services.headers.get('Content-Type')).toBe(XML_TYPE);
      expect(services.headers.get('Content-Encoding')).toBe('gzip');
      expect(expectXml(await services.text(), 'services').length).toBe(TAXONOMY.categories.length);

      const created = await fetch(`${server.url}/open311/v2/requests.xml`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: new URLSearchParams({ api_key: 'http-key', service_code: '1114', address_string: '韶山路与雨湖路口', description: '井盖缺失', media_url: 'https://img.example.org/j.jpg' }).toString(),
      });
      const xml = await created.text();
      expect(created.status, xml).toBe(200);
      const id = textOf(expectXml(xml, 'postResponse')[0], 'service_request_id');
      expect(id).toMatch(/^U\d+$/);
      const one = await fetch(`${server.url}/open311/v2/requests/${id}.xml`);
      const [req] = expectXml(await one.text(), 'requests');
      expect(textOf(req, 'address')).toBe('韶山路与雨湖路口');
      expect(textOf(req, 'media_url')).toBe('https://img.example.org/j.jpg');

      const discovery = (await (await fetch(`${server.url}/open311/discovery.json`)).json()) as { endpoints: { url: string }[] };
      expect(discovery.endpoints[0].url).toBe(`${server.url}/open311/v2`);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
