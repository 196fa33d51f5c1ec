/** Reads of blocks of a boundary version, their 1+N+1 teams and their open/overdue event counts. */
import type { Db } from '../database.ts';
import { OPEN_STATUSES, sqlStatusList } from '../../contract/statuses.ts';

export interface BlockRow {
  code: string;
  name: string;
  community_code: string;
  community_name: string;
  subdistrict_code: string;
  subdistrict_name: string;
  residents: number;
  households: number;
  area_m2: number;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
  center_lon: number;
  center_lat: number;
  geometry: string;
}

export interface TeamRow {
  block_code: string;
  role: 'governor' | 'assistant' | 'supervisor';
  staff_id: number;
  name: string;
  phone: string;
  gender: 'F' | 'M';
}

export interface EventCountRow {
  block_code: string;
  open: number;
  overdue: number;
}

const BLOCK_SELECT = `
  SELECT b.code, b.name, b.community_code, c.name AS community_name, b.subdistrict_code, s.name AS subdistrict_name,
         b.residents, b.households, b.area_m2, b.min_lon, b.min_lat, b.max_lon, b.max_lat,
         b.center_lon, b.center_lat, b.geometry
    FROM blocks b
    JOIN areas c ON c.code = b.community_code
    JOIN areas s ON s.code = b.subdistrict_code`;

/** Active at @now: started and not yet ended. */
const ACTIVE = `ra.valid_from <= @now AND (ra.valid_to IS NULL OR ra.valid_to > @now)`;

const TEAM_SELECT = `
  SELECT ra.block_code, ra.role, s.id AS staff_id, s.name, s.phone, s.gender
    FROM role_assignments ra JOIN staff s ON s.id = ra.staff_id
   WHERE ra.version_id = @version AND ra.block_code IS NOT NULL AND ${ACTIVE}`;

const OPEN_IN = `status IN (${sqlStatusList(OPEN_STATUSES)})`;

export function blockQueries(db: Db) {
  const list = db.prepare<[number], BlockRow>(`${BLOCK_SELECT} WHERE b.version_id = ? ORDER BY b.code`);
  const one = db.prepare<[number, string], BlockRow>(`${BLOCK_SELECT} WHERE b.version_id = ? AND b.code = ?`);
  const count = db.prepare<[number], { n: number }>(`SELECT count(*) AS n FROM blocks WHERE version_id = ?`);
  const teams = db.prepare<{ version: number; now: number }, TeamRow>(`${TEAM_SELECT} ORDER BY ra.block_code, ra.id`);
  const team = db.prepare<{ version: number; now: number; code: string }, TeamRow>(
    `${TEAM_SELECT} AND ra.block_code = @code ORDER BY ra.id`,
  );
  // Counts by block code across versions: an event keeps the code of the block it was reported in; while a code
  // lives on in the current version, its cases count there.
  const counts = db.prepare<[number], EventCountRow>(
    `SELECT block_code, count(*) AS open, coalesce(sum(due_at < ?), 0) AS overdue
       FROM events WHERE ${OPEN_IN} GROUP BY block_code`,
  );
  const countsOne = db.prepare<[number, string], EventCountRow>(
    `SELECT block_code, count(*) AS open, coalesce(sum(due_at < ?), 0) AS overdue
       FROM events WHERE block_code = ? AND ${OPEN_IN}`,
  );
  // The next instant at which the block list's content changes by itself, with no write: an open case passes its
  // due time (overdue count grows) or a team assignment starts or ends.
  const nextDue = db.prepare<[number], { at: number | null }>(
    `SELECT min(due_at) AS at FROM events WHERE ${OPEN_IN} AND due_at >= ?`,
  );
  const nextRoleChange = db.prepare<{ now: number }, { at: number | null }>(
    `SELECT min(t) AS at FROM (
       SELECT min(valid_from) AS t FROM role_assignments WHERE valid_from > @now
       UNION ALL SELECT min(valid_to) FROM role_assignments WHERE valid_to > @now)`,
  );
  // Changes whenever an event is reported, moves in its lifecycle (every transition appends an event_log row) or a
  // role assignment is added or ended. O(1) for the max(rowid) parts; the role scan is small (≈5 rows per block).
  const marker = db.prepare<[], { e: number | null; l: number | null; r: number | null; ended: number }>(
    `SELECT (SELECT max(id) FROM events) AS e, (SELECT max(id) FROM event_log) AS l,
            (SELECT max(id) FROM role_assignments) AS r,
            (SELECT count(*) FROM role_assignments WHERE valid_to IS NOT NULL) AS ended`,
  );
  return {
    list: (versionId: number): BlockRow[] => list.all(versionId),
    get: (versionId: number, code: string): BlockRow | undefined => one.get(versionId, code),
    count: (versionId: number): number => count.get(versionId)!.n,
    teams: (versionId: number, now: number): TeamRow[] => teams.all({ version: versionId, now }),
    team: (versionId: number, code: string, now: number): TeamRow[] => team.all({ version: versionId, now, code }),
    eventCounts: (now: number): EventCountRow[] => counts.all(now),
    eventCountsOf: (code: string, now: number): { open: number; overdue: number } => {
      const r = countsOne.get(now, code);
      return { open: r?.open ?? 0, overdue: r?.overdue ?? 0 };
    },
    nextDueAfter: (now: number): number | null => nextDue.get(now)!.at,
    nextRoleChangeAfter: (now: number): number | null => nextRoleChange.get({ now })!.at,
    marker: (): string => {
      const m = marker.get()!;
      return `${m.e ?? 0}:${m.l ?? 0}:${m.r ?? 0}:${m.ended}`;
    },
  };
}
