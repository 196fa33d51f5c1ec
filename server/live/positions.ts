/** Live positions of field staff: the last known point per person, announced on the live stream. */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.ts';
import { appendLiveMessage } from './messages.ts';

interface Statements {
  staffExists: Statement<[number], { id: number }>;
  upsert: Statement<[number, number, number, number]>;
}

const statements = new WeakMap<Db, Statements>();

function prepare(db: Db): Statements {
  let st = statements.get(db);
  if (!st) {
    st = {
      staffExists: db.prepare('SELECT id FROM staff WHERE id = ?'),
      // An update older than the stored one (a late, reordered request) does not move the person back.
      upsert: db.prepare(
        `INSERT INTO staff_positions (staff_id, lon, lat, at) VALUES (?, ?, ?, ?)
         ON CONFLICT (staff_id) DO UPDATE SET lon = excluded.lon, lat = excluded.lat, at = excluded.at
         WHERE excluded.at >= staff_positions.at`,
      ),
    };
    statements.set(db, st);
  }
  return st;
}

export type PositionResult =
  | { ok: true; messageId: number }
  | { ok: false; reason: 'unknown-staff' | 'stale' };

/**
 * Stores a staff member's position and appends a 'staff.position' message, in one transaction. The caller
 * notifies the live hub after it returns. Unknown staff and updates older than the stored position change nothing.
 */
export function recordStaffPosition(db: Db, staffId: number, lon: number, lat: number, at: number): PositionResult {
  const st = prepare(db);
  return db.transaction((): PositionResult => {
    if (!st.staffExists.get(staffId)) return { ok: false, reason: 'unknown-staff' };
    if (st.upsert.run(staffId, lon, lat, at).changes === 0) return { ok: false, reason: 'stale' };
    const messageId = appendLiveMessage(db, 'staff.position', { staffId, lon, lat }, at);
    return { ok: true, messageId };
  })();
}
