/**
 * Open311 GeoReport v2 under /open311, for third-party apps and the 12345 platform. Every resource answers XML
 * (the spec's required format) and JSON, chosen by the extension; every answer says charset=utf-8.
 *
 * - GET  discovery.{xml,json}, v2/discovery.{xml,json}  Service Discovery: the endpoint, its formats, keys, contact
 * - GET  v2/services.{fmt}                  every minor category as a service (zh names; ?locale=en or
 *                                           Accept-Language: en for English)
 * - GET  v2/services/{service_code}.{fmt}   its definition (no attributes)
 * - GET  v2/requests.{fmt}                  cases and requests awaiting location: service_request_id (comma list;
 *                                           overrides the rest), service_code (comma list), start_date / end_date
 *                                           (ISO 8601; default the last 90 days), status (open | closed), and the
 *                                           extension page / page_size (1…1000, default 1000); newest first; a
 *                                           `Link: <…>; rel="next"` header when more follow
 * - GET  v2/requests/{id}.{fmt}             one request, as a one-element list
 * - POST v2/requests.{fmt}                  with lat/long: a new case through the same report service as
 *                                           POST /api/events; with only address_string / address_id: a request
 *                                           awaiting location ("U12"), which a dispatcher locates through
 *                                           POST /api/events/unlocated/12/locate. Needs api_key; form-encoded,
 *                                           multipart or JSON; Idempotency-Key honoured
 * - GET  v2/tokens/{token}.{fmt}            requests are created synchronously, so a token is a request id; a
 *                                           located "U12" answers the case it became
 *
 * jurisdiction_id is optional (one jurisdiction is served); given, it must be the district's code. Unrecognised
 * parameters are ignored, empty ones are absent (see open311/params.ts). Errors follow the spec (open311/errors.ts).
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Db } from '../db/database.ts';
import { open311Queries, type RequestFilter } from '../db/queries/open311.ts';
import { TAXONOMY } from '../contract/taxonomy.ts';
import { discoveryDocument } from '../open311/discovery.ts';
import { forbidden, notFound311, Open311Error, onOpen311Error, open311ErrorResponse } from '../open311/errors.ts';
import { FORMATS, reply, splitResource, type Format } from '../open311/format.ts';
import { createKeyRing, OPEN311_KEYS_ENV, parseKeyList } from '../open311/keys.ts';
import {
  pendingNotice, pendingRequestId, serviceDefinition, servicesList, serviceNotice, toPendingRequest, toRequest,
  type Locale, type Open311Request,
} from '../open311/mapping.ts';
import { checkJurisdiction, parseRequestId, parseRequestsQuery, readLocale, readQuery311, REQUESTS_QUERY } from '../open311/params.ts';
import { checkPost, MAX_POST_BYTES, readPostParams } from '../open311/submission.ts';
import type { Open311Intake } from '../services/open311-intake.ts';
import { toIso } from '../time.ts';
import { idempotencyHeader } from './event-writes.ts';

export interface Open311Deps {
  db: Db;
  now: () => number;
  /** The Open311 intake (requests with a point go through the report service shared with POST /api/events). */
  intake: Open311Intake;
  /** Accepted api_key values; omitted, GEZHI_OPEN311_KEYS (comma-separated) is read once, here. */
  keys?: readonly string[];
}

const READ_QUERY = ['jurisdiction_id', 'locale'] as const;
const POST_QUERY = ['jurisdiction_id', 'api_key', 'locale'] as const;
const show = (s: string) => JSON.stringify(s.slice(0, 40));

/** '0101.xml' → { name: '0101', format: 'xml' }; anything else is no resource of ours. */
function resource(c: Context, param: string): { name: string; format: Format } {
  const file = c.req.param(param) ?? '';
  const r = splitResource(file);
  if (!r) throw notFound311(`No resource ${show(file)}; append .xml or .json`);
  return r;
}

export function open311Routes({ db, now, intake, keys }: Open311Deps) {
  const q = open311Queries(db);
  const ring = createKeyRing(keys ?? parseKeyList(process.env[OPEN311_KEYS_ENV]));
  const serviceCache: Partial<Record<Locale, ReturnType<typeof servicesList>>> = {};
  const changeset = toIso(now());
  const jurisdictions = () => q.districts().map((d) => d.code);

  /** The query's locale after checking the jurisdiction. */
  function readCommon(c: Context): Locale {
    const raw = readQuery311(c, READ_QUERY);
    checkJurisdiction(raw.jurisdiction_id, jurisdictions());
    return readLocale(c, raw.locale);
  }

  /** A request id as Open311 shows it: a case, or a request awaiting location (the case it became, once located). */
  function requestById(raw: string, locale: Locale): Open311Request | null {
    const id = parseRequestId(raw);
    if (!id) return null;
    if (!id.pending) {
      const row = q.get(id.id);
      return row ? toRequest(row, locale) : null;
    }
    const pending = q.pending(id.id);
    if (!pending) return null;
    if (pending.event_id === null) return toPendingRequest(pending, locale);
    const row = q.get(pending.event_id);
    return row ? toRequest(row, locale) : null;
  }

  const discovery = (format: Format) => (c: Context) => {
    const locale = readCommon(c);
    const district = q.districts()[0];
    const name = district ? (locale === 'zh' ? district.name : district.name_en) : null;
    const url = `${new URL(c.req.url).origin}/open311/v2`;
    return reply(c, format, 'discovery', discoveryDocument(url, changeset, name, locale), { locale });
  };

  const app = new Hono();
  // Open311 clients expect the spec's error format, not problem+json: see open311/errors.ts.
  app.onError(onOpen311Error);
  app.use(
    bodyLimit({
      maxSize: MAX_POST_BYTES,
      onError: (c) => open311ErrorResponse(c, 413, [{ code: 413, description: `Request bodies are limited to ${MAX_POST_BYTES} bytes` }]),
    }),
  );

  for (const format of FORMATS) {
    app.get(`/discovery.${format}`, permit('public'), discovery(format));
    app.get(`/v2/discovery.${format}`, permit('public'), discovery(format));

    app.get(`/v2/services.${format}`, permit('public'), (c) => {
      const locale = readCommon(c);
      return reply(c, format, 'services', (serviceCache[locale] ??= servicesList(locale)), { locale });
    });

    app.get(`/v2/requests.${format}`, permit('public'), (c) => {
      const raw = readQuery311(c, REQUESTS_QUERY);
      checkJurisdiction(raw.jurisdiction_id, jurisdictions());
      const locale = readLocale(c, raw.locale);
      const f = parseRequestsQuery(raw, now());
      const filter: RequestFilter = {
        codes: f.codes, from: f.from, to: f.to, statuses: f.statuses, pending: f.pending,
        // One row more than asked tells whether another page follows.
        limit: f.pageSize + 1, offset: (f.page - 1) * f.pageSize,
      };
      if (f.ids) {
        // A located request is listed as the case it became.
        const cases = new Set(f.ids.cases);
        const pending: number[] = [];
        for (const id of f.ids.pending) {
          const eventId = q.pending(id)?.event_id;
          if (eventId != null) cases.add(eventId);
          else pending.push(id);
        }
        filter.ids = { cases: [...cases], pending };
      }
      const rows = q.list(filter);
      const more = rows.length > f.pageSize;
      const headers: Record<string, string> = {};
      if (more) {
        const next = new URL(c.req.url);
        next.searchParams.set('page', String(f.page + 1));
        headers.Link = `<${next.pathname}${next.search}>; rel="next"`;
      }
      const body = rows.slice(0, f.pageSize).map((r) => (r.kind === 'case' ? toRequest(r.row, locale) : toPendingRequest(r.row, locale)));
      return reply(c, format, 'requests', body, { locale, headers });
    });

    app.post(`/v2/requests.${format}`, permit('public'), async (c) => {
      const raw = readQuery311(c, POST_QUERY);
      const params = await readPostParams(c);
      const apiKey = params.api_key ?? raw.api_key;
      if (ring.size === 0) throw forbidden('api_key: this server accepts no Open311 submissions (no keys are configured)');
      if (!apiKey) throw forbidden('api_key: is required');
      if (!ring.accepts(apiKey)) throw forbidden('api_key: not a valid key');
      checkJurisdiction(params.jurisdiction_id ?? raw.jurisdiction_id, jurisdictions());
      const key = idempotencyHeader(c);
      const locale = readLocale(c, raw.locale);
      const submission = checkPost(params);
      // No account: the audit log names the key by a digest (never the key itself) and the address.
      const caller = { principal: null, ip: clientIp(c), label: `open311 key ${createHash('sha256').update(apiKey).digest('hex').slice(0, 8)}` };
      const out = intake.submit(submission, key, caller);
      const category = TAXONOMY.byCode.get(submission.located ? submission.request.report.category : submission.request.serviceCode);
      let id: string;
      let notice: string;
      if (out.kind === 'case') {
        const row = q.get(out.id)!;
        id = String(out.id);
        notice = serviceNotice(category, row.due_at, locale);
      } else {
        id = pendingRequestId(out.id);
        notice = pendingNotice(category, locale);
      }
      // The request is created within the POST (type realtime), so service_request_id is given and, as the spec
      // asks, no token.
      const body = [{ service_request_id: id, service_notice: notice, account_id: params.account_id ?? null }];
      const headers: Record<string, string> = { Location: `/open311/v2/requests/${id}.${format}` };
      if (out.replayed) headers['Idempotent-Replay'] = 'true';
      // 200 rather than 201: the spec's examples answer 200 and some clients test for exactly that.
      return reply(c, format, 'requests', body, { locale, headers });
    });
  }

  app.get('/v2/services/:file', permit('public'), (c) => {
    readCommon(c);
    const { name, format } = resource(c, 'file');
    const category = TAXONOMY.byCode.get(name);
    if (!category) throw notFound311(`service_code: no service ${show(name)}`);
    return reply(c, format, 'serviceDefinition', serviceDefinition(category));
  });

  app.get('/v2/requests/:file', permit('public'), (c) => {
    const locale = readCommon(c);
    const { name, format } = resource(c, 'file');
    const request = requestById(name, locale);
    if (!request) throw notFound311(`service_request_id: no service request ${show(name)}`);
    return reply(c, format, 'requests', [request], { locale });
  });

  app.get('/v2/tokens/:file', permit('public'), (c) => {
    readCommon(c);
    const { name: token, format } = resource(c, 'file');
    const id = parseRequestId(token);
    let requestId: string | null = null;
    if (id && !id.pending && q.exists(id.id)) requestId = token;
    else if (id?.pending) {
      const pending = q.pending(id.id);
      if (pending) requestId = pending.event_id === null ? pendingRequestId(pending.id) : String(pending.event_id);
    }
    if (requestId === null) throw notFound311(`token: no token ${show(token)}`);
    return reply(c, format, 'requests', [{ service_request_id: requestId, token }]);
  });

  app.all('*', permit('public'), (c) => {
    throw new Open311Error(404, `No Open311 resource at ${c.req.method} ${c.req.path}`);
  });
  return app;
}import { createHash } from 'node:crypto';
import { clientIp, permit } from '../http/auth.ts';

