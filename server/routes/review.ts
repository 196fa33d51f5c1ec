/**
 * GET /api/review/…: the analysts' review.
 * - /indicators: closure indicators, response-time summaries (natural and working time), flatness, trend
 * - /survival?by=…: Kaplan–Meier time-to-close curves per group, open cases censored at now
 * - /rankings?month=YYYY-MM&by=…: units against the district with month-on-month and year-on-year change
 * - /replay?day=YYYY-MM-DD: a day's cases, transitions and dispatch routes, for the replay on the map
 * Filters (all optional): from, to (report time; default the last 30 days), subdistrict, community, block, centre,
 * department, category, channel, kind, priority, person. `format=csv` answers a table as CSV with a BOM
 * (`table=summary|intervals|flatness|trend` for /indicators). A case's full log is GET /api/events/:id.
 */
import { permit } from '../http/auth.ts';
import { Hono, type Context } from 'hono';
import { REVIEW_GROUPS, type ReviewGroup, type ReviewReplay } from '../contract/review.ts';
import { CENTRE_KEYS, DEPARTMENT_KEYS } from '../contract/taxonomy.ts';
import { reviewQueries } from '../db/queries/review.ts';
import type { Db } from '../db/database.ts';
import { invalidParam } from '../http/problem.ts';
import { parseCode, parseEnum, parseEnumList, parseId, parseIsoDate, queryValidator } from '../http/validate.ts';
import { CHANNELS, KINDS, PRIORITIES } from '../services/review-cube.ts';
import { createReviewService, type ReviewFilter } from '../services/review.ts';
import { localDayNumber, localMidnight } from '../domain/working-time.ts';
import { toIso } from '../time.ts';
import { INDICATOR_TABLES, indicatorsCsv, rankingsCsv, survivalCsv } from './review-csv.ts';

const DAY = 86_400_000;
const DEFAULT_DAYS = 30;
const FILTERS = ['subdistrict', 'community', 'block', 'centre', 'department', 'category', 'channel', 'kind', 'priority', 'person'] as const;
const WINDOW = ['from', 'to'] as const;
const FORMAT = ['json', 'csv'] as const;

type Raw<K extends string> = Partial<Record<K, string>>;

/** The non-time filters. */
export function parseReviewFilters(raw: Raw<(typeof FILTERS)[number]>): Omit<ReviewFilter, 'from' | 'to'> {
  const f: Omit<ReviewFilter, 'from' | 'to'> = {};
  if (raw.subdistrict !== undefined) f.subdistrict = parseCode('subdistrict', raw.subdistrict, 9);
  if (raw.community !== undefined) f.community = parseCode('community', raw.community, 12);
  if (raw.block !== undefined) f.block = parseCode('block', raw.block, 15);
  if (raw.centre !== undefined) f.centre = parseEnum('centre', raw.centre, CENTRE_KEYS);
  if (raw.department !== undefined) f.department = parseEnum('department', raw.department, DEPARTMENT_KEYS);
  if (raw.category !== undefined) f.category = parseCode('category', raw.category, [2, 4]);
  if (raw.channel !== undefined) f.channel = parseEnumList('channel', raw.channel, CHANNELS);
  if (raw.kind !== undefined) f.kind = parseEnumList('kind', raw.kind, KINDS);
  if (raw.priority !== undefined) f.priority = parseEnum('priority', raw.priority, PRIORITIES);
  if (raw.person !== undefined) f.person = parseId('person', raw.person, 'query');
  if (f.community && f.subdistrict && !f.community.startsWith(f.subdistrict)) throw invalidParam('community', `is not in subdistrict ${f.subdistrict}`);
  if (f.block && f.community && !f.block.startsWith(f.community)) throw invalidParam('block', `is not in community ${f.community}`);
  if (f.centre && f.department) throw invalidParam('department', 'cannot be combined with centre (a case has one owning unit)');
  return f;
}

/** from/to (bare dates are whole Shanghai days; `to` inclusive of its day); default the 30 days up to today. */
export function parseWindow(raw: Raw<'from' | 'to'>, now: number): { from: number; to: number } {
  const tomorrow = localMidnight(localDayNumber(now) + 1);
  const to = raw.to !== undefined ? parseIsoDate('to', raw.to, { endOfDay: true }) : tomorrow;
  const from = raw.from !== undefined ? parseIsoDate('from', raw.from) : to - DEFAULT_DAYS * DAY;
  if (!(to > from)) throw invalidParam('to', 'must be later than from');
  return { from, to };
}

function parseMonth(raw: string | undefined, now: number): { year: number; month: number } {
  if (raw === undefined) {
    const d = new Date(localDayNumber(now) * DAY);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
  }
  const m = /^(\d{4})-(\d{2})$/.exec(raw);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[1]) < 1971) throw invalidParam('month', `must be a month YYYY-MM, got ${JSON.stringify(raw.slice(0, 20))}`);
  return { year: Number(m[1]), month: Number(m[2]) };
}

const csv = (c: Context, name: string, text: string) =>
  c.body(text, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${name}.csv"`,
    'Cache-Control': 'no-store',
  });

export function reviewRoutes({ db, now }: { db: Db; now: () => number }) {
  const q = reviewQueries(db);
  const review = createReviewService(q, now);
  return new Hono()
    .get(
      '/indicators', permit('review:read'),
      queryValidator([...WINDOW, ...FILTERS, 'format', 'table'] as const, (raw) => ({
        ...parseWindow(raw, now()),
        ...parseReviewFilters(raw),
        format: raw.format === undefined ? 'json' : parseEnum('format', raw.format, FORMAT),
        table: raw.table === undefined ? 'summary' : parseEnum('table', raw.table, INDICATOR_TABLES),
      })),
      async (c) => {
        await review.ready();
        const { format, table, ...f } = c.req.valid('query');
        const r = review.indicators(f);
        return format === 'csv' ? csv(c, `review-${table}`, indicatorsCsv(r, table)) : c.json(r, 200, { 'Cache-Control': 'no-store' });
      },
    )
    .get(
      '/survival', permit('review:read'),
      queryValidator([...WINDOW, ...FILTERS, 'by', 'format'] as const, (raw) => ({
        ...parseWindow(raw, now()),
        ...parseReviewFilters(raw),
        by: raw.by === undefined ? ('subdistrict' as const) : parseEnum('by', raw.by, [...REVIEW_GROUPS, 'all'] as const),
        format: raw.format === undefined ? 'json' : parseEnum('format', raw.format, FORMAT),
      })),
      async (c) => {
        await review.ready();
        const { by, format, ...f } = c.req.valid('query');
        const r = review.survival(f, by);
        return format === 'csv' ? csv(c, 'review-survival', survivalCsv(r)) : c.json(r, 200, { 'Cache-Control': 'no-store' });
      },
    )
    .get(
      '/rankings', permit('review:read'),
      queryValidator([...FILTERS, 'month', 'by', 'format'] as const, (raw) => ({
        filters: parseReviewFilters(raw),
        month: parseMonth(raw.month, now()),
        by: raw.by === undefined ? ('subdistrict' as ReviewGroup) : parseEnum('by', raw.by, REVIEW_GROUPS),
        format: raw.format === undefined ? 'json' : parseEnum('format', raw.format, FORMAT),
      })),
      async (c) => {
        await review.ready();
        const { filters, month, by, format } = c.req.valid('query');
        const r = review.rankings(month, by, filters);
        return format === 'csv' ? csv(c, 'review-rankings', rankingsCsv(r)) : c.json(r, 200, { 'Cache-Control': 'no-store' });
      },
    )
    .get(
      '/replay', permit('review:read'),
      queryValidator(['day'] as const, (raw) => {
        const day = raw.day ?? new Date(localDayNumber(now()) * DAY).toISOString().slice(0, 10);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw invalidParam('day', `must be a date YYYY-MM-DD, got ${JSON.stringify(day.slice(0, 20))}`);
        const from = parseIsoDate('day', day);
        return { day, from, to: from + DAY };
      }),
      (c) => {
        const { day, from, to } = c.req.valid('query');
        const r = q.replay(from, to);
        const body: ReviewReplay = {
          day, from: toIso(from), to: toIso(to),
          cases: r.events.map((e) => ({ id: e.id, caseNo: e.case_no, category: e.category_code, lon: e.lon, lat: e.lat })),
          steps: r.steps.map((s) => ({ eventId: s.event_id, at: toIso(s.at), from: s.from_status, to: s.to_status })),
          routes: r.routes.map((x) => ({
            id: x.id, eventId: x.event_id, staffId: x.staff_id, start: toIso(x.created_at), etaSeconds: x.eta_s,
            path: (JSON.parse(x.geometry) as { coordinates: [number, number][] }).coordinates,
            times: JSON.parse(x.times) as number[],
          })),
        };
        return c.json(body, 200, { 'Cache-Control': 'no-store' });
      },
    );
}
