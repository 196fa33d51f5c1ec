/**
 * Parameters of the Open311 endpoints: the locale, the jurisdiction, the query of GET requests.json, and the body
 * of POST requests.json in either of the spec's encodings (application/x-www-form-urlencoded, as the spec defines
 * it, or multipart/form-data) or as JSON. Every refusal is an Open311Error naming the parameter.
 *
 * As the spec asks of optional arguments, an empty parameter is the same as an absent one, and parameters this
 * server does not recognise (other servers' extensions such as updated_after, a client's cache buster) are
 * ignored; recognised ones are checked, and a bad value is a 400. A parameter given twice is read as a comma list.
 */
import type { Context } from 'hono';
import type { Status } from '../db/queries/events.ts';
import { CHANNELS, MAX_REPORTER, MAX_TEXT, type Channel } from '../domain/report-input.ts';
import { TAXONOMY } from '../contract/taxonomy.ts';
import type { LocatedRequest, PendingRequest } from '../services/open311-intake.ts';
import { ProblemError } from '../http/problem.ts';
import { parseIsoDate } from '../http/validate.ts';
import { badRequest, notFound311 } from './errors.ts';
import { CLOSED_STATUSES, OPEN_311_STATUSES, PENDING_PREFIX, type Locale } from './mapping.ts';

const DAY = 86_400_000;
/** Without start_date / end_date, requests.json covers the 90 days before end_date (or now), as the spec suggests. */
export const DEFAULT_WINDOW_DAYS = 90;
/** The most requests one page holds; also the default page size (the spec's 1,000 records). */
export const MAX_PAGE_SIZE = 1000;
/** The most ids one service_request_id list may name. */
export const MAX_IDS = 1000;

const show = (raw: string) => JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);

/** zh unless `locale` (or, without it, Accept-Language) prefers English. */
export function readLocale(c: Context, param: string | undefined): Locale {
  if (param !== undefined) {
    if (/^en(-|_|$)/i.test(param)) return 'en';
    if (/^zh(-|_|$)/i.test(param)) return 'zh';
    throw badRequest(`locale: must be zh or en, got ${show(param)}`);
  }
  const header = c.req.header('Accept-Language');
  if (!header) return 'zh';
  let best: { locale: Locale; q: number } | null = null;
  for (const part of header.split(',')) {
    const [tag, ...params] = part.trim().split(';');
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    const locale: Locale | null = /^en(-|$)/i.test(tag) ? 'en' : /^zh(-|$)/i.test(tag) ? 'zh' : null;
    if (locale && (!best || q > best.q)) best = { locale, q };
  }
  return best?.locale ?? 'zh';
}

/**
 * The recognised parameters of the query string as a flat record: repeated names joined with commas, empty values
 * dropped (an empty optional argument is an absent one), other names ignored.
 */
export function readQuery311<K extends string>(c: Context, recognised: readonly K[]): Partial<Record<K, string>> {
  const all = c.req.queries();
  const out: Partial<Record<K, string>> = {};
  for (const k of recognised) {
    const values = all[k]?.filter((v) => v !== '');
    if (values?.length) out[k] = values.join(',');
  }
  return out;
}

/**
 * jurisdiction_id: this server serves one jurisdiction, so the parameter is optional; given, it must name one of
 * `accepted` (the district's code), else the spec's 404 (jurisdiction_id provided was not found).
 */
export function checkJurisdiction(raw: string | undefined, accepted: readonly string[]): void {
  if (raw === undefined || raw === '' || accepted.includes(raw.trim())) return;
  throw notFound311(`jurisdiction_id: ${show(raw)} was not found; this server serves ${accepted.join(', ') || 'no jurisdiction yet'}`);
}

/** Runs one of the API's parsers, turning its problem into an Open311 error. */
function viaProblem<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ProblemError) throw badRequest(err.problem.errors?.map((e) => `${e.name}: ${e.detail}`) ?? err.problem.detail);
    throw err;
  }
}

function positiveInt(name: string, raw: string, max: number): number {
  if (!/^[0-9]{1,16}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw badRequest(`${name}: must be an integer from 1 to ${max}, got ${show(raw)}`);
  return Number(raw);
}

function commaList(name: string, raw: string): string[] {
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw badRequest(`${name}: must be a comma-separated list without empty items, got ${show(raw)}`);
  return [...new Set(items)];
}

/** A 4-digit code of a known service. */
export function checkServiceCode(name: string, code: string): string {
  if (!TAXONOMY.byCode.has(code)) throw badRequest(`${name}: no service ${show(code)}; GET services.json lists them`);
  return code;
}

/** '123' → case 123; 'U12' → request 12 awaiting location; anything else → null. */
export function parseRequestId(raw: string): { pending: boolean; id: number } | null {
  const m = /^([Uu]?)([1-9][0-9]{0,15})$/.exec(raw);
  if (!m || Number(m[2]) > Number.MAX_SAFE_INTEGER) return null;
  return { pending: m[1] !== '', id: Number(m[2]) };
}

export const REQUESTS_QUERY = [
  'service_request_id', 'service_code', 'start_date', 'end_date', 'status', 'page', 'page_size',
  'jurisdiction_id', 'api_key', 'locale',
] as const;

export interface RequestsQuery {
  /** service_request_id: case ids and ids of requests awaiting location ('U12' → 12). */
  ids?: { cases: number[]; pending: number[] };
  codes?: string[];
  from?: number;
  to?: number;
  statuses?: readonly Status[];
  /** Whether requests awaiting location (always open) are included: not when only closed ones are asked for. */
  pending: boolean;
  page: number;
  pageSize: number;
}

/**
 * GET requests.json's query. service_request_id overrides the other filters (as the spec says); otherwise the
 * window is start_date … end_date (inclusive), defaulting to the 90 days before end_date or now.
 */
export function parseRequestsQuery(raw: Partial<Record<(typeof REQUESTS_QUERY)[number], string>>, now: number): RequestsQuery {
  const page = raw.page === undefined ? 1 : positiveInt('page', raw.page, 1_000_000);
  const pageSize = raw.page_size === undefined ? MAX_PAGE_SIZE : positiveInt('page_size', raw.page_size, MAX_PAGE_SIZE);
  if (raw.service_request_id !== undefined) {
    const list = commaList('service_request_id', raw.service_request_id);
    if (list.length > MAX_IDS) throw badRequest(`service_request_id: at most ${MAX_IDS} ids, got ${list.length}`);
    const ids = { cases: [] as number[], pending: [] as number[] };
    for (const item of list) {
      const id = parseRequestId(item);
      if (!id) throw badRequest(`service_request_id: ${show(item)} is not a request id (a case number, or ${PENDING_PREFIX} and a number)`);
      (id.pending ? ids.pending : ids.cases).push(id.id);
    }
    return { ids, pending: true, page, pageSize };
  }
  const q: RequestsQuery = { pending: true, page, pageSize };
  if (raw.service_code !== undefined) q.codes = commaList('service_code', raw.service_code).map((c) => checkServiceCode('service_code', c));
  const to = raw.end_date === undefined ? undefined : viaProblem(() => parseIsoDate('end_date', raw.end_date!, { endOfDay: true }));
  // A bare end date means the whole day: parseIsoDate gives the next midnight, the bound here is inclusive.
  if (to !== undefined) q.to = /^\d{4}-\d{2}-\d{2}$/.test(raw.end_date!) ? to - 1 : to;
  q.from = raw.start_date === undefined ? (q.to ?? now) - DEFAULT_WINDOW_DAYS * DAY : viaProblem(() => parseIsoDate('start_date', raw.start_date!));
  if (q.to !== undefined && q.to < q.from) throw badRequest('end_date: must not be earlier than start_date');
  if (raw.status !== undefined) {
    const values = commaList('status', raw.status);
    const bad = values.filter((v) => v !== 'open' && v !== 'closed');
    if (bad.length) throw badRequest(`status: must be open or closed, got ${bad.map(show).join(', ')}`);
    if (values.length === 1) q.statuses = values[0] === 'open' ? OPEN_311_STATUSES : CLOSED_STATUSES;
    q.pending = values.includes('open');
  }
  return q;
}

// ---------------------------------------------------------------------------------------------------------------
// POST requests.json

export const POST_FIELDS = [
  'api_key', 'jurisdiction_id', 'service_code', 'lat', 'long', 'address_string', 'address_id', 'email', 'device_id',
  'account_id', 'first_name', 'last_name', 'phone', 'description', 'media_url', 'channel',
] as const;
type PostField = (typeof POST_FIELDS)[number];
export type PostParams = Partial<Record<PostField, string>>;

/** The largest POST body under /open311 (form or JSON). */
export const MAX_POST_BYTES = 64 * 1024;
export const MAX_ADDRESS = 500;
export const MAX_MEDIA_URL = 2000;
/** email, device_id, account_id, address_id. */
export const MAX_ID_FIELD = 200;
export const MAX_PHONE = 50;

/**
 * The recognised parameters of the body, whatever its encoding, as flat strings. Empty values are dropped (an empty
 * optional argument is an absent one); other names — `attribute[…]` (no service defines attributes), other servers'
 * extensions — are ignored.
 */
export async function readPostParams(c: Context): Promise<PostParams> {
  const type = (c.req.header('Content-Type') ?? 'application/x-www-form-urlencoded').toLowerCase();
  const raw: Record<string, unknown> = {};
  if (/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/.test(type)) {
    const text = await c.req.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw badRequest(`body: not valid JSON (${(err as Error).message.slice(0, 120)})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('body: send a JSON object of the Open311 parameters');
    Object.assign(raw, parsed);
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    const params = new URLSearchParams(await c.req.text());
    for (const k of new Set(params.keys())) {
      const all = params.getAll(k);
      raw[k] = all.length === 1 ? all[0] : all;
    }
  } else if (type.startsWith('multipart/form-data')) {
    const form = await c.req.parseBody({ all: true });
    for (const [k, v] of Object.entries(form)) raw[k] = v;
  } else {
    throw badRequest(`body: send application/x-www-form-urlencoded (the spec's encoding), multipart/form-data or application/json, not ${type.slice(0, 60)}`);
  }
  const out: PostParams = {};
  const errors: string[] = [];
  for (const k of POST_FIELDS) {
    const v = raw[k];
    if (v === null || v === undefined || v === '') continue;
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = String(v);
    else if (typeof v === 'string') out[k] = v;
    else errors.push(`${k}: must be given once, as a ${k === 'lat' || k === 'long' ? 'number' : 'string'}`);
  }
  if (errors.length) throw badRequest(errors);
  return out;
}

/** A checked submission: a point (a case is written at once) or only an address (kept to be located by hand). */
export type Open311Submission = { located: true; request: LocatedRequest } | { located: false; request: PendingRequest };

const NUMBER_RE = /^\s*[-+]?(\d+\.?\d*|\.\d+)\s*$/;

/** '张' + '三' → '张三'; 'Jane' + 'Doe' → 'Jane Doe'. */
export function reporterName(first: string | undefined, last: string | undefined): string {
  const f = (first ?? '').trim();
  const l = (last ?? '').trim();
  if (!f || !l) return f || l;
  const cjk = /[\u3400-\u9fff]/;
  return cjk.test(f) || cjk.test(l) ? `${l}${f}` : `${f} ${l}`;
}

/** An http(s) URL, normalised (non-ASCII percent-encoded, so it is a URI), or an error text. */
export function checkMediaUrl(raw: string): { ok: true; url: string } | { ok: false; detail: string } {
  const trimmed = raw.trim();
  if (trimmed.length > MAX_MEDIA_URL) return { ok: false, detail: `must be at most ${MAX_MEDIA_URL} characters` };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, detail: `must be an absolute http or https URL, got ${show(raw)}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, detail: `must be an http or https URL, got ${show(raw)}` };
  if (url.href.length > MAX_MEDIA_URL) return { ok: false, detail: `must be at most ${MAX_MEDIA_URL} characters once encoded` };
  return { ok: true, url: url.href };
}

/**
 * Checks a submission. Open311 submissions are 12345-hotline reports (channel 'hotline') unless the `channel`
 * extension parameter names another of our channels, and demands (诉求). The location is lat/long, or — as the spec
 * allows — only address_string and/or address_id: such a request is kept to be located by hand (this server does
 * not geocode). Without a description the service name stands in for the report's text (our reports always carry
 * text). A service_code that names no service is the spec's 404; every other fault is a 400 naming each parameter.
 */
export function checkPost(p: PostParams): Open311Submission {
  if (p.service_code !== undefined && p.service_code.trim() !== '' && !TAXONOMY.byCode.has(p.service_code)) {
    throw notFound311(`service_code: no service ${show(p.service_code)}; GET services.json lists them`);
  }
  const errors: string[] = [];
  const category = p.service_code?.trim() ? p.service_code : '';
  if (!category) errors.push('service_code: is required');

  const coord = (name: 'lat' | 'long', limit: number): number | undefined => {
    const v = p[name];
    if (v === undefined || v.trim() === '') return undefined;
    if (!NUMBER_RE.test(v) || !(Math.abs(Number(v)) <= limit)) {
      errors.push(`${name}: must be a number of WGS-84 degrees within ±${limit}, got ${show(v)}`);
      return undefined;
    }
    return Number(v);
  };
  const lat = coord('lat', 90);
  const lon = coord('long', 180);
  const hasLat = p.lat !== undefined && p.lat.trim() !== '';
  const hasLon = p.long !== undefined && p.long.trim() !== '';
  const addressString = p.address_string?.trim() || null;
  const addressId = p.address_id?.trim() || null;
  if (!hasLat && !hasLon) {
    if (!addressString && !addressId) errors.push('lat/long: are required unless address_string or address_id names the place');
  } else if (!hasLat) errors.push('lat: is required with long');
  else if (!hasLon) errors.push('long: is required with lat');
  if (addressString && addressString.length > MAX_ADDRESS) errors.push(`address_string: must be at most ${MAX_ADDRESS} characters`);

  let channel: Channel = 'hotline';
  if (p.channel !== undefined) {
    if ((CHANNELS as readonly string[]).includes(p.channel)) channel = p.channel as Channel;
    else errors.push(`channel: must be one of ${CHANNELS.join(', ')}, got ${show(p.channel)}`);
  }
  const description = (p.description ?? '').trim();
  if (description.length > MAX_TEXT) errors.push(`description: must be at most ${MAX_TEXT} characters`);
  const reporter = reporterName(p.first_name, p.last_name);
  if (reporter.length > MAX_REPORTER) errors.push(`first_name/last_name: together at most ${MAX_REPORTER} characters`);
  for (const name of ['account_id', 'email', 'device_id', 'address_id'] as const) {
    if ((p[name]?.length ?? 0) > MAX_ID_FIELD) errors.push(`${name}: must be at most ${MAX_ID_FIELD} characters`);
  }
  if ((p.phone?.length ?? 0) > MAX_PHONE) errors.push(`phone: must be at most ${MAX_PHONE} characters`);
  let mediaUrl: string | null = null;
  if (p.media_url !== undefined && p.media_url.trim() !== '') {
    const checked = checkMediaUrl(p.media_url);
    if (checked.ok) mediaUrl = checked.url;
    else errors.push(`media_url: ${checked.detail}`);
  }
  if (errors.length) throw badRequest(errors);

  const text = description || TAXONOMY.byCode.get(category)!.name;
  if (lat !== undefined && lon !== undefined) {
    return { located: true, request: { report: { category, text, lon, lat, channel, kind: 'demand', priority: 'normal', reporter }, mediaUrl, addressString } };
  }
  const opt = (v: string | undefined) => v?.trim() || null;
  return {
    located: false,
    request: {
      serviceCode: category, text, addressString, addressId, mediaUrl, channel, reporter,
      email: opt(p.email), phone: opt(p.phone), deviceId: opt(p.device_id), accountId: opt(p.account_id),
    },
  };
}
