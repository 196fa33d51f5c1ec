/** Boundary versions and the "what changed" markers that cached representations are keyed on. */
import type { Db } from '../database.ts';

export interface VersionRow {
  id: number;
  name: string;
  effective_from: number;
  published_at: number;
}

export function versionQueries(db: Db) {
  const current = db.prepare<[number], VersionRow>(
    `SELECT id, name, effective_from, published_at FROM boundary_versions
      WHERE effective_from <= ? ORDER BY effective_from DESC, id DESC LIMIT 1`,
  );
  const any = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM boundary_versions`);
  const next = db.prepare<[number], { at: number | null }>(
    `SELECT min(effective_from) AS at FROM boundary_versions WHERE effective_from > ?`,
  );
  const byId = db.prepare<[number], VersionRow>(`SELECT id, name, effective_from, published_at FROM boundary_versions WHERE id = ?`);
  const all = db.prepare<[], VersionRow>(`SELECT id, name, effective_from, published_at FROM boundary_versions ORDER BY id`);
  return {
    /** One version by id. */
    get: (id: number): VersionRow | undefined => byId.get(id),
    /** Every published version, oldest first. */
    list: (): VersionRow[] => all.all(),
    /** The version in force at `now`: the latest whose effective_from ≤ now. */
    current: (now: number): VersionRow | undefined => current.get(now),
    /** Whether any boundary version exists (an empty file has none until it is seeded). */
    exists: (): boolean => any.get()!.n > 0,
    /** When the next already-published version takes effect, if any. */
    nextEffectiveAfter: (now: number): number | null => next.get(now)!.at,
  };
}
