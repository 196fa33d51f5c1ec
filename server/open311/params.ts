/**
 * Parameters of the Open311 endpoints: the locale, the query of GET requests.json, and the body of POST
 * requests.json in either of the spec's encodings (application/x-www-form-urlencoded, as the spec defines it, or
 * multipart/form-data) or as JSON. Every refusal is an Open311Error (400) naming the parameter.
 *
 * Query strings follow the spec loosely where clients differ: a parameter given twice is read as a comma list,
 * and jurisdiction_id / api_key are accepted (and ignored) on reads. Unknown names are refused, so a typo
 * (`?stauts=open`) is reported instead of silently widening the answer.
 */
import type { Context } from 'hono';
import type { Status } from '../db/queries/events.ts';
import { CHANNELS, MAX_REPORTER, MAX_TEXT, type Channel } from '../domain/report-input.ts';
import { TAXONOMY } from '../contract/taxonomy.ts';
import { ProblemError } from '../http/problem.ts';
import { parseIsoDate } from '../http/validate.ts';
import { badRequest } from './errors.ts';
import { CLOSED_STATUSES, OPEN_311_STATUSES, type Locale } from './mapping.ts';

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

/** The query string as a flat record; repeated names are joined with commas; unknown names are refused. */
export function readQuery311<K extends string>(c: Context, allowed: readonly K[]): Partial<Record<K, string>> {
  const all = c.req.queries();
  const unknown = Object.keys(all).filter((k) => !(allowed as readonly string[]).includes(k));
  if (unknown.length) throw badRequest(unknown.map((k) => `${k}: unknown parameter; allowed: ${allowed.join(', ')}`));
  const out: Partial<Record<K, string>> = {};
  for (const [k, values] of Object.entries(all) as [K, string[]][]) out[k] = values.join(',');
  return out;
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

export const REQUESTS_QUERY = [
  'service_request_id', 'service_code', 'start_date', 'end_date', 'status', 'page', 'page_size',
  'jurisdiction_id', 'api_key', 'locale',
] as const;

export interface RequestsQuery {
  ids?: number[];
  codes?: string[];
  from?: number;
  to?: number;
  statuses?: readonly Status[];
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
    const ids = commaList('service_request_id', raw.service_request_id).map((s) => positiveInt('service_request_id', s, Number.MAX_SAFE_INTEGER));
    if (ids.length > MAX_IDS) throw badRequest(`service_request_id: at most ${MAX_IDS} ids, got ${ids.length}`);
    return { ids, page, pageSize };
  }
  const q: RequestsQuery = { page, pageSize };
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

/**
 * The body as flat string parameters, whatever its encoding. `attribute[…]` parameters are accepted and ignored
 * (no service defines attributes); other unknown names are refused.
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
  for (const [k, v] of Object.entries(raw)) {
    if (/^attribute\[/.test(k)) continue;
    if (!(POST_FIELDS as readonly string[]).includes(k)) {
      errors.push(`${k}: unknown parameter`);
      continue;
    }
    if (v === null || v === undefined) continue;
    if (typeof v === 'number' && Number.isFinite(v)) out[k as PostField] = String(v);
    else if (typeof v === 'string') out[k as PostField] = v;
    else errors.push(`${k}: must be given once, as a ${k === 'lat' || k === 'long' ? 'number' : 'string'}`);
  }
  if (errors.length) throw badRequest(errors);
  return out;
}

/** What the report service needs, from checked Open311 parameters. */
export interface Open311Report {
  category: string;
  text: string;
  lon: number;
  lat: number;
  channel: Channel;
  kind: 'demand';
  priority: 'normal';
  reporter: string;
}

const NUMBER_RE = /^\s*[-+]?(\d+\.?\d*|\.\d+)\s*$/;

/** '张' + '三' → '张三'; 'Jane' + 'Doe' → 'Jane Doe'. */
export function reporterName(first: string | undefined, last: string | undefined): string {
  const f = (first ?? '').trim();
  const l = (last ?? '').trim();
  if (!f || !l) return f || l;
  const cjk = /[\u3400-\u9fff]/;
  return cjk.test(f) || cjk.test(l) ? `${l}${f}` : `${f} ${l}`;
}

/**
 * Checks a submission. Open311 submissions are 12345-hotline reports (channel 'hotline') unless the `channel`
 * extension parameter names another of our channels, and demands (诉求). A location is required as lat/long: an
 * address alone is refused because the service does not geocode. Without a description the service name stands
 * in for the report's text (our reports always carry text).
 */
export function checkPost(p: PostParams): Open311Report {
  const errors: string[] = [];
  let category = '';
  if (p.service_code === undefined || p.service_code.trim() === '') errors.push('service_code: is required');
  else if (!TAXONOMY.byCode.has(p.service_code)) errors.push(`service_code: no service ${show(p.service_code)}; GET services.json lists them`);
  else category = p.service_code;

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
  if (!hasLat && !hasLon) {
    const addr = p.address_string !== undefined || p.address_id !== undefined;
    errors.push(addr ? 'lat/long: are required; an address alone cannot be located (this service does not geocode)' : 'lat/long: are required');
  } else if (!hasLat) errors.push('lat: is required with long');
  else if (!hasLon) errors.push('long: is required with lat');

  let channel: Channel = 'hotline';
  if (p.channel !== undefined) {
    if ((CHANNELS as readonly string[]).includes(p.channel)) channel = p.channel as Channel;
    else errors.push(`channel: must be one of ${CHANNELS.join(', ')}, got ${show(p.channel)}`);
  }
  const description = (p.description ?? '').trim();
  if (description.length > MAX_TEXT) errors.push(`description: must be at most ${MAX_TEXT} characters`);
  const reporter = reporterName(p.first_name, p.last_name);
  if (reporter.length > MAX_REPORTER) errors.push(`first_name/last_name: together at most ${MAX_REPORTER} characters`);
  if (p.account_id !== undefined && p.account_id.length > 200) errors.push('account_id: must be at most 200 characters');
  if (errors.length) throw badRequest(errors);
  const text = description || TAXONOMY.byCode.get(category)!.name;
  return { category, text, lon: lon!, lat: lat!, channel, kind: 'demand', priority: 'normal', reporter };
}
