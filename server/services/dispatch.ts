/**
 * Recommendation and dispatch (任务派遣): who should go to a case, and sending them with a road route.
 *
 * candidates(id)  the role-fit pool for the case's tier — block: the governor and assistants of the case's block
 *                 and of the neighbouring blocks of its subdistrict (blocks whose boxes touch); centre: staff of the
 *                 responsible centre of the case's subdistrict; department: officers of the responsible department
 *                 posted there (an escalated case whose category names no unit of its new tier: every unit of that
 *                 tier there, as 'other-unit'). Never the block's supervisor. Positions and open loads come from one
 *                 indexed query each; every ETA from ONE reverse search from the case (Router.travelTimesTo); the
 *                 pure recommender (domain/recommend.ts) scores and ranks. Routes are drawn for the top 3.
 * dispatch(id)    in one transaction: the 'dispatch' transition through the transition service (its log row and
 *                 its 'event.transitioned' message), the event_routes row and a 'route.dispatched' message with the
 *                 route; the hub is woken after the commit.
 *
 * ETAs count the road time plus the off-road legs (position → road, road → case) at OFF_ROAD_MPS, and a route's
 * coordinates run from the staff member's position to the case's point with those legs as first and last
 * segments, so its last time is its ETA.
 */
import type { LineString } from 'geojson';
import type { Candidate, CandidateRoute, CandidatesResult, DispatchRoute as Route } from '../contract/api.ts';
import { routeCommands } from '../db/commands/routes.ts';
import { dispatchQueries, type BlockBoxRow, type CandidateRow, type DispatchEventRow, type RouteRow } from '../db/queries/dispatch.ts';
import { ASSIGNEE_IS_SUPERVISOR, ILLEGAL_TRANSITION, transitionsFrom, type Status } from '../domain/lifecycle.ts';
import { ASSIGNEE_NOT_ELIGIBLE, NO_CANDIDATE, NOT_FOUND, refuse, refuseField, type DomainError } from '../domain/refusal.ts';
import { isOwner, OWNERSHIP, rankCandidates, type Ownership, type Reason, type ScoreParts } from '../domain/recommend.ts';
import type { LonLat, RouteFound } from '../geo/routing.ts';
import { appendLiveMessage } from '../live/messages.ts';
import { toIso } from '../time.ts';
import type { ServiceContext } from './context.ts';
import type { RoadNetwork } from './road-network.ts';
import type { TransitionService } from './transitions.ts';
import type { Caller } from '../domain/principal.ts';

/** Speed over the off-road legs between a position or a case and the nearest road, metres per second (walking). */
export const OFF_ROAD_MPS = 1.4;
/** Routes are drawn for this many of the best candidates. */
export const ROUTES_FOR_TOP = 3;
/** Blocks whose boxes come this close are neighbours, degrees (≈ 30 m). */
export const NEIGHBOUR_GAP_DEG = 0.0003;
/** Statuses from which a case can be dispatched (a returned case is back in 'filed'). */
export const DISPATCHABLE: readonly Status[] = ['filed'];
export const DEFAULT_CANDIDATES = 10;
export const MAX_CANDIDATES = 100;

// The shapes of candidates and routes are the contract's (the console and the wall read them).
export type { Candidate, CandidateRoute, CandidatesResult, DispatchRoute as Route } from '../contract/api.ts';

export interface DispatchBody {
  assignee?: number;
  reason?: string;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const round1 = (x: number): number => Math.round(x * 10) / 10;

interface PoolEntry {
  row: CandidateRow;
  ownership: Ownership;
}

interface Ranking {
  event: DispatchEventRow;
  remainingSeconds: number;
  /** Pool entries, best first, with their scores. */
  ranked: { entry: PoolEntry; source: number; openLoad: number; eta: number | null; score: number; parts: ScoreParts; reasons: Reason[] }[];
  supervisors: number[];
  /** The full route of pool member i (by source index), or null. */
  routeOf(source: number): { route: CandidateRoute; seconds: number; metres: number } | null;
}

export function createDispatchService(ctx: ServiceContext, transitions: TransitionService, network: RoadNetwork) {
  const { db } = ctx;
  const dq = dispatchQueries(db);
  const routes = routeCommands(db);
  let boxes: { versionId: number; rows: BlockBoxRow[]; byCode: Map<string, BlockBoxRow> } | null = null;

  function neighbours(versionId: number, code: string, subdistrict: string): string[] {
    if (boxes?.versionId !== versionId) {
      const rows = dq.blockBoxes(versionId);
      boxes = { versionId, rows, byCode: new Map(rows.map((r) => [r.code, r])) };
    }
    const b = boxes.byCode.get(code);
    if (!b) return [];
    const g = NEIGHBOUR_GAP_DEG;
    return boxes.rows
      .filter((r) => r.code !== code && r.subdistrict_code === subdistrict && r.min_lon <= b.max_lon + g && r.max_lon >= b.min_lon - g &&
        r.min_lat <= b.max_lat + g && r.max_lat >= b.min_lat - g)
      .map((r) => r.code);
  }

  /** The role-fit pool of a case (deduplicated by staff, best ownership kept) and the supervisors to keep out. */
  function pool(ev: DispatchEventRow, at: number): { entries: PoolEntry[]; supervisors: number[] } {
    const versionId = ctx.q.versions.current(at)?.id ?? ev.version_id;
    const supervisors = [...new Set([dq.supervisor(versionId, ev.block_code, at), dq.supervisor(ev.version_id, ev.block_code, at)])]
      .filter((id): id is number => id !== null);
    const entries: PoolEntry[] = [];
    if (ev.tier === 'block') {
      const codes = [ev.block_code, ...neighbours(versionId, ev.block_code, ev.subdistrict_code)];
      for (const row of dq.blockTeams(versionId, codes, at)) {
        entries.push({ row, ownership: row.block_code === ev.block_code ? 'own-block' : 'neighbour-block' });
      }
    } else {
      const units = dq.units(ev.tier, ev.subdistrict_code);
      let responsible: number | null = null;
      if (ev.unit_id !== null && units.some((u) => u.id === ev.unit_id)) responsible = ev.unit_id;
      else if (ev.category_tier === ev.tier) responsible = units.find((u) => u.key === ev.unit_key)?.id ?? null;
      const ids = responsible !== null ? [responsible] : units.map((u) => u.id);
      for (const row of dq.unitHandlers(ids, at)) {
        entries.push({ row, ownership: row.unit_id === responsible ? 'responsible-unit' : 'other-unit' });
      }
    }
    const best = new Map<number, PoolEntry>();
    for (const e of entries) {
      if (supervisors.includes(e.row.staff_id)) continue; // supervision is separate from handling
      const had = best.get(e.row.staff_id);
      if (!had || OWNERSHIP[e.ownership] > OWNERSHIP[had.ownership]) best.set(e.row.staff_id, e);
    }
    return { entries: [...best.values()], supervisors };
  }

  function rank(ev: DispatchEventRow, at: number): Ranking {
    const { entries, supervisors } = pool(ev, at);
    const loads = dq.openLoads(entries.map((e) => e.row.staff_id));
    const positioned: number[] = []; // pool index of each routing source
    const sources: LonLat[] = [];
    entries.forEach((e, i) => {
      if (e.row.pos_lon !== null && e.row.pos_lat !== null) {
        positioned.push(i);
        sources.push([e.row.pos_lon, e.row.pos_lat]);
      }
    });
    const sourceOf = new Int32Array(entries.length).fill(-1);
    positioned.forEach((p, s) => (sourceOf[p] = s));
    const net = network.current();
    const target: LonLat = [ev.lon, ev.lat];
    // ONE reverse search from the case for every positioned candidate
    const tt = net && sources.length ? net.router.travelTimesTo(target, sources) : null;
    const etaOf = (i: number): number | null => {
      const s = sourceOf[i];
      if (s < 0 || !tt || !Number.isFinite(tt.seconds[s])) return null;
      return tt.seconds[s] + (tt.snapDistances[s] + tt.snapTo) / OFF_ROAD_MPS;
    };
    const remainingSeconds = Math.round((ev.due_at - at) / 1000);
    const inputs = entries.map((e, i) => ({
      ownership: e.ownership,
      openLoad: loads.get(e.row.staff_id) ?? 0,
      etaSeconds: etaOf(i),
      hasPosition: sourceOf[i] >= 0,
      positionAgeSeconds: e.row.pos_at === null ? null : (at - e.row.pos_at) / 1000,
    }));
    const scored = rankCandidates(inputs, remainingSeconds);
    const cache = new Map<number, ReturnType<Ranking['routeOf']>>();
    return {
      event: ev,
      remainingSeconds,
      supervisors,
      ranked: scored.map((s) => ({
        entry: entries[s.index], source: s.index, openLoad: inputs[s.index].openLoad, eta: inputs[s.index].etaSeconds,
        score: s.score, parts: s.parts, reasons: s.reasons,
      })),
      routeOf(i) {
        if (cache.has(i)) return cache.get(i)!;
        const s = sourceOf[i];
        let out: ReturnType<Ranking['routeOf']> = null;
        if (s >= 0 && tt && Number.isFinite(tt.seconds[s])) {
          const r = tt.routeFrom(s);
          if (r.reachable) out = withOffRoad(r, sources[s], target);
        }
        cache.set(i, out);
        return out;
      },
    };
  }

  function loadEvent(eventId: number): DispatchEventRow {
    const ev = dq.event(eventId);
    if (!ev) throw refuse(NOT_FOUND, `No event ${eventId}`);
    return ev;
  }

  function toCandidate(r: Ranking['ranked'][number], metres: number | null, route: CandidateRoute | null): Candidate {
    const row = r.entry.row;
    return {
      staff: {
        id: row.staff_id,
        name: row.name,
        phone: row.phone,
        role: row.role,
        blockCode: row.block_code,
        unit: row.unit_id === null ? null : { id: row.unit_id, kind: row.unit_kind!, key: row.unit_key!, name: row.unit_name! },
      },
      position: row.pos_lon === null || row.pos_lat === null || row.pos_at === null
        ? null : { lon: round6(row.pos_lon), lat: round6(row.pos_lat), at: toIso(row.pos_at) },
      etaSeconds: r.eta === null ? null : round1(r.eta),
      distanceMetres: metres === null ? null : Math.round(metres),
      openLoad: r.openLoad,
      owner: isOwner(r.entry.ownership),
      score: Math.round(r.score * 1e6) / 1e6,
      parts: {
        eta: Math.round(r.parts.eta * 1e6) / 1e6,
        ownership: Math.round(r.parts.ownership * 1e6) / 1e6,
        load: Math.round(r.parts.load * 1e6) / 1e6,
        sla: Math.round(r.parts.sla * 1e6) / 1e6,
      },
      reasons: r.reasons,
      route,
    };
  }

  function notDispatchable(ev: DispatchEventRow): DomainError {
    return refuse(ILLEGAL_TRANSITION, `Event ${ev.id} is ${ev.status}; only a filed (or returned) case can be dispatched`, {
      facts: { eventStatus: ev.status, allowed: transitionsFrom(ev.status as Status) },
    });
  }

  return {
    /** Ranked candidates for a filed case (refused: NOT_FOUND, or ILLEGAL_TRANSITION when it is not dispatchable). */
    candidates(eventId: number, limit = DEFAULT_CANDIDATES): CandidatesResult {
      const at = ctx.now();
      const ev = loadEvent(eventId);
      if (!DISPATCHABLE.includes(ev.status as Status)) throw notDispatchable(ev);
      const ranking = rank(ev, at);
      const items = ranking.ranked.slice(0, limit).map((r, k) => {
        const full = ranking.routeOf(r.source);
        return toCandidate(r, full?.metres ?? null, k < ROUTES_FOR_TOP ? full?.route ?? null : null);
      });
      return {
        eventId: ev.id,
        tier: ev.tier,
        category: { code: ev.category_code, name: ev.category_name },
        dueAt: toIso(ev.due_at),
        remainingSeconds: ranking.remainingSeconds,
        items,
      };
    },

    /**
     * Dispatches a filed case to the assignee (default: the top candidate), storing and publishing the route.
     * Refusals leave the database unchanged: NOT_FOUND, the lifecycle's reasons (with the actor's allowed
     * transitions; ACTOR_NOT_PERMITTED for an actor who is not a dispatcher of the case), NO_CANDIDATE,
     * ASSIGNEE_IS_SUPERVISOR or ASSIGNEE_NOT_ELIGIBLE for the assignee.
     */
    dispatch(eventId: number, body: DispatchBody, caller: Caller): { eventId: number; route: Route | null } {
      const at = ctx.now();
      const out = db.transaction(() => {
        const ev = loadEvent(eventId);
        let assignee = body.assignee;
        let ranking: Ranking | null = null;
        if (DISPATCHABLE.includes(ev.status as Status)) {
          // otherwise the transition below refuses (ILLEGAL_TRANSITION) with the actor's allowed transitions
          ranking = rank(ev, at);
          if (assignee === undefined) {
            assignee = ranking.ranked[0]?.entry.row.staff_id;
            if (assignee === undefined) {
              throw refuseField(NO_CANDIDATE, `No staff fit to handle event ${eventId} (${ev.tier} tier) were found`, 'assignee', 'no candidate; name one');
            }
          } else if (ranking.supervisors.includes(assignee)) {
            throw refuseField(ASSIGNEE_IS_SUPERVISOR, `Staff ${assignee} supervises this block and may not handle its cases`, 'assignee', 'is the block supervisor');
          } else if (!ranking.ranked.some((r) => r.entry.row.staff_id === assignee)) {
            throw refuseField(ASSIGNEE_NOT_ELIGIBLE, `Staff ${assignee} is not among the ${ev.tier}-tier handlers of event ${eventId}`,
              'assignee', `not a candidate: ${POOL_TEXT[ev.tier]}`);
          }
        }
        transitions.transition(eventId, { to: 'dispatch', assignee, note: body.reason }, caller);
        if (!ranking || assignee === undefined) return { eventId, route: null }; // not reached: the transition refused
        const r = ranking.ranked.find((x) => x.entry.row.staff_id === assignee)!;
        const full = ranking.routeOf(r.source);
        if (!full) return { eventId, route: null };
        routes.settle(eventId, 'cancelled'); // a stale route of an earlier dispatch, if any
        const stored = {
          event_id: eventId, staff_id: assignee, created_at: at, eta_s: round1(full.seconds), distance_m: Math.round(full.metres),
          geometry: JSON.stringify({ type: 'LineString', coordinates: full.route.coordinates } satisfies LineString),
          times: JSON.stringify(full.route.times),
        };
        const id = routes.insert(stored);
        const route: Route = {
          id, eventId, staffId: assignee, staffName: r.entry.row.name, createdAt: toIso(at), etaSeconds: stored.eta_s,
          distanceMetres: stored.distance_m, coordinates: full.route.coordinates, times: full.route.times, status: 'active',
        };
        appendLiveMessage(db, 'route.dispatched', route, at);
        return { eventId, route };
      }).immediate();
      ctx.live?.notify();
      return out;
    },

    /** Routes still under way, oldest first. */
    activeRoutes(): Route[] {
      return dq.activeRoutes().map(toRoute);
    },
  };
}

const POOL_TEXT: Record<string, string> = {
  block: "the governor and assistants of the case's block or a neighbouring block",
  centre: "staff of the responsible centre of the case's subdistrict",
  department: "officers of the responsible department posted to the case's subdistrict",
};

/** A stored route row in the API's shape. */
export function toRoute(r: RouteRow): Route {
  return {
    id: r.id,
    eventId: r.event_id,
    staffId: r.staff_id,
    staffName: r.staff_name,
    createdAt: toIso(r.created_at),
    etaSeconds: r.eta_s,
    distanceMetres: r.distance_m,
    coordinates: (JSON.parse(r.geometry) as LineString).coordinates as [number, number][],
    times: JSON.parse(r.times) as number[],
    status: r.status,
  };
}

/**
 * The road route with the off-road legs added: from the position to the snapped start, and from the snapped end to
 * the case, at OFF_ROAD_MPS. Coordinates rounded to 6 decimals, times to 0.1 s (monotone rounding keeps them
 * non-decreasing; the last equals the ETA as the candidate list reports it).
 */
function withOffRoad(r: RouteFound, from: LonLat, to: LonLat): { route: CandidateRoute; seconds: number; metres: number } {
  const lead = r.snapFrom / OFF_ROAD_MPS;
  const coordinates: [number, number][] = [];
  const times: number[] = [];
  const push = (lon: number, lat: number, t: number) => {
    const c: [number, number] = [round6(lon), round6(lat)];
    const prev = coordinates[coordinates.length - 1];
    const tt = round1(t);
    if (prev && prev[0] === c[0] && prev[1] === c[1]) {
      times[times.length - 1] = Math.max(times[times.length - 1], tt);
      return;
    }
    coordinates.push(c);
    times.push(tt);
  };
  push(from[0], from[1], 0);
  const coords = r.geometry.coordinates;
  for (let k = 0; k < coords.length; k++) push(coords[k][0], coords[k][1], lead + r.times[k]);
  const seconds = lead + r.seconds + r.snapTo / OFF_ROAD_MPS;
  push(to[0], to[1], seconds);
  if (coordinates.length === 1) { coordinates.push(coordinates[0]); times.push(round1(seconds)); }
  return { route: { coordinates, times }, seconds, metres: r.snapFrom + r.metres + r.snapTo };
}

export type DispatchService = ReturnType<typeof createDispatchService>;
