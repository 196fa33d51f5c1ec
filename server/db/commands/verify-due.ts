/**
 * Fills in the verification deadline (events.verify_due_at, schema v6) of resolved cases that lack it: rows
 * resolved before the column existed, and the seed's history. The deadline itself is a domain rule
 * (domain/on-time.ts, on the working-time calendar), so the caller passes it in.
 */
import type { Db } from '../database.ts';

/** Sets verify_due_at = deadline(resolved_at) on every resolved row without one, `chunk` rows per transaction. */
export function fillMissingVerifyDue(db: Db, deadline: (resolvedAt: number) => number, chunk = 5_000): number {
  const missing = db.prepare<[number], { id: number; resolved_at: number }>(
    `SELECT id, resolved_at FROM events WHERE resolved_at IS NOT NULL AND verify_due_at IS NULL ORDER BY id LIMIT ?`,
  );
  const set = db.prepare<[number, number]>(`UPDATE events SET verify_due_at = ? WHERE id = ? AND verify_due_at IS NULL`);
  let filled = 0;
  for (;;) {
    const rows = missing.all(chunk);
    if (rows.length === 0) return filled;
    db.transaction(() => {
      for (const r of rows) set.run(deadline(r.resolved_at), r.id);
    })();
    filled += rows.length;
  }
}
