/** Reads of an events export: the columns a list page lacks (text, resolution, the source an import kept). */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../database.ts';
import { placeholders } from './statements.ts';

export interface ExportExtraRow {
  id: number;
  text: string;
  resolved_at: number | null;
  block_name: string;
  category_name_en: string;
  source: string | null;
  source_id: string | null;
  department: string | null;
}

export function exportQueries(db: Db) {
  const byIds = new Map<number, Statement<unknown[], ExportExtraRow>>();
  return {
    /** Extra columns of the events with these ids (one statement per page size). */
    extras(ids: readonly number[]): Map<number, ExportExtraRow> {
      if (ids.length === 0) return new Map();
      let stmt = byIds.get(ids.length);
      if (!stmt) {
        stmt = db.prepare<unknown[], ExportExtraRow>(
          `SELECT e.id, e.text, e.resolved_at, b.name AS block_name, c.name_en AS category_name_en, s.source, s.source_id, s.department
             FROM events e JOIN categories c ON c.code = e.category_code
             LEFT JOIN blocks b ON b.version_id = e.version_id AND b.code = e.block_code
             LEFT JOIN event_sources s ON s.event_id = e.id
            WHERE e.id IN (${placeholders(ids.length)})`,
        );
        if (byIds.size > 4) byIds.clear();
        byIds.set(ids.length, stmt);
      }
      return new Map(stmt.all(...ids).map((r) => [r.id, r]));
    },
  };
}
