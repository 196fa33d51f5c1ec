/**
 * The bounding-box filter of the event reads, through the block grid.
 *
 * Every event lies inside its block: it was placed there by the point-in-polygon locator, whichever boundary version
 * it was located in. So only the blocks whose bounding boxes meet the query's can hold an event inside it, and a
 * small box becomes `block_code IN (those blocks)` on the events_block_status index plus the exact coordinate test.
 * A box over a large share of the district keeps the coordinate test alone, and the read walks its time index
 * (a list needs only its first page of matches; a window reads its time span anyway).
 *
 * This replaces an index on (lon, lat): reports arrive in random places, so each one wrote to a random page of it,
 * about 7.5 µs of a report's ≈ 45 µs of inserts, while no view of the web app filters by a box.
 */
import type { Db } from '../database.ts';

/** Up to this share of the district's blocks, the block list is the faster way in (measured at 10⁵ events). */
const BLOCK_LIST_SHARE = 0.15;

export type Bbox = readonly [west: number, south: number, east: number, north: number];

/** SQL and its arguments for the events aliased `alias` lying in the box (edges included). */
export type BboxClause = (bbox: Bbox, alias?: string) => { sql: string; args: (string | number)[] };

export function bboxClause(db: Db): BboxClause {
  const codesIn = db
    .prepare<[number, number, number, number], string>(
      `SELECT json_group_array(DISTINCT code) FROM blocks WHERE min_lon <= ? AND max_lon >= ? AND min_lat <= ? AND max_lat >= ?`,
    )
    .pluck();
  const allCodes = db.prepare<[], number>(`SELECT count(DISTINCT code) FROM blocks`).pluck();
  return ([w, s, e, n], alias = 'e') => {
    const exact = `${alias}.lon BETWEEN ? AND ? AND ${alias}.lat BETWEEN ? AND ?`;
    const args: (string | number)[] = [w, e, s, n];
    const codes = codesIn.get(e, w, n, s)!;
    // JSON text of the codes: one statement whatever their number ('[]' matches nothing, as no block means no event).
    const count = codes === '[]' ? 0 : codes.split(',').length;
    if (count > allCodes.get()! * BLOCK_LIST_SHARE) return { sql: exact, args };
    return { sql: `${alias}.block_code IN (SELECT value FROM json_each(?)) AND ${exact}`, args: [codes, ...args] };
  };
}
