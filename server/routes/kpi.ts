import { permit } from '../http/auth.ts';
import { Hono } from 'hono';
import type { Db } from '../db/database.ts';
import { kpiQueries } from '../db/queries/kpi.ts';
import { queryValidator } from '../http/validate.ts';
import { toKpiView } from '../live/kpi.ts';

/** GET /api/kpi: today's (Asia/Shanghai) key figures, the same as the stream's latest kpi.tick but current. */
export function kpiRoutes({ db, now }: { db: Db; now: () => number }) {
  const q = kpiQueries(db);
  return new Hono().get(
    '/', permit('map:read'),
    queryValidator([], () => ({})),
    (c) => c.json(toKpiView(q.today(now())), 200, { 'Cache-Control': 'no-store' }),
  );
}
