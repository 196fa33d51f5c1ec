import { permit } from '../http/auth.ts';
import { Hono } from 'hono';
import { ROLES, type StaffFilter } from '../db/queries/staff.ts';
import {
  encodeCursor, parseCode, parseCursor, parseEnum, parseIntInRange, queryValidator,
} from '../http/validate.ts';
import type { RouteDeps } from './deps.ts';
import { toStaffWithRole } from './present.ts';

const STAFF_QUERY = ['block', 'subdistrict', 'role', 'limit', 'cursor'] as const;
const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 5000;

/**
 * GET /api/staff[?block=&subdistrict=&role=&limit=&cursor=]: staff with their active roles, one item per staff ×
 * role (a person who is assistant in two blocks appears twice; staff without an active role appear once with
 * role null, and only when no filter is given). Ordered by staff id, keyset-paginated.
 */
export function staffRoutes({ q, now }: RouteDeps) {
  return new Hono().get(
    '/', permit('map:read'),
    queryValidator(STAFF_QUERY, (raw) => {
      const f: Omit<StaffFilter, 'now' | 'versionId'> = { limit: DEFAULT_LIMIT };
      if (raw.block !== undefined) f.block = parseCode('block', raw.block, 15);
      if (raw.subdistrict !== undefined) f.subdistrict = parseCode('subdistrict', raw.subdistrict, 9);
      if (raw.role !== undefined) f.role = parseEnum('role', raw.role, ROLES);
      if (raw.limit !== undefined) f.limit = parseIntInRange('limit', raw.limit, 1, MAX_LIMIT);
      if (raw.cursor !== undefined) f.after = parseCursor('cursor', raw.cursor, ['staffId', 'rid'] as const);
      return f;
    }),
    (c) => {
      const t = now();
      const f = c.req.valid('query');
      const versionId = q.versions.current(t)?.id ?? null;
      const rows = q.staff.list({ ...f, limit: f.limit + 1, versionId, now: t });
      const more = rows.length > f.limit;
      const page = more ? rows.slice(0, f.limit) : rows;
      const last = page[page.length - 1];
      return c.json({
        items: page.map(toStaffWithRole),
        nextCursor: more && last ? encodeCursor({ staffId: last.id, rid: last.rid }) : null,
      });
    },
  );
}
