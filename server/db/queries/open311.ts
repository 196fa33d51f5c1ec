/**
 * The reads behind /open311/v2/requests: events with the names their Open311 view shows (block, community,
 * subdistrict, unit, assignee), the latest log time and, for rejected cases, the rejecting note. Filters compose
 * from fixed SQL fragments with bound values; pages are offset-based (the spec's page / page_size extension) over
 * (reported_at desc, id desc).
 */
import type { Db } from '../database.ts';
import { placeholders, statementCache } from './statements.ts';
import type { Status } from './events.ts';

export interface RequestRow {
  id: number;
  category_code: string;
  category_name: string;
  category_name_en: string;
  status: Status;
  tier: 'block' | 'centre' | 'department';
  text: string;
  lon: number;
  lat: number;
  reported_at: number;
  due_at: number;
  satisfaction: number | null;
  block_code: string;
  block_name: string | null;
  community_name: string | null;
  community_name_en: string | null;
  subdistrict_name: string | null;
  subdistrict_name_en: string | null;
  unit_name: string | null;
  unit_name_en: string | null;
  assignee_name: string | null;
  /** Latest event_log row time (null only for a case without log rows, which the writers never make). */
  updated_at: number | null;
  /** For a rejected case: the note of the rejecting log row. */
  reject_note: string | null;
}

export interface RequestFilter {
  /** Exactly these ids (the other filters still apply when given; the route leaves them out). */
  ids?: number[];
  codes?: string[];
  /** Inclusive lower bound on reported_at (epoch ms). */
  from?: number;
  /** Inclusive upper bound on reported_at. */
  to?: number;
  statuses?: readonly Status[];
  limit: number;
  offset: number;
}

const SELECT = `
SELECT e.id, e.category_code, cat.name AS category_name, cat.name_en AS category_name_en, e.status, e.tier, e.text,
       e.lon, e.lat, e.reported_at, e.due_at, e.satisfaction, e.block_code, b.name AS block_name,
       c.name AS community_name, c.name_en AS community_name_en, s.name AS subdistrict_name, s.name_en AS subdistrict_name_en,
       u.name AS unit_name, u.name_en AS unit_name_en, a.name AS assignee_name,
       (SELECT max(l.at) FROM event_log l WHERE l.event_id = e.id) AS updated_at,
       CASE WHEN e.status = 'rejected' THEN
         (SELECT l.note FROM event_log l WHERE l.event_id = e.id AND l.to_status = 'rejected' ORDER BY l.at DESC, l.id DESC LIMIT 1)
       END AS reject_note
  FROM events e
  JOIN categories cat ON cat.code = e.category_code
  LEFT JOIN blocks b ON b.version_id = e.version_id AND b.code = e.block_code
  LEFT JOIN areas c ON c.code = e.community_code
  LEFT JOIN areas s ON s.code = e.subdistrict_code
  LEFT JOIN units u ON u.id = e.unit_id
  LEFT JOIN staff a ON a.id = e.assignee_id`;

export function open311Queries(db: Db) {
  const prepare = statementCache(db);
  const one = db.prepare<[number], RequestRow>(`${SELECT} WHERE e.id = ?`);
  const exists = db.prepare<[number], { id: number }>(`SELECT id FROM events WHERE id = ?`);
  return {
    /** Requests matching the filter, newest first. */
    list(f: RequestFilter): RequestRow[] {
      const where: string[] = [];
      const args: (string | number)[] = [];
      // Lists travel as one JSON parameter, so any length shares one prepared statement.
      if (f.ids) (where.push('e.id IN (SELECT value FROM json_each(?))'), args.push(JSON.stringify(f.ids)));
      if (f.codes) (where.push('e.category_code IN (SELECT value FROM json_each(?))'), args.push(JSON.stringify(f.codes)));
      if (f.from !== undefined) (where.push('e.reported_at >= ?'), args.push(f.from));
      if (f.to !== undefined) (where.push('e.reported_at <= ?'), args.push(f.to));
      if (f.statuses) (where.push(`e.status IN (${placeholders(f.statuses.length)})`), args.push(...f.statuses));
      const sql = `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.reported_at DESC, e.id DESC LIMIT ? OFFSET ?`;
      return prepare(sql).all(...args, f.limit, f.offset) as RequestRow[];
    },
    get: (id: number): RequestRow | undefined => one.get(id),
    exists: (id: number): boolean => exists.get(id) !== undefined,
  };
}

export type Open311Queries = ReturnType<typeof open311Queries>;
