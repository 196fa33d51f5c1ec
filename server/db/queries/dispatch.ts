/**
 * Reads of the dispatch path: the case as the recommender sees it, candidate staff with their positions (one
 * indexed query per pool: a block set through role_assignments_block, or a unit set through role_assignments_unit),
 * their open loads (one query through the events_open_assignee partial index), block boxes for neighbours, the
 * roads' change marker, and routes (active ones through the event_routes_active partial index).
 */
import type { Db } from '../database.ts';
import { OPEN_ASSIGNED_WHERE } from './partial-indexes.ts';
import { placeholders, statementCache } from './statements.ts';

const ACTIVE = `ra.valid_from <= @now AND (ra.valid_to IS NULL OR ra.valid_to > @now)`;
const ACTIVE_AT = `ra.valid_from <= ? AND (ra.valid_to IS NULL OR ra.valid_to > ?)`;

export interface DispatchEventRow {
  id: number;
  status: string;
  tier: 'block' | 'centre' | 'department';
  category_code: string;
  category_name: string;
  category_tier: 'block' | 'centre' | 'department';
  unit_key: string;
  version_id: number;
  block_code: string;
  subdistrict_code: string;
  unit_id: number | null;
  lon: number;
  lat: number;
  due_at: number;
}

export interface CandidateRow {
  staff_id: number;
  name: string;
  phone: string;
  role: 'governor' | 'assistant' | 'centre-staff' | 'officer';
  block_code: string | null;
  unit_id: number | null;
  unit_kind: 'centre' | 'department' | null;
  unit_key: string | null;
  unit_name: string | null;
  pos_lon: number | null;
  pos_lat: number | null;
  pos_at: number | null;
}

export interface BlockBoxRow {
  code: string;
  subdistrict_code: string;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
}

export interface RouteRow {
  id: number;
  event_id: number;
  staff_id: number;
  staff_name: string;
  created_at: number;
  eta_s: number;
  distance_m: number;
  geometry: string;
  times: string;
  status: 'active' | 'arrived' | 'cancelled';
}

const CANDIDATE_SELECT = `
  SELECT ra.staff_id, s.name, s.phone, ra.role, ra.block_code, ra.unit_id, u.kind AS unit_kind, u.key AS unit_key,
         u.name AS unit_name, p.lon AS pos_lon, p.lat AS pos_lat, p.at AS pos_at
    FROM role_assignments ra
    JOIN staff s ON s.id = ra.staff_id
    LEFT JOIN units u ON u.id = ra.unit_id
    LEFT JOIN staff_positions p ON p.staff_id = ra.staff_id`;

const ROUTE_SELECT = `
  SELECT r.id, r.event_id, r.staff_id, s.name AS staff_name, r.created_at, r.eta_s, r.distance_m, r.geometry, r.times, r.status
    FROM event_routes r JOIN staff s ON s.id = r.staff_id`;

export function dispatchQueries(db: Db) {
  const prepare = statementCache(db); // IN lists of a few lengths: a small, bounded set of statements
  const event = db.prepare<[number], DispatchEventRow>(
    `SELECT e.id, e.status, e.tier, e.category_code, c.name AS category_name, c.tier AS category_tier, c.unit_key,
            e.version_id, e.block_code, e.subdistrict_code, e.unit_id, e.lon, e.lat, e.due_at
       FROM events e JOIN categories c ON c.code = e.category_code WHERE e.id = ?`,
  );
  const boxes = db.prepare<[number], BlockBoxRow>(
    `SELECT code, subdistrict_code, min_lon, min_lat, max_lon, max_lat FROM blocks WHERE version_id = ? ORDER BY code`,
  );
  const supervisor = db.prepare<{ version: number; code: string; now: number }, { staff_id: number }>(
    `SELECT ra.staff_id FROM role_assignments ra
      WHERE ra.version_id = @version AND ra.block_code = @code AND ra.role = 'supervisor' AND ${ACTIVE} ORDER BY ra.id LIMIT 1`,
  );
  const units = db.prepare<{ kind: string; subdistrict: string }, { id: number; key: string }>(
    `SELECT id, key FROM units WHERE kind = @kind AND subdistrict_code = @subdistrict ORDER BY id`,
  );
  const roadsMarker = db.prepare<[], { n: number; max: number | null; sum: number | null }>(
    `SELECT count(*) AS n, max(id) AS max, total(id) AS sum FROM roads`,
  );
  const active = db.prepare<[], RouteRow>(`${ROUTE_SELECT} WHERE r.status = 'active' ORDER BY r.created_at, r.id`);
  const route = db.prepare<[number], RouteRow>(`${ROUTE_SELECT} WHERE r.id = ?`);

  return {
    event: (id: number): DispatchEventRow | undefined => event.get(id),
    /** Every block's box in a version (cached by the caller per version). */
    blockBoxes: (versionId: number): BlockBoxRow[] => boxes.all(versionId),
    supervisor: (versionId: number, code: string, now: number): number | null =>
      supervisor.get({ version: versionId, code, now })?.staff_id ?? null,
    /** Centres or departments posted to a subdistrict. */
    units: (kind: 'centre' | 'department', subdistrict: string) => units.all({ kind, subdistrict }),
    /** Active governors and assistants of these blocks, with positions. */
    blockTeams(versionId: number, codes: readonly string[], now: number): CandidateRow[] {
      if (codes.length === 0) return [];
      return prepare(
        `${CANDIDATE_SELECT}
          WHERE ra.version_id = ? AND ra.block_code IN (${placeholders(codes.length)})
            AND ra.role IN ('governor', 'assistant') AND ${ACTIVE_AT}
          ORDER BY ra.staff_id, ra.id`,
      ).all(versionId, ...codes, now, now) as CandidateRow[];
    },
    /** Active handlers (centre staff, officers) of these units, with positions. */
    unitHandlers(unitIds: readonly number[], now: number): CandidateRow[] {
      if (unitIds.length === 0) return [];
      return prepare(
        `${CANDIDATE_SELECT}
          WHERE ra.unit_id IN (${placeholders(unitIds.length)}) AND ra.role IN ('centre-staff', 'officer')
            AND ${ACTIVE_AT}
          ORDER BY ra.staff_id, ra.id`,
      ).all(...unitIds, now, now) as CandidateRow[];
    },
    /** Open cases per staff member (0 for those with none). */
    openLoads(staffIds: readonly number[]): Map<number, number> {
      const out = new Map<number, number>(staffIds.map((id) => [id, 0]));
      if (staffIds.length === 0) return out;
      const rows = prepare(
        `SELECT assignee_id AS id, count(*) AS n FROM events
          WHERE ${OPEN_ASSIGNED_WHERE} AND assignee_id IN (${placeholders(staffIds.length)}) GROUP BY assignee_id`,
      ).all(...staffIds) as { id: number; n: number }[];
      for (const r of rows) out.set(r.id, r.n);
      return out;
    },
    /** Changes whenever roads are added, removed or replaced (count, highest id, sum of ids). */
    roadsMarker(): string {
      const m = roadsMarker.get()!;
      return `${m.n}:${m.max ?? 0}:${m.sum ?? 0}`;
    },
    activeRoutes: (): RouteRow[] => active.all(),
    route: (id: number): RouteRow | undefined => route.get(id),
  };
}

export type DispatchQueries = ReturnType<typeof dispatchQueries>;
