// The box filter of the event reads goes through the block grid (server/db/queries/bbox.ts). It is exact only while
// every event lies inside its block's bounding box: checked here on the seeded district, and the lists it gives
// held against a plain coordinate test for boxes from a few blocks wide to the whole district.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { bboxClause, type Bbox } from '../../server/db/queries/bbox.ts';
import { eventQueries } from '../../server/db/queries/events.ts';
import { eventWindowQueries } from '../../server/db/queries/event-window.ts';
import { seededCopy } from '../helpers/seeded.ts';

let db: Db;
let extent: { w: number; s: number; e: number; n: number };
beforeAll(() => {
  db = openDatabase(seededCopy('bbox'));
  extent = db.prepare('SELECT min(lon) AS w, min(lat) AS s, max(lon) AS e, max(lat) AS n FROM events').get() as typeof extent;
});
afterAll(() => db.close());

/** A box of `share` of the events' extent on each side, centred at (fx, fy) of it. */
function box(share: number, fx = 0.5, fy = 0.5): Bbox {
  const cx = extent.w + (extent.e - extent.w) * fx;
  const cy = extent.s + (extent.n - extent.s) * fy;
  const hw = ((extent.e - extent.w) * share) / 2;
  const hh = ((extent.n - extent.s) * share) / 2;
  return [cx - hw, cy - hh, cx + hw, cy + hh];
}

const plain = (b: Bbox) =>
  (db.prepare('SELECT id FROM events WHERE lon BETWEEN ? AND ? AND lat BETWEEN ? AND ? ORDER BY reported_at DESC, id DESC').pluck().all(b[0], b[2], b[1], b[3]) as number[]);

describe('box filter through the block grid', () => {
  it('holds: every event lies inside the bounding box of its block', () => {
    const outside = db.prepare(
      `SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.code = e.block_code
         AND e.lon BETWEEN b.min_lon AND b.max_lon AND e.lat BETWEEN b.min_lat AND b.max_lat)`,
    ).pluck().get();
    expect(outside).toBe(0);
  });

  it('takes the block list for a small box and the coordinate test alone for a large one', () => {
    const clause = bboxClause(db);
    expect(clause(box(0.05)).sql).toMatch(/block_code IN/);
    expect(clause(box(1)).sql).not.toMatch(/block_code IN/);
    // A box outside every block matches nothing either way.
    expect(clause([0, 0, 1, 1]).args[0]).toBe('[]');
  });

  it('lists exactly the events a coordinate test finds, for boxes of every size', () => {
    const list = eventQueries(db);
    const window = eventWindowQueries(db);
    const boxes = [box(0.02), box(0.05, 0.3, 0.7), box(0.1), box(0.2, 0.8, 0.2), box(0.5), box(1.2), [0, 0, 1, 1] as Bbox];
    let nonEmpty = 0;
    for (const b of boxes) {
      const expected = plain(b);
      if (expected.length) nonEmpty++;
      const got = list.list({ bbox: [...b] as [number, number, number, number], limit: 1_000_000, now: Date.now() }).map((r) => r.id);
      expect(got, `list ${b.join(',')}`).toEqual(expected);
      const w = window.read({ from: 0, to: 8.64e15, bbox: [...b] as [number, number, number, number], now: Date.now(), limit: 1_000_000 });
      expect(w.count, `window ${b.join(',')}`).toBe(expected.length);
      expect(new Set(Array.from(w.id.subarray(0, w.count))), `window ${b.join(',')}`).toEqual(new Set(expected));
    }
    expect(nonEmpty).toBeGreaterThanOrEqual(5);
  });
});
