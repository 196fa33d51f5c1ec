import type { MultiPolygon, Polygon } from 'geojson';
import { permit } from '../http/auth.ts';
import { Hono } from 'hono';
import type { HotspotItem, HotspotResponse } from '../contract/api.ts';
import type { Db } from '../db/database.ts';
import { HOTSPOT_MEASURES, hotspotQueries, type HotspotMeasure } from '../db/queries/hotspots.ts';
import { findHotspots, mergeOutline, queenContiguity, type Adjacency, type PolygonParts } from '../domain/hotspots.ts';
import { invalidParam } from '../http/problem.ts';
import { parseEnum, parseIntInRange, queryValidator } from '../http/validate.ts';
import { toIso } from '../time.ts';

const HOTSPOT_QUERY = ['measure', 'days', 'alpha'] as const;
const DEFAULT_DAYS = 90;
const DAY = 86_400_000;

export type { HotspotItem, HotspotResponse } from '../contract/api.ts';

function parseAlpha(raw: string): number {
  const v = Number(raw);
  if (!/^0?\.[0-9]{1,6}$/.test(raw.trim()) || !(v > 0 && v <= 0.2)) throw invalidParam('alpha', `must be a number above 0 and at most 0.2, got ${JSON.stringify(raw.slice(0, 20))}`);
  return v;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));
const sig = (v: number) => Number(v.toPrecision(3));

/**
 * GET /api/hotspots[?measure=late|overdue|open&days=90&alpha=0.05]: where cases concentrate significantly more than
 * elsewhere. Per block of the version in force: the count of the measure (late: cases reported in the last `days`
 * that ran past due; overdue: open past due now; open: open now), the local Getis–Ord Gi* z-score over the block and
 * its queen-contiguous neighbours, a one-sided p-value, Benjamini–Hochberg correction over all blocks at FDR
 * `alpha`; significant hot blocks are joined into clusters of touching blocks, each with its merged outline, its
 * core block (most cases) and that block's governor. Answers are cached for a minute or until a write.
 */
export function hotspotRoutes({ db, now }: { db: Db; now: () => number }) {
  const q = hotspotQueries(db);
  const adjacency = new Map<number, { adj: Adjacency; parts: PolygonParts[] }>();
  const cache = new Map<string, HotspotResponse>();

  const compute = (measure: HotspotMeasure, days: number, alpha: number, t: number): HotspotResponse => {
    const version = q.currentVersion(t);
    const from = t - days * DAY;
    const empty: HotspotResponse = {
      method: 'getis-ord-gi*', weights: 'queen-contiguity', correction: 'benjamini-hochberg', measure,
      days: measure === 'late' ? days : null, from: measure === 'late' ? toIso(from) : null, to: toIso(t), alpha,
      blocks: 0, total: 0, mean: 0, items: [],
    };
    if (!version) return empty;
    const rows = q.blocks(version.id, t);
    let geo = adjacency.get(version.id);
    if (!geo || geo.parts.length !== rows.length) {
      const parts = rows.map((r) => {
        const g = JSON.parse(r.geometry) as Polygon | MultiPolygon;
        return (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as PolygonParts;
      });
      geo = { parts, adj: queenContiguity(parts, rows.map((r) => [r.center_lon, r.center_lat])) };
      adjacency.clear();
      adjacency.set(version.id, geo);
    }
    const counts = q.counts(measure, from, t);
    const x = rows.map((r) => counts.get(r.code) ?? 0);
    const result = findHotspots(x, geo.adj, { alpha });
    const items = result.clusters.map((c): HotspotItem => {
      const core = rows[c.core];
      const outline = mergeOutline(c.members.map((i) => geo!.parts[i]));
      return {
        id: core.code,
        blocks: c.members.map((i) => rows[i].code),
        z: round(c.zMax, 2),
        p: sig(c.pMin),
        q: sig(c.qMin),
        count: c.count,
        expected: round(c.expected, 2),
        center: [round(core.center_lon, 6), round(core.center_lat, 6)],
        block: { code: core.code, name: core.name, communityName: core.community_name },
        subdistrict: { code: core.subdistrict_code, name: core.subdistrict_name },
        governor: core.governor_id === null ? null : { id: core.governor_id, name: core.governor_name ?? '' },
        outline: {
          ...outline,
          coordinates: JSON.parse(JSON.stringify(outline.coordinates, (_k, v) => (typeof v === 'number' ? round(v, 6) : v))),
        } as Polygon | MultiPolygon,
      };
    });
    return { ...empty, blocks: result.n, total: result.total, mean: round(result.mean, 4), items };
  };

  return new Hono().get(
    '/', permit('map:read'),
    queryValidator(HOTSPOT_QUERY, (raw) => ({
      measure: raw.measure === undefined ? ('late' as HotspotMeasure) : parseEnum('measure', raw.measure, HOTSPOT_MEASURES),
      days: raw.days === undefined ? DEFAULT_DAYS : parseIntInRange('days', raw.days, 1, 3660),
      alpha: raw.alpha === undefined ? 0.05 : parseAlpha(raw.alpha),
    })),
    (c) => {
      const { measure, days, alpha } = c.req.valid('query');
      const t = now();
      const key = `${measure}|${days}|${alpha}|${q.marker()}|${Math.floor(t / 60_000)}`;
      let body = cache.get(key);
      if (!body) {
        body = compute(measure, days, alpha, t);
        if (cache.size >= 8) cache.delete(cache.keys().next().value!);
        cache.set(key, body);
      }
      return c.json(body, 200, { 'Cache-Control': 'no-cache' });
    },
  );
}
