/**
 * Reads behind GET /api/hotspots: the blocks of a boundary version (polygon, centre, names, governor) and case
 * counts per block for one measure over a window. Counts are one grouped aggregate; no event row leaves SQLite.
 */
import type { HotspotMeasure } from '../../contract/api.ts';
import { OPEN_STATUSES, sqlStatusList as list } from '../../contract/statuses.ts';
import type { Db } from '../database.ts';
import { onTimeSql } from './on-time-sql.ts';

export { HOTSPOT_MEASURES, type HotspotMeasure } from '../../contract/api.ts';

export interface HotspotBlockRow {
  code: string;
  name: string;
  community_name: string;
  subdistrict_code: string;
  subdistrict_name: string;
  center_lon: number;
  center_lat: number;
  geometry: string;
  governor_id: number | null;
  governor_name: string | null;
}


/**
 * - late: cases reported in the window whose handling ran past its due time (处置超期, domain/on-time.ts) — resolved
 *   after it, or unresolved and past it now; a case resolved on time and awaiting verification is not late here
 *   (rejected reports are not cases);
 * - overdue: open cases past due now (whenever reported);
 * - open: open cases now (whenever reported).
 */
const COUNT_SQL: Record<HotspotMeasure, string> = {
  late: `SELECT block_code AS code, count(*) AS n FROM events
          WHERE reported_at >= @from AND reported_at < @now AND status <> 'rejected'
            AND ${onTimeSql('events', '@now').handlingLate}
          GROUP BY block_code`,
  overdue: `SELECT block_code AS code, count(*) AS n FROM events
             WHERE status IN (${list(OPEN_STATUSES)}) AND due_at < @now GROUP BY block_code`,
  open: `SELECT block_code AS code, count(*) AS n FROM events WHERE status IN (${list(OPEN_STATUSES)}) GROUP BY block_code`,
};

export function hotspotQueries(db: Db) {
  const version = db.prepare<[number], { id: number; name: string }>(
    `SELECT id, name FROM boundary_versions WHERE effective_from <= ? ORDER BY effective_from DESC, id DESC LIMIT 1`,
  );
  const blocks = db.prepare<{ version: number; now: number }, HotspotBlockRow>(
    `SELECT b.code, b.name, c.name AS community_name, b.subdistrict_code, s.name AS subdistrict_name,
            b.center_lon, b.center_lat, b.geometry, g.staff_id AS governor_id, g.name AS governor_name
       FROM blocks b
       JOIN areas c ON c.code = b.community_code
       JOIN areas s ON s.code = b.subdistrict_code
       LEFT JOIN (SELECT ra.block_code, min(ra.staff_id) AS staff_id, st.name
                    FROM role_assignments ra JOIN staff st ON st.id = ra.staff_id
                   WHERE ra.version_id = @version AND ra.role = 'governor'
                     AND ra.valid_from <= @now AND (ra.valid_to IS NULL OR ra.valid_to > @now)
                   GROUP BY ra.block_code) g ON g.block_code = b.code
      WHERE b.version_id = @version
      ORDER BY b.code`,
  );
  type CountRow = { code: string; n: number };
  const late = db.prepare<{ from: number; now: number }, CountRow>(COUNT_SQL.late);
  const overdue = db.prepare<{ now: number }, CountRow>(COUNT_SQL.overdue);
  const open = db.prepare<[], CountRow>(COUNT_SQL.open);
  const marker = db.prepare<[], { e: number | null; l: number | null }>(
    `SELECT (SELECT max(id) FROM events) AS e, (SELECT max(id) FROM event_log) AS l`,
  );
  return {
    currentVersion: (now: number) => version.get(now),
    blocks: (versionId: number, now: number): HotspotBlockRow[] => blocks.all({ version: versionId, now }),
    /** Case counts per block code for `measure` (blocks without a case are absent). */
    counts: (measure: HotspotMeasure, from: number, now: number): Map<string, number> => {
      const rows = measure === 'late' ? late.all({ from, now }) : measure === 'overdue' ? overdue.all({ now }) : open.all();
      return new Map(rows.map((r) => [r.code, r.n]));
    },
    /** Changes with every new event and every lifecycle transition. */
    marker: (): string => {
      const m = marker.get()!;
      return `${m.e ?? 0}:${m.l ?? 0}`;
    },
  };
}

export type HotspotQueries = ReturnType<typeof hotspotQueries>;
