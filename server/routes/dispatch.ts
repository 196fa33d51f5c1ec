/**
 * Recommendation and dispatch.
 *
 * Mounted under /api/events (beside the event routes; only the /:id/candidates and /:id/dispatch paths):
 * - GET /api/events/:id/candidates[?limit=10]: { eventId, tier, category, dueAt, remainingSeconds, items } — the
 *   role-fit staff ranked by score, each with its score's parts and reasons; routes for the top 3. 404 unknown
 *   event, 409 when the case is not dispatchable (with `allowed`).
 * - POST /api/events/:id/dispatch { assignee?, reason? } (the actor: the signed-in dispatcher) → { event, route }: the transition, the stored
 *   route and its live message in one transaction. 409 illegal (with `allowed`), 403 actor not a dispatcher,
 *   422 assignee not eligible (`reason`).
 *
 * Mounted under /api/routes:
 * - GET /api/routes/active: { items } — dispatch routes still under way, with their staff names (for the wall).
 */
import { callerOf, permit } from '../http/auth.ts';
import { Hono } from 'hono';
import { validator } from 'hono/validator';
import { invalidParam } from '../http/problem.ts';
import { parseId, parseIntInRange, queryValidator } from '../http/validate.ts';
import { DEFAULT_CANDIDATES, MAX_CANDIDATES, type DispatchBody, type DispatchService } from '../services/dispatch.ts';
import type { RouteDeps } from './deps.ts';
import { readJson } from './event-writes.ts';
import { ACTOR_GONE } from './transition-body.ts';
import { toEventDetail } from './present.ts';

const BODY_FIELDS = ['assignee', 'reason'];

/** Checks POST /dispatch's body (400 for anything malformed). */
export function parseDispatchBody(raw: unknown): DispatchBody {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidParam('body', 'must be a JSON object', 'body');
  const r = raw as Record<string, unknown>;
  if ('actor' in r) throw invalidParam('actor', ACTOR_GONE, 'body');
  for (const k of Object.keys(r)) if (!BODY_FIELDS.includes(k)) throw invalidParam(k, `unknown field; allowed: ${BODY_FIELDS.join(', ')}`, 'body');
  const id = (name: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw invalidParam(name, 'must be a staff id (a positive integer)', 'body');
    return v;
  };
  const body: DispatchBody = {};
  if (r.assignee !== undefined && r.assignee !== null) body.assignee = id('assignee', r.assignee);
  if (r.reason !== undefined && r.reason !== null) {
    if (typeof r.reason !== 'string' || r.reason.length > 500) throw invalidParam('reason', 'must be a string of at most 500 characters', 'body');
    if (r.reason.trim()) body.reason = r.reason;
  }
  return body;
}

const idParam = validator('param', (v) => ({ id: parseId('id', String(v.id)) }));

/** GET /:id/candidates and POST /:id/dispatch, for mounting under /api/events. */
export function dispatchEventRoutes({ q, now }: RouteDeps, dispatch: DispatchService) {
  return new Hono()
    .get(
      '/:id/candidates', permit('events:dispatch'),
      idParam,
      queryValidator(['limit'] as const, (raw) => ({
        limit: raw.limit === undefined ? DEFAULT_CANDIDATES : parseIntInRange('limit', raw.limit, 1, MAX_CANDIDATES),
      })),
      (c) => {
        const { id } = c.req.valid('param');
        const { limit } = c.req.valid('query');
        return c.json(dispatch.candidates(id, limit), 200, { 'Cache-Control': 'no-store' });
      },
    )
    .post('/:id/dispatch', permit('events:dispatch'), idParam, async (c) => {
      const { id } = c.req.valid('param');
      const body = parseDispatchBody(await readJson(c));
      const { route } = dispatch.dispatch(id, body, callerOf(c));
      return c.json({ event: toEventDetail(q.events.get(id)!, q.events.log(id), now(), q.events.photos(id)), route }, 200);
    });
}

/** GET /active, for mounting under /api/routes. */
export function dispatchRouteRoutes(dispatch: DispatchService) {
  return new Hono().get('/active', permit('map:read'), queryValidator([], () => ({})), (c) =>
    c.json({ items: dispatch.activeRoutes() }, 200, { 'Cache-Control': 'no-store' }));
}
