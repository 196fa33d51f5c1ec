import { permit } from '../http/auth.ts';
import { Hono } from 'hono';
import type { Area } from '../contract/api.ts';
import type { AreaRow } from '../db/queries/areas.ts';
import { ProblemError } from '../http/problem.ts';
import { queryValidator } from '../http/validate.ts';
import type { RouteDeps } from './deps.ts';
import { round6 } from './present.ts';

export type { Area } from '../contract/api.ts';

/**
 * GET /api/areas: the area tree without geometry (geometry is in /api/layers), with residents, households and
 * block counts summed from the boundary version in force.
 */
export function areaRoutes({ q, now }: RouteDeps) {
  return new Hono().get(
    '/', permit('map:read'),
    queryValidator([], () => ({})),
    (c) => {
      const version = q.versions.current(now());
      const rows = q.areas.all();
      const stats = new Map<string, { residents: number; households: number; blocks: number }>();
      const add = (code: string | null, s: { residents: number; households: number; blocks: number }) => {
        if (code === null) return;
        const t = stats.get(code) ?? { residents: 0, households: 0, blocks: 0 };
        t.residents += s.residents;
        t.households += s.households;
        t.blocks += s.blocks;
        stats.set(code, t);
      };
      const parentOf = new Map(rows.map((r) => [r.code, r.parent_code]));
      for (const s of version ? q.areas.communityStats(version.id) : []) {
        // community → subdistrict → district
        let code: string | null | undefined = s.community_code;
        while (code) {
          add(code, s);
          code = parentOf.get(code);
        }
      }
      const toArea = (r: AreaRow): Area => ({
        code: r.code,
        name: r.name,
        shortName: r.short_name,
        nameEn: r.name_en,
        type: r.type,
        urban: r.urban === 1,
        parentCode: r.parent_code,
        center: [round6(r.center_lon), round6(r.center_lat)],
        ...(stats.get(r.code) ?? { residents: 0, households: 0, blocks: 0 }),
      });
      const district = rows.find((r) => r.level === 'district');
      if (!district) throw new ProblemError(503, 'The database holds no district yet; seed or import one first');
      return c.json({
        district: toArea(district),
        subdistricts: rows.filter((r) => r.level === 'subdistrict').map(toArea),
        communities: rows.filter((r) => r.level === 'community').map(toArea),
      });
    },
  );
}
