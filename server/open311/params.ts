/**
 * Query parameters of the Open311 endpoints: the locale, the jurisdiction and the query of GET requests.json (the
 * body of POST requests.json is open311/submission.ts's). Every refusal is an Open311Error naming the parameter.
 *
 * As the spec asks of optional arguments, an empty parameter is the same as an absent one, and parameters this
 * server does not recognise (other servers' extensions such as updated_after, a client's cache buster) are
 * ignored; recognised ones are checked, and a bad value is a 400. A parameter given twice is read as a comma list.
 */
import type { Context } from 'hono';
import type { Status } from '../db/queries/events.ts';
import { TAXONOMY } from '../contract/taxonomy.ts';
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

export const show = (raw: string) => JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);

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
