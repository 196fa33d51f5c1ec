import type { MultiPolygon, Polygon } from 'geojson';
import { permit } from '../http/auth.ts';
import { Hono } from 'hono';
import { validator } from 'hono/validator';
import type { BlockProperties } from '../contract/api.ts';
import type { BlockRow, TeamRow } from '../db/queries/blocks.ts';
import { featureCollectionText, featureText, RoundedGeometries, roundGeometryText } from '../http/geojson.ts';
import { notFound } from '../http/problem.ts';
import { CachedRepresentation, sendRepresentation, type BuiltBody } from '../http/representation.ts';
import { parseCode, queryValidator } from '../http/validate.ts';
import type { RouteDeps } from './deps.ts';
import { round6, toEventSummary, toStaff, type PersonRef } from './present.ts';

export type { BlockProperties } from '../contract/api.ts';

export interface BlockFeatureCollection {
  type: 'FeatureCollection';
  boundaryVersion: { id: number; name: string } | null;
  features: { type: 'Feature'; id: string; geometry: Polygon | MultiPolygon; properties: BlockProperties }[];
}

const RECENT_EVENTS = 20;

function teamsByBlock(rows: TeamRow[]) {
  const map = new Map<string, { governor: TeamRow | null; supervisor: TeamRow | null; assistants: TeamRow[] }>();
  for (const r of rows) {
    let t = map.get(r.block_code);
    if (!t) map.set(r.block_code, (t = { governor: null, supervisor: null, assistants: [] }));
    if (r.role === 'governor') t.governor ??= r;
    else if (r.role === 'supervisor') t.supervisor ??= r;
    else t.assistants.push(r);
  }
  return map;
}

const ref = (r: TeamRow | null): PersonRef | null => (r ? { id: r.staff_id, name: r.name } : null);

/**
 * GET /api/blocks serves one cached, precompressed FeatureCollection of the version in force.
 *
 * When is the cached body stale? Its content is a function of (a) the boundary version in force, (b) the blocks'
 * areas/names, (c) the active team assignments, (d) the set of open events per block and (e) which of those are
 * past due. (a) is in the key (the current version is looked up per request, so a version whose effective_from
 * passes switches the key); (b)–(d) change only by writes, and every such write moves a marker in the key: a new
 * event (max events.id), a lifecycle transition (each appends an event_log row: max event_log.id), a role added or
 * ended (max id and count of ended role_assignments), an area import (area count and max code). (e) and
 * time-bounded assignments change with the clock alone, so each body carries `validUntil`: the first instant after
 * the earliest future due_at of an open case (when one more case turns overdue), or the next role start/end, or the
 * next version's effective_from — whichever comes first. Between those instants the bytes are identical, so the
 * strong ETag (a hash of the body) stays valid; after them the body is rebuilt and the ETag changes only if the
 * content did.
 */
export function blockRoutes({ q, now }: RouteDeps) {
  const geometries = new RoundedGeometries();
  const cache = new CachedRepresentation(
    (t) => `${q.versions.current(t)?.id ?? 0}|${q.blocks.marker()}|${q.areas.marker()}`,
    (t): BuiltBody => buildBlockCollection(q, t, geometries),
    'application/geo+json; charset=utf-8',
  );

  return new Hono()
    .get(
      '/', permit('map:read'),
      queryValidator([], () => ({})),
      (c) => sendRepresentation<BlockFeatureCollection>(c, cache.get(now())),
    )
    .get(
      '/:code', permit('map:read'),
      validator('param', (v) => ({ code: parseCode('code', String(v.code), 15, 'path') })),
      queryValidator([], () => ({})),
      (c) => {
        const { code } = c.req.valid('param');
        const t = now();
        const version = q.versions.current(t);
        const b = version ? q.blocks.get(version.id, code) : undefined;
        if (!version || !b) throw notFound(`No block ${code} in the boundary version in force`);
        const team = teamsByBlock(q.blocks.team(version.id, code, t)).get(code);
        const counts = q.blocks.eventCountsOf(code, t);
        const recent = q.events.list({ block: code, limit: RECENT_EVENTS, now: t });
        return c.json({
          code: b.code,
          name: b.name,
          community: { code: b.community_code, name: b.community_name },
          subdistrict: { code: b.subdistrict_code, name: b.subdistrict_name },
          residents: b.residents,
          households: b.households,
          areaM2: Math.round(b.area_m2),
          center: [round6(b.center_lon), round6(b.center_lat)] as [number, number],
          bbox: [b.min_lon, b.min_lat, b.max_lon, b.max_lat].map(round6) as [number, number, number, number],
          geometry: JSON.parse(roundGeometryText(b.geometry)) as Polygon | MultiPolygon,
          team: {
            governor: team?.governor ? toStaff(team.governor) : null,
            assistants: (team?.assistants ?? []).map(toStaff),
            supervisor: team?.supervisor ? toStaff(team.supervisor) : null,
          },
          open: counts.open,
          overdue: counts.overdue,
          recentEvents: recent.map((r) => toEventSummary(r, t)),
        });
      },
    );
}

/** Builds the FeatureCollection text by assembling per-feature strings (rounded geometry texts reused across builds). */
function buildBlockCollection(q: RouteDeps['q'], t: number, geometries: RoundedGeometries): BuiltBody {
  const version = q.versions.current(t);
  if (!version) {
    return { body: featureCollectionText([], { boundaryVersion: null }), validUntil: q.versions.nextEffectiveAfter(t) };
  }
  const rows: BlockRow[] = q.blocks.list(version.id);
  const teams = teamsByBlock(q.blocks.teams(version.id, t));
  const counts = new Map(q.blocks.eventCounts(t).map((r) => [r.block_code, r]));
  const features = rows.map((b) => {
    const team = teams.get(b.code);
    const n = counts.get(b.code);
    const props: BlockProperties = {
      code: b.code,
      name: b.name,
      communityCode: b.community_code,
      communityName: b.community_name,
      subdistrictCode: b.subdistrict_code,
      subdistrictName: b.subdistrict_name,
      residents: b.residents,
      households: b.households,
      areaM2: Math.round(b.area_m2),
      governor: ref(team?.governor ?? null),
      supervisor: ref(team?.supervisor ?? null),
      assistants: team?.assistants.length ?? 0,
      open: n?.open ?? 0,
      overdue: n?.overdue ?? 0,
    };
    return featureText(b.code, geometries.get(`${version.id}:${b.code}`, b.geometry), props);
  });
  geometries.commit();
  const nextDue = q.blocks.nextDueAfter(t);
  const limits = [nextDue === null ? null : nextDue + 1, q.blocks.nextRoleChangeAfter(t), q.versions.nextEffectiveAfter(t)];
  const validUntil = limits.reduce<number | null>((m, x) => (x === null ? m : m === null ? x : Math.min(m, x)), null);
  return {
    body: featureCollectionText(features, { boundaryVersion: { id: version.id, name: version.name } }),
    validUntil,
  };
}
