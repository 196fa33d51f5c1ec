/**
 * Reads for boundary planning: the buildings and communities a plan is drawn over, a boundary version's membership
 * and teams, every block code ever used, the events a what-if replays, and the drafts with their edit history.
 */
import type { Db } from '../database.ts';
import { NOT_A_CASE_STATUSES, sqlStatusList } from '../../contract/statuses.ts';
import { onTimeSql } from './on-time-sql.ts';

export interface PlanBuildingRow {
  id: number;
  lon: number;
  lat: number;
  households: number;
  residents: number;
  community_code: string;
  parcel: string;
}

export interface PlanRow {
  id: number;
  base_version_id: number;
  name: string;
  description: string;
  author: string;
  status: 'draft' | 'published';
  revision: number;
  cursor: number;
  rules: string;
  created_at: number;
  updated_at: number;
  published_version_id: number | null;
}

export interface PlanEditRow {
  seq: number;
  delta: string;
  author: string;
  at: number;
}

export interface VersionBlockRow {
  code: string;
  name: string;
  community_code: string;
  subdistrict_code: string;
  geometry: string;
}

export interface TeamMemberRow {
  block_code: string;
  role: 'governor' | 'assistant' | 'supervisor';
  staff_id: number;
}

/** Events as columns for the what-if replay; `late` by the one definition of 处置超期 (db/queries/on-time-sql.ts). */
export interface ReplayColumns {
  lon: Float64Array;
  lat: Float64Array;
  reportedAt: Float64Array;
  late: Uint8Array;
  blockTier: Uint8Array;
}

const ACTIVE = `valid_from <= @now AND (valid_to IS NULL OR valid_to > @now)`;

export function planQueries(db: Db) {
  const buildings = db.prepare<[], PlanBuildingRow>(
    `SELECT id, lon, lat, households, residents, community_code, parcel FROM buildings ORDER BY id`,
  );
  const communities = db.prepare<[], { code: string; subdistrict_code: string; name: string }>(
    `SELECT code, parent_code AS subdistrict_code, name FROM areas WHERE level = 'community' ORDER BY code`,
  );
  const blocks = db.prepare<[number], VersionBlockRow>(
    `SELECT code, name, community_code, subdistrict_code, geometry FROM blocks WHERE version_id = ? ORDER BY code`,
  );
  const membership = db.prepare<[number], { building_id: number; block_code: string }>(
    `SELECT building_id, block_code FROM block_buildings WHERE version_id = ? ORDER BY building_id`,
  );
  const team = db.prepare<{ version: number; now: number }, TeamMemberRow>(
    `SELECT block_code, role, staff_id FROM role_assignments
      WHERE version_id = @version AND block_code IS NOT NULL AND ${ACTIVE} ORDER BY block_code, id`,
  );
  const codes = db.prepare<[], { code: string }>(`SELECT DISTINCT code FROM blocks`);
  const staffExists = db.prepare<[number], { id: number }>(`SELECT id FROM staff WHERE id = ?`);
  const late = onTimeSql('e', '@now');
  const events = db.prepare<{ from: number; now: number }, [number, number, number, number, number]>(
    `SELECT e.lon, e.lat, e.reported_at, ${late.handlingLate} AS late, e.tier = 'block' AS block_tier
       FROM events e WHERE e.reported_at >= @from AND e.reported_at < @now
        AND e.status NOT IN (${sqlStatusList(NOT_A_CASE_STATUSES)})`,
  ).raw(true);
  const eventMarker = db.prepare<[], { n: number; id: number | null; log: number | null }>(
    `SELECT (SELECT count(*) FROM events) AS n, (SELECT max(id) FROM events) AS id, (SELECT max(id) FROM event_log) AS log`,
  );
  const eventsAfter = db.prepare<[number], { id: number; lon: number; lat: number }>(
    `SELECT id, lon, lat FROM events WHERE reported_at >= ? ORDER BY id`,
  );
  const list = db.prepare<[], PlanRow>(`SELECT * FROM plans ORDER BY id DESC`);
  const one = db.prepare<[number], PlanRow>(`SELECT * FROM plans WHERE id = ?`);
  const edits = db.prepare<[number], PlanEditRow>(`SELECT seq, delta, author, at FROM plan_edits WHERE plan_id = ? ORDER BY seq`);
  const latestVersion = db.prepare<[], { id: number }>(`SELECT max(id) AS id FROM boundary_versions`);

  return {
    buildings: () => buildings.all(),
    communities: () => communities.all(),
    blocks: (version: number) => blocks.all(version),
    membership: (version: number) => membership.all(version),
    teams: (version: number, now: number) => team.all({ version, now }),
    allBlockCodes: () => codes.all().map((r) => r.code),
    staffExists: (id: number) => staffExists.get(id) !== undefined,
    /** A marker that moves with every new event and every transition (late flags change with both). */
    eventMarker: () => {
      const m = eventMarker.get()!;
      return `${m.n}|${m.id ?? 0}|${m.log ?? 0}`;
    },
    /** Cases reported in [from, now), as columns. */
    replayColumns(from: number, now: number): ReplayColumns {
      const rows = events.all({ from, now });
      const n = rows.length;
      const out: ReplayColumns = {
        lon: new Float64Array(n), lat: new Float64Array(n), reportedAt: new Float64Array(n),
        late: new Uint8Array(n), blockTier: new Uint8Array(n),
      };
      for (let i = 0; i < n; i++) {
        const r = rows[i];
        out.lon[i] = r[0];
        out.lat[i] = r[1];
        out.reportedAt[i] = r[2];
        out.late[i] = r[3] ? 1 : 0;
        out.blockTier[i] = r[4] ? 1 : 0;
      }
      return out;
    },
    eventsReportedFrom: (t: number) => eventsAfter.all(t),
    plans: () => list.all(),
    plan: (id: number) => one.get(id),
    edits: (id: number) => edits.all(id),
    latestVersionId: () => latestVersion.get()?.id ?? null,
  };
}

export type PlanQueries = ReturnType<typeof planQueries>;
