import { callerOf, permit, principalOf } from '../http/auth.ts';
import { ACTOR_NOT_PERMITTED } from '../domain/lifecycle.ts';
import { refuse } from '../domain/refusal.ts';
import { Hono } from 'hono';
import { validator } from 'hono/validator';
import type { Db } from '../db/database.ts';
import { invalidParam, notFound, ProblemError } from '../http/problem.ts';
import { parseId, parseIsoDate } from '../http/validate.ts';
import type { LiveHub } from '../live/hub.ts';
import { createPositionService } from '../services/positions.ts';
import type { Audit } from '../services/audit.ts';
import { toIso } from '../time.ts';

/** Positions may lie this far (degrees, ~10 km) outside the blocks' extent: staff cross the boundary. */
const MARGIN_DEG = 0.1;
/** Without blocks, anything in China's extent is accepted. */
const CHINA: [number, number, number, number] = [73, 18, 135.1, 53.6];
const EXTENT_TTL_MS = 5 * 60_000;
const BODY_KEYS = ['lon', 'lat', 'at'];

export interface PositionBody {
  lon: number;
  lat: number;
  at?: number;
}

function parseBody(body: unknown, extent: readonly number[]): PositionBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProblemError(400, 'The body must be a JSON object { lon, lat } (WGS-84 degrees)');
  }
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !BODY_KEYS.includes(k));
  if (unknown.length) throw invalidParam(unknown[0], `unknown field; allowed: ${BODY_KEYS.join(', ')}`, 'body');
  const [minLon, minLat, maxLon, maxLat] = extent;
  const coord = (name: 'lon' | 'lat', min: number, max: number) => {
    const v = b[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidParam(name, 'must be a number (WGS-84 degrees)', 'body');
    if (v < min || v > max) {
      throw new ProblemError(422, `${name} ${v} is outside the served area (${min.toFixed(3)} … ${max.toFixed(3)})`, {
        errors: [{ in: 'body', name, detail: `must be from ${min.toFixed(3)} to ${max.toFixed(3)}` }],
      });
    }
    return v;
  };
  const out: PositionBody = { lon: coord('lon', minLon, maxLon), lat: coord('lat', minLat, maxLat) };
  if (b.at !== undefined) {
    if (typeof b.at !== 'string') throw invalidParam('at', 'must be an ISO 8601 date-time string', 'body');
    try {
      out.at = parseIsoDate('at', b.at);
    } catch {
      throw invalidParam('at', 'must be an ISO 8601 date-time such as 2024-06-01T09:30:00+08:00', 'body');
    }
  }
  return out;
}

/**
 * POST /api/staff/:id/position { lon, lat[, at] }: a field worker's current position (what the phone app or the
 * simulator sends). Stored as the person's last position and announced as a 'staff.position' live message, in one
 * transaction. 404 for unknown staff, 422 outside the served area, 409 when older than the stored position.
 */
export function positionRoutes({ db, now, live, audit }: { db: Db; now: () => number; live: LiveHub; audit: Audit }) {
  const positions = createPositionService(db, audit);
  const extentSt = db.prepare<[], { a: number | null; b: number; c: number; d: number }>(
    'SELECT min(min_lon) AS a, min(min_lat) AS b, max(max_lon) AS c, max(max_lat) AS d FROM blocks',
  );
  let extent: { box: number[]; until: number } | null = null;
  const servedExtent = (t: number): number[] => {
    if (!extent || t > extent.until) {
      const r = extentSt.get();
      const box = r && r.a !== null ? [r.a - MARGIN_DEG, r.b - MARGIN_DEG, r.c + MARGIN_DEG, r.d + MARGIN_DEG] : CHINA;
      extent = { box, until: t + EXTENT_TTL_MS };
    }
    return extent.box;
  };

  return new Hono().post(
    '/:id/position', permit('positions:write'),
    validator('param', (v) => ({ id: parseId('id', String(v.id)) })),
    validator('json', (value) => parseBody(value, servedExtent(now()))),
    (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      // A staff member reports their own position; integrations (a GPS feed) and admins anyone's.
      const p = principalOf(c);
      if (p.staffId !== null && p.staffId !== id) throw refuse(ACTOR_NOT_PERMITTED, `Staff ${p.staffId} may report only their own position`);
      if (p.staffId === null && p.role !== 'integration' && p.role !== 'admin') throw refuse(ACTOR_NOT_PERMITTED, 'Only a staff member or a position feed reports positions');
      const at = body.at ?? now();
      const result = positions.record(callerOf(c), id, body.lon, body.lat, at);
      if (!result.ok && result.reason === 'unknown-staff') throw notFound(`No staff ${id}`);
      if (!result.ok) throw new ProblemError(409, `A newer position of staff ${id} is already stored`);
      live.notify();
      return c.json({ staffId: id, lon: body.lon, lat: body.lat, at: toIso(at), messageId: result.messageId }, 200);
    },
  );
}
