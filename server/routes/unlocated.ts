/**
 * Requests awaiting location (Open311 submissions that named an address but no point), for the dispatcher:
 *
 * - GET  /api/events/unlocated[?limit=&offset=]  those still waiting, newest first
 * - GET  /api/events/unlocated/:id              one, waiting or located (then `eventId` names its case)
 * - POST /api/events/unlocated/:id/locate       { lon, lat } (WGS-84): the case is reported through the report
 *                                               service and the request is linked to it, in one transaction →
 *                                               201 with the case as GET /api/events/:id shows it; 404 for no such
 *                                               request, 409 when it was already located (the case's id in
 *                                               `eventId`), 422 for a point outside the district
 */
import { callerOf, permit } from '../http/auth.ts';
import { Hono } from 'hono';
import { validator } from 'hono/validator';
import type { UnlocatedList, UnlocatedRequest } from '../contract/api.ts';
import type { PendingRow } from '../db/queries/open311.ts';
import { open311Queries } from '../db/queries/open311.ts';
import type { Db } from '../db/database.ts';
import { invalidParam, notFound } from '../http/problem.ts';
import { parseId, parseIntInRange, queryValidator } from '../http/validate.ts';
import { pendingRequestId } from '../open311/mapping.ts';
import type { Open311Intake } from '../services/open311-intake.ts';
import { toIso, toIsoOrNull } from '../time.ts';
import { readJson } from './event-writes.ts';
import { toEventDetail } from './present.ts';

export const UNLOCATED_DEFAULT_LIMIT = 100;
export const UNLOCATED_MAX_LIMIT = 1000;

export interface UnlocatedDeps {
  db: Db;
  now: () => number;
  intake: Open311Intake;
}

export function toUnlocated(r: PendingRow): UnlocatedRequest {
  return {
    id: r.id,
    serviceRequestId: pendingRequestId(r.id),
    category: { code: r.service_code, name: r.category_name },
    text: r.text,
    addressString: r.address_string,
    addressId: r.address_id,
    mediaUrl: r.media_url,
    channel: r.channel,
    reporter: r.reporter,
    email: r.email,
    phone: r.phone,
    accountId: r.account_id,
    requestedAt: toIso(r.requested_at),
    eventId: r.event_id,
    locatedAt: toIsoOrNull(r.located_at),
  };
}

/** { lon, lat } in WGS-84 degrees, nothing else. */
export function parseLocateBody(body: unknown): { lon: number; lat: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParam('body', 'send { "lon": …, "lat": … }', 'body');
  const b = body as Record<string, unknown>;
  const extra = Object.keys(b).filter((k) => k !== 'lon' && k !== 'lat');
  if (extra.length) throw invalidParam(extra[0], 'unknown field; allowed: lon, lat', 'body');
  const coord = (name: 'lon' | 'lat', limit: number): number => {
    const v = b[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > limit) {
      throw invalidParam(name, `must be a number of WGS-84 degrees within ±${limit}`, 'body');
    }
    return v;
  };
  return { lon: coord('lon', 180), lat: coord('lat', 90) };
}

export function unlocatedRoutes({ db, now, intake }: UnlocatedDeps) {
  const q = open311Queries(db);
  const idParam = validator('param', (v) => ({ id: parseId('id', String(v.id)) }));
  return new Hono()
    .get(
      '/', permit('events:locate'),
      queryValidator(['limit', 'offset'] as const, (raw) => ({
        limit: raw.limit === undefined ? UNLOCATED_DEFAULT_LIMIT : parseIntInRange('limit', raw.limit, 1, UNLOCATED_MAX_LIMIT),
        offset: raw.offset === undefined ? 0 : parseIntInRange('offset', raw.offset, 0, Number.MAX_SAFE_INTEGER),
      })),
      (c) => {
        const { limit, offset } = c.req.valid('query');
        const list: UnlocatedList = { items: q.pendingList(limit, offset).map(toUnlocated) };
        return c.json(list);
      },
    )
    .get('/:id', permit('events:locate'), idParam, (c) => {
      const { id } = c.req.valid('param');
      const row = q.pending(id);
      if (!row) throw notFound(`No request awaiting location ${id}`);
      return c.json(toUnlocated(row));
    })
    .post('/:id/locate', permit('events:locate'), idParam, async (c) => {
      const { id } = c.req.valid('param');
      const point = parseLocateBody(await readJson(c));
      const out = intake.locate(id, point, callerOf(c));
      const created = out.report.created!;
      return c.json(toEventDetail(created.row, created.log, now()), 201, { Location: `/api/events/${out.eventId}` });
    });
}
