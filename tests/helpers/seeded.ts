import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { Db } from '../../server/db/database.ts';

/** A private, writable copy of the run's seeded Yuhu database (the shared one stays untouched). */
export function seededCopy(prefix: string): string {
  const file = join(mkdtempSync(join(tmpdir(), `gezhi-${prefix}-`)), 'seeded.db');
  copyFileSync(inject('seededDb'), file);
  return file;
}

/** A point that lies inside a block: one of its buildings. */
export interface BlockPlace {
  lon: number;
  lat: number;
  block: string;
  subdistrict: string;
}

/** One building point per block of the current boundary version, in block-code order. */
export function blockPlaces(db: Db): BlockPlace[] {
  return db
    .prepare(
      `SELECT bd.lon, bd.lat, bb.block_code AS block, b.subdistrict_code AS subdistrict
         FROM block_buildings bb JOIN buildings bd ON bd.id = bb.building_id
         JOIN blocks b ON b.version_id = bb.version_id AND b.code = bb.block_code
        WHERE bb.version_id = (SELECT max(id) FROM boundary_versions)
        GROUP BY bb.block_code ORDER BY bb.block_code`,
    )
    .all() as BlockPlace[];
}
