/** Reads of staff with their active roles (one row per staff × active role; staff without a role get one row). */
import type { Db } from '../database.ts';
import { statementCache } from './statements.ts';

export const ROLES = ['governor', 'assistant', 'supervisor', 'centre-staff', 'centre-inspector', 'officer'] as const;
export type Role = (typeof ROLES)[number];

export interface StaffRow {
  id: number;
  name: string;
  phone: string;
  gender: 'F' | 'M';
  /** Role assignment id, 0 for staff without an active role. */
  rid: number;
  role: Role | null;
  block_code: string | null;
  subdistrict_code: string | null;
  unit_id: number | null;
  unit_kind: 'centre' | 'department' | null;
  unit_key: string | null;
  unit_name: string | null;
  pos_lon: number | null;
  pos_lat: number | null;
  pos_at: number | null;
}

export interface StaffFilter {
  block?: string;
  subdistrict?: string;
  role?: Role;
  /** Keyset position in (staff id, role assignment id) order. */
  after?: { staffId: number; rid: number };
  limit: number;
  versionId: number | null;
  now: number;
}

export function staffQueries(db: Db) {
  const prepare = statementCache(db);
  return {
    list(f: StaffFilter): StaffRow[] {
      const where: string[] = [];
      const args: Record<string, string | number | null> = { now: f.now, version: f.versionId, limit: f.limit };
      if (f.block !== undefined) (where.push('ra.block_code = @block'), (args.block = f.block));
      if (f.subdistrict !== undefined) {
        where.push('coalesce(b.subdistrict_code, u.subdistrict_code) = @subdistrict');
        args.subdistrict = f.subdistrict;
      }
      if (f.role !== undefined) (where.push('ra.role = @role'), (args.role = f.role));
      if (f.after) {
        where.push('(s.id, coalesce(ra.id, 0)) > (@afterStaff, @afterRid)');
        args.afterStaff = f.after.staffId;
        args.afterRid = f.after.rid;
      }
      // Active roles: started, not ended, and for block roles in the current boundary version. A filter on the
      // role's columns turns the outer join into an inner one, so filtered lists never include role-less staff.
      const sql = `
        SELECT s.id, s.name, s.phone, s.gender, coalesce(ra.id, 0) AS rid, ra.role, ra.block_code,
               coalesce(b.subdistrict_code, u.subdistrict_code) AS subdistrict_code,
               u.id AS unit_id, u.kind AS unit_kind, u.key AS unit_key, u.name AS unit_name,
               p.lon AS pos_lon, p.lat AS pos_lat, p.at AS pos_at
          FROM staff s
          LEFT JOIN role_assignments ra ON ra.staff_id = s.id
               AND ra.valid_from <= @now AND (ra.valid_to IS NULL OR ra.valid_to > @now)
               AND (ra.block_code IS NULL OR ra.version_id = @version)
          LEFT JOIN blocks b ON b.version_id = ra.version_id AND b.code = ra.block_code
          LEFT JOIN units u ON u.id = ra.unit_id
          LEFT JOIN staff_positions p ON p.staff_id = s.id
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY s.id, coalesce(ra.id, 0)
         LIMIT @limit`;
      return prepare(sql).all(args) as StaffRow[];
    },
  };
}
