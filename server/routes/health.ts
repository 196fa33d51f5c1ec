import { readFileSync } from 'node:fs';
import { permit } from '../http/auth.ts';
import { Hono } from 'hono';
import { queryValidator } from '../http/validate.ts';
import { toIso } from '../time.ts';
import type { RouteDeps } from './deps.ts';

const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

/** GET /api/health: liveness plus the figures that tell at a glance whether the database is seeded. */
export function healthRoutes({ q, now }: RouteDeps) {
  return new Hono().get(
    '/', permit('public'),
    queryValidator([], () => ({})),
    (c) => {
      const t = now();
      const version = q.versions.current(t);
      const demo = q.meta.get('demo');
      const district = q.areas.all().find((a) => a.level === 'district');
      return c.json({
        status: 'ok' as const,
        version: VERSION,
        schemaVersion: q.meta.schemaVersion(),
        boundaryVersion: version ? { id: version.id, name: version.name, effectiveFrom: toIso(version.effective_from) } : null,
        blocks: version ? q.blocks.count(version.id) : 0,
        events: q.events.count(),
        demo: demo === '1' || demo === 'true',
        district: district ? { code: district.code, name: district.name, nameEn: district.name_en } : null,
        time: toIso(t),
      }, 200, { 'Cache-Control': 'no-store' });
    },
  );
}
