/**
 * Reads behind GET /api/insight/*: event counts grouped by block (and by month, and by category) under one filter,
 * the coordinates of matching events for the hexagon aggregation, 按期结案率 counts per block (the SQL spelling of
 * domain/on-time.ts), the blocks of a boundary version with their governor and supervisor, and building population.
 * Every filter is a fixed SQL fragment with bound values, so a handful of statement shapes are prepared once.
 */
import type { Db } from '../database.ts';
import { OPEN_STATUSES, sqlStatusList } from '../../contract/statuses.ts';
import { onTimeSql } from './on-time-sql.ts';
import { placeholders, statementCache } from './statements.ts';

export interface InsightFilter {
  /** Window on reported_at: [from, to). */
  from: number;
  to: number;
  /** 2-digit major or 4-digit minor category code. */
  category?: string;
  kinds?: readonly string[];
  channels?: readonly string[];
  statuses?: readonly string[];
  /** Only cases that ran past their deadline (处置超期: resolved after due_at, or unresolved past it now). */
  overdue?: boolean;
  now: number;
}

export interface InsightBlockRow {
  code: string;
  name: string;
  community_name: string;
  subdistrict_name: string;
  residents: number;
  households: number;
  center_lon: number;
  center_lat: number;
  geometry: string;
  governor_id: number | null;
  governor_name: string | null;
  supervisor_id: number | null;
  supervisor_name: string | null;
}

const MONTH = `strftime('%Y-%m', (e.reported_at + 28800000) / 1000, 'unixepoch')`;

/** WHERE fragments and their values; `time` names the column the window applies to. */
function where(f: InsightFilter, time: 'reported_at' | 'due_at' = 'reported_at'): { sql: string; args: (string | number)[] } {
  const parts = [`e.${time} >= ? AND e.${time} < ?`, `e.status <> 'rejected'`];
  const args: (string | number)[] = [f.from, f.to];
  if (f.category?.length === 4) {
    parts.push('e.category_code = ?');
    args.push(f.category);
  } else if (f.category?.length === 2) {
    parts.push('e.category_code >= ? AND e.category_code <= ?');
    args.push(`${f.category}00`, `${f.category}99`);
  }
  for (const [col, values] of [['kind', f.kinds], ['channel', f.channels], ['status', f.statuses]] as const) {
    if (values?.length) {
      parts.push(`e.${col} IN (${placeholders(values.length)})`);
      args.push(...values);
    }
  }
  if (f.overdue) {
    parts.push('coalesce(e.resolved_at, ?) > e.due_at');
    args.push(f.now);
  }
  return { sql: parts.join(' AND '), args };
}

export function insightQueries(db: Db) {
  const st = statementCache(db);
  const version = db.prepare<[number], { id: number }>(
    `SELECT id FROM boundary_versions WHERE effective_from <= ? ORDER BY effective_from DESC, id DESC LIMIT 1`,
  );
  const team = (role: string, alias: string) => `LEFT JOIN (SELECT ra.block_code, min(ra.staff_id) AS staff_id, st.name
                    FROM role_assignments ra JOIN staff st ON st.id = ra.staff_id
                   WHERE ra.version_id = @version AND ra.role = '${role}'
                     AND ra.valid_from <= @now AND (ra.valid_to IS NULL OR ra.valid_to > @now)
                   GROUP BY ra.block_code) ${alias} ON ${alias}.block_code = b.code`;
  const blocks = db.prepare<{ version: number; now: number }, InsightBlockRow>(
    `SELECT b.code, b.name, c.name AS community_name, s.name AS subdistrict_name, b.residents, b.households,
            b.center_lon, b.center_lat, b.geometry,
            g.staff_id AS governor_id, g.name AS governor_name, v.staff_id AS supervisor_id, v.name AS supervisor_name
       FROM blocks b
       JOIN areas c ON c.code = b.community_code
       JOIN areas s ON s.code = b.subdistrict_code
       ${team('governor', 'g')}
       ${team('supervisor', 'v')}
      WHERE b.version_id = @version
      ORDER BY b.code`,
  );
  const buildings = db.prepare<[number], [number, number, number, number]>(
    `SELECT bd.lon, bd.lat, bd.residents, bd.households FROM block_buildings bb JOIN buildings bd ON bd.id = bb.building_id WHERE bb.version_id = ?`,
  ).raw(true);

  return {
    currentVersion: (now: number): number | null => version.get(now)?.id ?? null,
    blocks: (versionId: number, now: number): InsightBlockRow[] => blocks.all({ version: versionId, now }),
    /** Building positions with residents and households (for hexagon populations). */
    buildings: (versionId: number): [lon: number, lat: number, residents: number, households: number][] => buildings.all(versionId),

    /** Matching events per block code (blocks without one are absent). One grouped aggregate. */
    countsByBlock(f: InsightFilter): Map<string, number> {
      const w = where(f);
      const rows = st(`SELECT e.block_code AS code, count(*) AS n FROM events e WHERE ${w.sql} GROUP BY e.block_code`).all(...w.args) as { code: string; n: number }[];
      return new Map(rows.map((r) => [r.code, r.n]));
    },

    /** How many events match. */
    count(f: InsightFilter): number {
      const w = where(f);
      return (st(`SELECT count(*) AS n FROM events e WHERE ${w.sql}`).get(...w.args) as { n: number }).n;
    },

    /** Matching events per block and Shanghai month ('2026-03'). */
    monthlyByBlock(f: InsightFilter): { code: string; month: string; n: number }[] {
      const w = where(f);
      return st(`SELECT e.block_code AS code, ${MONTH} AS month, count(*) AS n FROM events e WHERE ${w.sql} GROUP BY e.block_code, month`).all(...w.args) as {
        code: string;
        month: string;
        n: number;
      }[];
    },

    /**
     * Coordinates of the matching events, as two typed arrays: the hexagon aggregation needs each point, and H3
     * cells are not a column SQLite can group by. Only two numbers per event leave SQLite.
     */
    points(f: InsightFilter): { lon: Float64Array; lat: Float64Array } {
      const w = where(f);
      const n = (st(`SELECT count(*) AS n FROM events e WHERE ${w.sql}`).get(...w.args) as { n: number }).n;
      const lon = new Float64Array(n);
      const lat = new Float64Array(n);
      let i = 0;
      for (const row of st(`SELECT e.lon, e.lat FROM events e WHERE ${w.sql}`).raw(true).iterate(...w.args) as IterableIterator<[number, number]>) {
        if (i >= n) break;
        lon[i] = row[0];
        lat[i++] = row[1];
      }
      return { lon: lon.subarray(0, i), lat: lat.subarray(0, i) };
    },

    /**
     * 按期结案率 per block over the cases due in the window (the filter's other conditions apply): decided cases and
     * those closed on time, by db/queries/on-time-sql.ts.
     */
    onTimeByBlock(f: InsightFilter): Map<string, { decided: number; onTime: number }> {
      const w = where(f, 'due_at');
      const t = onTimeSql('e', '?');
      // Each `?` inside the fragments is the clock; count them to bind it as often as it appears.
      const decidedSql = t.decided;
      const onTimeSqlText = t.closedOnTime;
      const nowCount = (s: string) => (s.match(/\?/g) ?? []).length;
      const sql = `SELECT e.block_code AS code, sum(CASE WHEN ${decidedSql} THEN 1 ELSE 0 END) AS decided,
                          sum(CASE WHEN ${onTimeSqlText} THEN 1 ELSE 0 END) AS on_time
                     FROM events e WHERE ${w.sql} AND e.due_at < ? GROUP BY e.block_code`;
      const args = [
        ...new Array<number>(nowCount(decidedSql)).fill(f.now),
        ...new Array<number>(nowCount(onTimeSqlText)).fill(f.now),
        ...w.args,
        f.now,
      ];
      const rows = st(sql).all(...args) as { code: string; decided: number; on_time: number }[];
      return new Map(rows.map((r) => [r.code, { decided: r.decided, onTime: r.on_time }]));
    },

    /** Currently overdue cases (open, past due now) under the filter's category/kind/channel (window on reported_at). */
    overduePoints(f: InsightFilter): { id: number; lon: number; lat: number; block_code: string }[] {
      const w = where({ ...f, statuses: undefined, overdue: false });
      return st(
        `SELECT e.id, e.lon, e.lat, e.block_code FROM events e
          WHERE ${w.sql} AND e.status IN (${sqlStatusList(OPEN_STATUSES)}) AND e.due_at < ? ORDER BY e.id`,
      ).all(...w.args, f.now) as { id: number; lon: number; lat: number; block_code: string }[];
    },

    /** One block's matching events per category. */
    categoriesOfBlock(f: InsightFilter, code: string): { code: string; n: number }[] {
      const w = where(f);
      return st(`SELECT e.category_code AS code, count(*) AS n FROM events e WHERE ${w.sql} AND e.block_code = ? GROUP BY e.category_code ORDER BY n DESC, code`).all(
        ...w.args,
        code,
      ) as { code: string; n: number }[];
    },

    /** One block's matching events per month, with how many ran past their deadline. */
    timelineOfBlock(f: InsightFilter, code: string): { month: string; n: number; late: number }[] {
      const w = where(f);
      return st(
        `SELECT ${MONTH} AS month, count(*) AS n, sum(CASE WHEN coalesce(e.resolved_at, ?) > e.due_at THEN 1 ELSE 0 END) AS late
           FROM events e WHERE ${w.sql} AND e.block_code = ? GROUP BY month ORDER BY month`,
      ).all(f.now, ...w.args, code) as { month: string; n: number; late: number }[];
    },

    /** One block's latest matching cases. */
    recentOfBlock(f: InsightFilter, code: string, limit: number) {
      const w = where(f);
      return st(
        `SELECT e.id, e.case_no, e.category_code, e.status, e.reported_at, e.due_at, e.resolved_at FROM events e
          WHERE ${w.sql} AND e.block_code = ? ORDER BY e.reported_at DESC, e.id DESC LIMIT ?`,
      ).all(...w.args, code, limit) as {
        id: number;
        case_no: string;
        category_code: string;
        status: string;
        reported_at: number;
        due_at: number;
        resolved_at: number | null;
      }[];
    },
  };
}

export type InsightQueries = ReturnType<typeof insightQueries>;
