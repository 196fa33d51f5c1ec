/**
 * Open311 GeoReport v2 (JSON) under /open311/v2, for third-party apps and the 12345 platform:
 *
 * - GET  services.json                 every minor category as a service (zh names; ?locale=en or
 *                                      Accept-Language: en for English)
 * - GET  services/{service_code}.json  its definition (no attributes)
 * - GET  requests.json                 cases: service_request_id (comma list; overrides the rest), service_code
 *                                      (comma list), start_date / end_date (ISO 8601; default the last 90 days),
 *                                      status (open | closed), and the extension page / page_size (1…1000, default
 *                                      1000); newest first; a `Link: <…>; rel="next"` header when more follow
 * - GET  requests/{id}.json            one case, as a one-element array
 * - POST requests.json                 a new case through the same report service as POST /api/events (locate,
 *                                      classify, tier, assignee, due time, one transaction, live message); needs
 *                                      api_key; form-encoded or JSON; Idempotency-Key honoured
 * - GET  tokens/{token}.json           requests are created synchronously, so the token *is* the
 *                                      service_request_id: POST answers both, and a token maps to its request
 *
 * service_request_id is the case id /api/events/{id} uses. Errors follow the spec (see open311/errors.ts).
 * Only the JSON format is served; `.xml` paths are refused with a 400.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Db } from '../db/database.ts';
import { TAXONOMY } from '../contract/taxonomy.ts';
import { badRequest, forbidden, notFound311, Open311Error, onOpen311Error, open311ErrorResponse } from '../open311/errors.ts';
import { createKeyRing, OPEN311_KEYS_ENV, parseKeyList } from '../open311/keys.ts';
import { serviceDefinition, servicesList, serviceNotice, toRequest, type Locale } from '../open311/mapping.ts';
import {
  checkPost, MAX_POST_BYTES, parseRequestsQuery, readLocale, readPostParams, readQuery311, REQUESTS_QUERY,
} from '../open311/params.ts';
import { open311Queries } from '../db/queries/open311.ts';
import type { EventServices } from '../services/index.ts';
import { idempotencyHeader } from './event-writes.ts';

export interface Open311Deps {
  db: Db;
  now: () => number;
  /** The app's write services (the report path is shared with POST /api/events). */
  services: EventServices;
  /** Accepted api_key values; omitted, GEZHI_OPEN311_KEYS (comma-separated) is read once, here. */
  keys?: readonly string[];
}

const READ_QUERY = ['jurisdiction_id', 'api_key', 'locale'] as const;

/** 'requests.json' → 'requests'; '.xml' is refused; anything else is not ours. */
function jsonName(file: string): string {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  if (!m) throw notFound311(`No resource ${file}; append .json`);
  if (m[2] === 'xml') throw badRequest('format: only JSON is served; use .json');
  return m[1];
}

function json(c: Context, body: unknown, locale: Locale | null, status: 200 = 200, headers: Record<string, string> = {}) {
  if (locale) {
    c.header('Content-Language', locale === 'zh' ? 'zh-CN' : 'en');
    c.header('Vary', 'Accept-Language');
  }
  return c.json(body, status, headers);
}

export function open311Routes({ db, now, services, keys }: Open311Deps) {
  const q = open311Queries(db);
  const ring = createKeyRing(keys ?? parseKeyList(process.env[OPEN311_KEYS_ENV]));
  const serviceCache: Partial<Record<Locale, ReturnType<typeof servicesList>>> = {};

  const app = new Hono();
  // Open311 clients expect the spec's error format, not problem+json: see open311/errors.ts.
  app.onError(onOpen311Error);

  return app
    .use(
      bodyLimit({
        maxSize: MAX_POST_BYTES,
        onError: (c) => open311ErrorResponse(c, 413, [{ code: 413, description: `Request bodies are limited to ${MAX_POST_BYTES} bytes` }]),
      }),
    )
    .get('/services.json', (c) => {
      const locale = readLocale(c, readQuery311(c, READ_QUERY).locale);
      return json(c, (serviceCache[locale] ??= servicesList(locale)), locale);
    })
    .get('/services/:file', (c) => {
      readQuery311(c, READ_QUERY);
      const code = jsonName(c.req.param('file'));
      const category = TAXONOMY.byCode.get(code);
      if (!category) throw notFound311(`No service ${JSON.stringify(code.slice(0, 40))}`);
      return json(c, serviceDefinition(category), null);
    })
    .get('/requests.json', (c) => {
      const raw = readQuery311(c, REQUESTS_QUERY);
      const locale = readLocale(c, raw.locale);
      const f = parseRequestsQuery(raw, now());
      // One row more than asked tells whether another page follows.
      const rows = q.list({ ...f, limit: f.pageSize + 1, offset: (f.page - 1) * f.pageSize });
      const more = rows.length > f.pageSize;
      const headers: Record<string, string> = {};
      if (more) {
        const next = new URL(c.req.url);
        next.searchParams.set('page', String(f.page + 1));
        headers.Link = `<${next.pathname}${next.search}>; rel="next"`;
      }
      return json(c, rows.slice(0, f.pageSize).map((r) => toRequest(r, locale)), locale, 200, headers);
    })
    .get('/requests/:file', (c) => {
      const locale = readLocale(c, readQuery311(c, READ_QUERY).locale);
      const id = jsonName(c.req.param('file'));
      const row = /^[1-9][0-9]{0,15}$/.test(id) ? q.get(Number(id)) : undefined;
      if (!row) throw notFound311(`No service request ${JSON.stringify(id.slice(0, 40))}`);
      return json(c, [toRequest(row, locale)], locale);
    })
    .post('/requests.json', async (c) => {
      readQuery311(c, ['jurisdiction_id', 'api_key', 'locale'] as const);
      const params = await readPostParams(c);
      const apiKey = params.api_key ?? c.req.query('api_key');
      if (ring.size === 0) throw forbidden('api_key: this server accepts no Open311 submissions (no keys are configured)');
      if (!apiKey) throw forbidden('api_key: is required');
      if (!ring.accepts(apiKey)) throw forbidden('api_key: not a valid key');
      const key = idempotencyHeader(c);
      const locale = readLocale(c, c.req.query('locale'));
      const report = checkPost(params);
      const out = services.reports.report(report, key);
      const row = q.get(out.id)!;
      const id = String(out.id);
      const body = [{
        service_request_id: id,
        token: id,
        service_notice: serviceNotice(TAXONOMY.byCode.get(row.category_code), row.due_at, locale),
        account_id: params.account_id ?? null,
      }];
      const headers: Record<string, string> = { Location: `/open311/v2/requests/${id}.json` };
      if (out.replayed) headers['Idempotent-Replay'] = 'true';
      // 200 rather than 201: the spec's examples answer 200 and some clients test for exactly that.
      return json(c, body, locale, 200, headers);
    })
    .get('/tokens/:file', (c) => {
      readQuery311(c, READ_QUERY);
      const token = jsonName(c.req.param('file'));
      if (!/^[1-9][0-9]{0,15}$/.test(token) || !q.exists(Number(token))) throw notFound311(`No token ${JSON.stringify(token.slice(0, 40))}`);
      return json(c, [{ service_request_id: token, token }], null);
    })
    .all('*', (c) => {
      if (c.req.method === 'GET' && c.req.path.endsWith('.xml')) throw badRequest('format: only JSON is served; use .json');
      throw new Open311Error(404, `No Open311 resource at ${c.req.method} ${c.req.path}`);
    });
}
