/**
 * Writes of a boundaries import: areas (inserted or updated in place), a new boundary version with its blocks and
 * buildings, the subdistricts' centres and department postings, the taxonomy when the database has none, and the
 * 1+N+1 roles carried over to the new version for blocks that keep their code. The caller runs them inside ONE
 * transaction (see `inTransaction`), so a failed import leaves the database as it was. No domain rules here.
 */
import type { Db } from '../database.ts';
import { geometryBbox } from '../seed/write-geodata.ts';
import { writeCategories } from '../seed/taxonomy.ts';
import { TAXONOMY } from '../../contract/taxonomy.ts';
import type { Geometry } from 'geojson';

export type AreaLevel = 'district' | 'subdistrict' | 'community';

export interface AreaInput {
  code: string;
  level: AreaLevel;
  parent_code: string | null;
  name: string;
  short_name: string;
  name_en: string;
  type: string;
  urban: 0 | 1;
  center_lon: number;
  center_lat: number;
  geometry: string;
}

export interface BuildingInput {
  lon: number;
  lat: number;
  households: number;
  residents: number;
  parcel: string;
}

export interface BlockInput {
  code: string;
  name: string;
  community_code: string;
  subdistrict_code: string;
  households: number;
  residents: number;
  area_m2: number;
  center: [number, number];
  geometry: Geometry;
  /** Geometry text as stored (for comparing with the version before). */
  geometryText: string;
  /** Buildings made for it when it is new or changed (a block equal to the previous version's keeps its own). */
  buildings: () => BuildingInput[];
  /** false: its buildings come from the source, so the previous version's are not kept even for an equal block. */
  keepPrevious: boolean;
}

export interface StoredArea {
  code: string;
  level: AreaLevel;
  parent_code: string | null;
  name: string;
  geometry: string;
}

export function importBoundaryCommands(db: Db) {
  const areaGet = db.prepare<[string], AreaInput>(`SELECT * FROM areas WHERE code = ?`);
  const areasOf = db.prepare<[string], StoredArea>(`SELECT code, level, parent_code, name, geometry FROM areas WHERE level = ? ORDER BY code`);
  const areaInsert = db.prepare(
    `INSERT INTO areas (code, level, parent_code, name, short_name, name_en, type, urban, center_lon, center_lat, geometry)
     VALUES (@code, @level, @parent_code, @name, @short_name, @name_en, @type, @urban, @center_lon, @center_lat, @geometry)`,
  );
  const areaUpdate = db.prepare(
    `UPDATE areas SET parent_code = @parent_code, name = @name, short_name = @short_name, name_en = @name_en, type = @type,
       urban = @urban, center_lon = @center_lon, center_lat = @center_lat, geometry = @geometry WHERE code = @code`,
  );
  const latest = db.prepare<[], { id: number; note: string }>(`SELECT id, note FROM boundary_versions ORDER BY effective_from DESC, id DESC LIMIT 1`);
  const versionInsert = db.prepare(`INSERT INTO boundary_versions (id, name, effective_from, published_at, note) VALUES (?, ?, ?, ?, ?)`);
  const blockInsert = db.prepare(
    `INSERT INTO blocks (version_id, code, name, community_code, subdistrict_code, households, residents, area_m2,
       min_lon, min_lat, max_lon, max_lat, center_lon, center_lat, geometry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const oldBlock = db.prepare<[number, string], { geometry: string; residents: number; households: number; name: string }>(
    `SELECT geometry, residents, households, name FROM blocks WHERE version_id = ? AND code = ?`,
  );
  const oldBuildings = db.prepare<[number, string], { building_id: number }>(`SELECT building_id FROM block_buildings WHERE version_id = ? AND block_code = ?`);
  const buildingInsert = db.prepare(
    `INSERT INTO buildings (id, community_code, lon, lat, households, residents, floors, parcel) VALUES (?, ?, ?, ?, ?, ?, 1, ?)`,
  );
  const blockBuilding = db.prepare(`INSERT INTO block_buildings (version_id, building_id, block_code) VALUES (?, ?, ?)`);
  const unitsOf = db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM units WHERE subdistrict_code = ?`);
  const unitInsert = db.prepare(`INSERT INTO units (kind, key, name, name_en, subdistrict_code) VALUES (?, ?, ?, ?, ?)`);
  const metaSet = db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);

  return {
    inTransaction: <T>(fn: () => T): T => db.transaction(fn)(),
    area: (code: string): AreaInput | undefined => areaGet.get(code),
    areas: (level: AreaLevel): StoredArea[] => areasOf.all(level),
    /** Inserts a new area or updates a changed one; 'unchanged' when every field is equal. */
    upsertArea(a: AreaInput): 'inserted' | 'updated' | 'unchanged' {
      const old = areaGet.get(a.code);
      if (!old) {
        areaInsert.run(a);
        return 'inserted';
      }
      const same = (Object.keys(a) as (keyof AreaInput)[]).every((k) => old[k] === a[k]);
      if (same) return 'unchanged';
      areaUpdate.run(a);
      return 'updated';
    },
    /** The version in force last, and the content hash its note carries (imports write one). */
    latestVersion(): { id: number; hash: string | null } | null {
      const v = latest.get();
      return v ? { id: v.id, hash: /sha256:([0-9a-f]{64})/.exec(v.note)?.[1] ?? null } : null;
    },
    /**
     * A new boundary version with its blocks. A block whose code, geometry, name and people equal the previous
     * version's keeps that block's buildings; other blocks get theirs from `buildings()`. Returns the version id and
     * how many buildings were written.
     */
    writeVersion(v: { name: string; effectiveFrom: number; publishedAt: number; note: string; blocks: readonly BlockInput[] }): { id: number; buildings: number; reused: number } {
      const previous = latest.get();
      const id = ((db.prepare(`SELECT coalesce(max(id), 0) AS m FROM boundary_versions`).get() as { m: number }).m) + 1;
      versionInsert.run(id, v.name, v.effectiveFrom, v.publishedAt, v.note);
      let nextBuilding = ((db.prepare(`SELECT coalesce(max(id), 0) AS m FROM buildings`).get() as { m: number }).m) + 1;
      let written = 0;
      let reused = 0;
      for (const b of v.blocks) {
        const [minLon, minLat, maxLon, maxLat] = geometryBbox(b.geometry);
        blockInsert.run(id, b.code, b.name, b.community_code, b.subdistrict_code, b.households, b.residents, b.area_m2,
          minLon, minLat, maxLon, maxLat, b.center[0], b.center[1], b.geometryText);
        const old = previous ? oldBlock.get(previous.id, b.code) : undefined;
        if (previous && old && b.keepPrevious && old.geometry === b.geometryText && old.residents === b.residents && old.households === b.households) {
          for (const r of oldBuildings.all(previous.id, b.code)) {
            blockBuilding.run(id, r.building_id, b.code);
            reused++;
          }
          continue;
        }
        for (const bu of b.buildings()) {
          buildingInsert.run(nextBuilding, b.community_code, bu.lon, bu.lat, bu.households, bu.residents, bu.parcel);
          blockBuilding.run(id, nextBuilding++, b.code);
          written++;
        }
      }
      if (previous) {
        // The 1+N+1 teams stay with their blocks: a block that keeps its code keeps its people.
        db.prepare(
          `INSERT INTO role_assignments (staff_id, role, version_id, block_code, unit_id, valid_from, valid_to)
           SELECT ra.staff_id, ra.role, @id, ra.block_code, NULL, @from, NULL
             FROM role_assignments ra JOIN blocks nb ON nb.version_id = @id AND nb.code = ra.block_code
            WHERE ra.version_id = @prev AND ra.valid_to IS NULL`,
        ).run({ id, prev: previous.id, from: v.publishedAt });
      }
      return { id, buildings: written, reused };
    },
    /** The taxonomy, when the database has no categories yet (a district imported from files alone). */
    ensureCategories: (): number => ((db.prepare(`SELECT count(*) AS n FROM categories`).get() as { n: number }).n > 0 ? 0 : writeCategories(db, TAXONOMY)),
    /** The 4 centres and every department's posting for a subdistrict that has none; returns units written. */
    ensureUnits(subdistrict: { code: string; name: string; name_en: string }): number {
      if (unitsOf.get(subdistrict.code)!.n > 0) return 0;
      let n = 0;
      for (const c of TAXONOMY.centres) {
        unitInsert.run('centre', c.key, `${subdistrict.name}${c.name}`, `${c.nameEn}, ${subdistrict.name_en}`, subdistrict.code);
        n++;
      }
      for (const d of TAXONOMY.departments) {
        unitInsert.run('department', d.key, `${d.name}（${subdistrict.name}）`, `${d.nameEn} (${subdistrict.name_en})`, subdistrict.code);
        n++;
      }
      return n;
    },
    setMeta: (key: string, value: string): void => void metaSet.run(key, value),
  };
}

export type ImportBoundaryCommands = ReturnType<typeof importBoundaryCommands>;
