/** Reads of the area tree (district → subdistricts → communities). */
import type { Db } from '../database.ts';

export interface AreaRow {
  code: string;
  level: 'district' | 'subdistrict' | 'community';
  parent_code: string | null;
  name: string;
  short_name: string;
  name_en: string;
  type: string;
  urban: 0 | 1;
  center_lon: number;
  center_lat: number;
}

export interface AreaGeometryRow extends AreaRow {
  geometry: string;
}

export interface CommunityStatsRow {
  community_code: string;
  blocks: number;
  residents: number;
  households: number;
}

const AREA_COLUMNS = 'code, level, parent_code, name, short_name, name_en, type, urban, center_lon, center_lat';

export function areaQueries(db: Db) {
  const all = db.prepare<[], AreaRow>(`SELECT ${AREA_COLUMNS} FROM areas ORDER BY code`);
  const withGeometry = db.prepare<[string], AreaGeometryRow>(
    `SELECT ${AREA_COLUMNS}, geometry FROM areas WHERE level = ? ORDER BY code`,
  );
  const communityStats = db.prepare<[number], CommunityStatsRow>(
    `SELECT community_code, count(*) AS blocks, coalesce(sum(residents), 0) AS residents,
            coalesce(sum(households), 0) AS households
       FROM blocks WHERE version_id = ? GROUP BY community_code`,
  );
  const marker = db.prepare<[], { n: number; codes: string | null }>(
    `SELECT count(*) AS n, max(code) AS codes FROM areas`,
  );
  return {
    all: (): AreaRow[] => all.all(),
    byLevelWithGeometry: (level: AreaRow['level']): AreaGeometryRow[] => withGeometry.all(level),
    /** Blocks, residents and households per community in one boundary version. */
    communityStats: (versionId: number): CommunityStatsRow[] => communityStats.all(versionId),
    /** Changes when areas are added or removed (an import); cheap enough to check per request. */
    marker: (): string => {
      const m = marker.get()!;
      return `${m.n}:${m.codes ?? ''}`;
    },
  };
}
