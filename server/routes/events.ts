import { Hono } from 'hono';
import { validator } from 'hono/validator';
import { STATUSES, type EventFilter, type Status } from '../db/queries/events.ts';
import { invalidParam, notFound } from '../http/problem.ts';
import {
  encodeCursor, parseBbox, parseCode, parseCursor, parseEnumList, parseId, parseIntInRange, parseIsoDate, queryValidator,
} from '../http/validate.ts';
import type { RouteDeps } from './deps.ts';
import { toEventDetail, toEventSummary } from './present.ts';

export const EVENT_QUERY = ['from', 'to', 'status', 'category', 'block', 'bbox', 'limit', 'cursor'] as const;
const STATUS_VALUES = [...STATUSES, 'open', 'overdue'] as const;
export const DEFAULT_LIMIT = 500;
export const MAX_LIMIT = 5000;

/** Parses and cross-checks GET /api/events's query into a filter (without `now`, which the handler adds). */
export function parseEventQuery(raw: Partial<Record<(typeof EVENT_QUERY)[number], string>>): Omit<EventFilter, 'now'> {
  const f: Omit<EventFilter, 'now'> = { limit: DEFAULT_LIMIT };
  if (raw.from !== undefined) f.from = parseIsoDate('from', raw.from);
  if (raw.to !== undefined) f.to = parseIsoDate('to', raw.to, { endOfDay: true });
  if (f.from !== undefined && f.to !== undefined && !(f.to > f.from)) throw invalidParam('to', 'must be later than from');
  if (raw.status !== undefined) {
    const values = parseEnumList('status', raw.status, STATUS_VALUES);
    f.status = {
      statuses: values.filter((v): v is Status => v !== 'open' && v !== 'overdue'),
      open: values.includes('open'),
      overdue: values.includes('overdue'),
    };
  }
  if (raw.category !== undefined) f.category = parseCode('category', raw.category, [2, 4]);
  if (raw.block !== undefined) f.block = parseCode('block', raw.block, 15);
  if (raw.bbox !== undefined) f.bbox = parseBbox('bbox', raw.bbox);
  if (raw.limit !== undefined) f.limit = parseIntInRange('limit', raw.limit, 1, MAX_LIMIT);
  if (raw.cursor !== undefined) f.after = parseCursor('cursor', raw.cursor, ['reportedAt', 'id'] as const);
  return f;
}

/**
 * GET /api/events: a filtered window of events, newest first, with keyset pagination (`nextCursor` names the last
 * row returned; passing it back returns the rows strictly after it, so pages never skip or repeat a row even while
 * new events arrive). GET /api/events/:id: one event with its full lifecycle log.
 */
export function eventRoutes({ q, now }: RouteDeps) {
  return new Hono()
    .get(
      '/',
      queryValidator(EVENT_QUERY, parseEventQuery),
      (c) => {
        const t = now();
        const f = c.req.valid('query');
        // One row more than asked tells whether another page exists without a count query.
        const rows = q.events.list({ ...f, limit: f.limit + 1, now: t });
        const more = rows.length > f.limit;
        const page = more ? rows.slice(0, f.limit) : rows;
        const last = page[page.length - 1];
        return c.json({
          items: page.map((r) => toEventSummary(r, t)),
          nextCursor: more && last ? encodeCursor({ reportedAt: last.reported_at, id: last.id }) : null,
        });
      },
    )
    .get(
      '/:id',
      validator('param', (v) => ({ id: parseId('id', String(v.id)) })),
      queryValidator([], () => ({})),
      (c) => {
        const { id } = c.req.valid('param');
        const row = q.events.get(id);
        if (!row) throw notFound(`No event ${id}`);
        return c.json(toEventDetail(row, q.events.log(id), now()));
      },
    );
}
