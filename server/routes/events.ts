import { callerOf, permit } from '../http/auth.ts';
import { Hono } from 'hono';
import { validator } from 'hono/validator';
import type { EventFilter } from '../db/queries/events.ts';
import { invalidParam, notFound } from '../http/problem.ts';
import {
  encodeCursor, parseBbox, parseCode, parseCursor, parseEnumList, parseId, parseIntInRange, queryValidator,
} from '../http/validate.ts';
import type { EventServices } from '../services/index.ts';
import { MAX_BATCH } from '../services/report.ts';
import { parseTransitionBody } from './transition-body.ts';
import { statusOfReason } from '../http/refusal-problem.ts';
import type { RouteDeps } from './deps.ts';
import { parseSpanAndStatus } from './event-filter.ts';
import { idempotencyHeader, readJson, toDueItem } from './event-writes.ts';
import { toEventDetail, toEventSummary } from './present.ts';
import { toIso as toIsoNow } from '../time.ts';

export const EVENT_QUERY = ['from', 'to', 'status', 'category', 'block', 'bbox', 'limit', 'cursor'] as const;
export const DEFAULT_LIMIT = 500;
export const MAX_LIMIT = 5000;

/** Parses and cross-checks GET /api/events's query into a filter (without `now`, which the handler adds). */
export function parseEventQuery(raw: Partial<Record<(typeof EVENT_QUERY)[number], string>>): Omit<EventFilter, 'now'> {
  const f: Omit<EventFilter, 'now'> = { limit: DEFAULT_LIMIT, ...parseSpanAndStatus(raw) };
  if (raw.category !== undefined) f.category = parseCode('category', raw.category, [2, 4]);
  if (raw.block !== undefined) f.block = parseCode('block', raw.block, 15);
  if (raw.bbox !== undefined) f.bbox = parseBbox('bbox', raw.bbox);
  if (raw.limit !== undefined) f.limit = parseIntInRange('limit', raw.limit, 1, MAX_LIMIT);
  if (raw.cursor !== undefined) f.after = parseCursor('cursor', raw.cursor, ['reportedAt', 'id'] as const);
  return f;
}

/** Parses GET /api/events/overdue's query. */
export function parseOverdueQuery(raw: Partial<Record<'include' | 'limit', string>>): { includeWarning: boolean; limit: number } {
  const include = raw.include === undefined ? [] : parseEnumList('include', raw.include, ['warning'] as const);
  return { includeWarning: include.includes('warning'), limit: raw.limit === undefined ? DEFAULT_LIMIT : parseIntInRange('limit', raw.limit, 1, MAX_LIMIT) };
}

/**
 * GET /api/events: a filtered window of events, newest first, with keyset pagination (`nextCursor` names the last
 * row returned; passing it back returns the rows strictly after it, so pages never skip or repeat a row even while
 * new events arrive). GET /api/events/:id: one event with its full lifecycle log.
 *
 * Writes (services do the work; each commits before the answer):
 * - POST /api/events: a report → 201 with the event (and the proposed assignee); a retry with the same
 *   Idempotency-Key → 200 with the original and `Idempotent-Replay: true`; the key with another report → 409.
 * - POST /api/events/batch: { events: [...] } (≤ 10,000) in one transaction; per-row errors, valid rows kept.
 * - POST /api/events/:id/transitions: { to, actor, note?, assignee?, reason?, hours?, satisfaction?, reviewAt?,
 *   result?, photos? } → 200 with the event; refusals are problems with the lifecycle's `reason` and the `allowed`
 *   transitions.
 * - GET /api/events/overdue[?include=warning]: open cases past due, most overdue first (then those in warning).
 */
export function eventRoutes({ q, now }: RouteDeps, services: EventServices) {
  const detail = (id: number) => toEventDetail(q.events.get(id)!, q.events.log(id), now(), q.events.photos(id));
  return new Hono()
    .get(
      '/', permit('events:read'),
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
      '/overdue', permit('events:read'),
      queryValidator(['include', 'limit'] as const, parseOverdueQuery),
      (c) => {
        const t = now();
        const { includeWarning, limit } = c.req.valid('query');
        const { items, overdue, warning } = services.overdue.list(t, { includeWarning, limit });
        return c.json({ now: toIsoNow(t), overdue, warning, items: items.map((d) => toDueItem(d, t)) });
      },
    )
    .post('/', permit('events:report'), async (c) => {
      const key = idempotencyHeader(c);
      const body = await readJson(c);
      const out = await services.reports.submit(body, key, callerOf(c)); // group commit: resolves once committed
      const event = out.created ? toEventDetail(out.created.row, out.created.log, now()) : detail(out.id);
      if (out.replayed) return c.json(event, 200, { 'Idempotent-Replay': 'true', Location: `/api/events/${out.id}` });
      const proposal = out.proposal && {
        tier: out.proposal.tier,
        unitId: out.proposal.unitId,
        assignee: out.proposal.assigneeId === null ? null : { id: out.proposal.assigneeId, name: services.ctx.cmd.staff(out.proposal.assigneeId)?.name ?? '' },
      };
      // Added onto the fresh object (same key order as a spread, without copying every field again).
      return c.json(Object.assign(event, { classified: out.classified, proposal }), 201, { Location: `/api/events/${out.id}` });
    })
    .post('/batch', permit('events:batch'), async (c) => {
      const body = await readJson(c);
      if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray((body as { events?: unknown }).events)) {
        throw invalidParam('events', 'send { "events": [ …reports ] }', 'body');
      }
      const extra = Object.keys(body).filter((k) => k !== 'events');
      if (extra.length) throw invalidParam(extra[0], 'unknown field; allowed: events', 'body');
      const rows = (body as { events: unknown[] }).events;
      if (rows.length === 0 || rows.length > MAX_BATCH) throw invalidParam('events', `must hold 1 to ${MAX_BATCH} reports, got ${rows.length}`, 'body');
      if (c.req.header('Idempotency-Key') !== undefined) {
        throw invalidParam('Idempotency-Key', 'a batch takes a key per row (idempotencyKey), not one header', 'header');
      }
      const out = services.reports.batch(rows, callerOf(c));
      return c.json({ ...out, errors: out.errors.map((e) => ({ index: e.index, status: statusOfReason(e.reason), errors: e.errors })) }, 200);
    })
    .post(
      '/:id/transitions', permit('events:transition'),
      validator('param', (v) => ({ id: parseId('id', String(v.id)) })),
      async (c) => {
        const { id } = c.req.valid('param');
        const body = parseTransitionBody(await readJson(c));
        services.transitions.transition(id, body, callerOf(c));
        return c.json(detail(id), 200);
      },
    )
    .get(
      '/:id', permit('events:read'),
      validator('param', (v) => ({ id: parseId('id', String(v.id)) })),
      queryValidator([], () => ({})),
      (c) => {
        const { id } = c.req.valid('param');
        const row = q.events.get(id);
        if (!row) throw notFound(`No event ${id}`);
        return c.json(toEventDetail(row, q.events.log(id), now(), q.events.photos(id)));
      },
    );
}
