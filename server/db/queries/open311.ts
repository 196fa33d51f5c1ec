/**
 * The reads behind /open311/v2/requests: cases (events) with the names their Open311 view shows (block, community,
 * subdistrict, unit, assignee), the latest log time, the rejecting note of a rejected case and the request's details
 * (media URL, address as written); and requests still awaiting location (unlocated_requests without a case).
 *
 * A list is one page of both kinds merged newest first: a compound query over (time, id) picks the page's ids
 * (the events side walks the reported_at index; SQLite merges the two ordered sides), then the page's rows are read
 * with their joins, so names and log times are computed for the page only. Pages are offset-based (the spec's
 * page / page_size extension) over (time desc, id desc, cases before pending requests).
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
  media_url: string | null;
  address_string: string | null;
}

/** A request awaiting location, with its service's names. */
export interface PendingRow {
  id: number;
  service_code: string;
  category_name: string;
  category_name_en: string;
  text: string;
  address_string: string | null;
  address_id: string | null;
  media_url: string | null;
  channel: string;
  reporter: string;
  email: string | null;
  phone: string | null;
  account_id: string | null;
  requested_at: number;
  event_id: number | null;
  located_at: number | null;
}

export type ListedRequest = { kind: 'case'; row: RequestRow } | { kind: 'pending'; row: PendingRow };

export interface RequestFilter {
  /** Exactly these case ids and pending ids (the other filters still apply when given; the route leaves them out). */
  ids?: { cases: number[]; pending: number[] };
  codes?: string[];
  /** Inclusive lower bound on the request time (epoch ms). */
  from?: number;
  /** Inclusive upper bound on the request time. */
  to?: number;
  /** Case statuses to include; omitted, all. */
  statuses?: readonly Status[];
  /** Whether requests awaiting location (always open) are included. */
  pending: boolean;
  limit: number;
  offset: number;
}

const SELECT_CASES = `
SELECT e.id, e.category_code, cat.name AS category_name, cat.name_en AS category_name_en, e.status, e.tier, e.text,
       e.lon, e.lat, e.reported_at, e.due_at, e.satisfaction, e.block_code, b.name AS block_name,
       c.name AS community_name, c.name_en AS community_name_en, s.name AS subdistrict_name, s.name_en AS subdistrict_name_en,
       u.name AS unit_name, u.name_en AS unit_name_en, a.name AS assignee_name,
       (SELECT max(l.at) FROM event_log l WHERE l.event_id = e.id) AS updated_at,
       CASE WHEN e.status = 'rejected' THEN
         (SELECT l.note FROM event_log l WHERE l.event_id = e.id AND l.to_status = 'rejected' ORDER BY l.at DESC, l.id DESC LIMIT 1)
       END AS reject_note,
       d.media_url, d.address_string
  FROM events e
  JOIN categories cat ON cat.code = e.category_code
  LEFT JOIN blocks b ON b.version_id = e.version_id AND b.code = e.block_code
  LEFT JOIN areas c ON c.code = e.community_code
  LEFT JOIN areas s ON s.code = e.subdistrict_code
  LEFT JOIN units u ON u.id = e.unit_id
  LEFT JOIN staff a ON a.id = e.assignee_id
  LEFT JOIN request_details d ON d.event_id = e.id`;

const SELECT_PENDING = `
SELECT r.id, r.service_code, cat.name AS category_name, cat.name_en AS category_name_en, r.text, r.address_string,
       r.address_id, r.media_url, r.channel, r.reporter, r.email, r.phone, r.account_id, r.requested_at, r.event_id,
       r.located_at
  FROM unlocated_requests r
  JOIN categories cat ON cat.code = r.service_code`;

const CASE = 0;
const PENDING = 1;

export function open311Queries(db: Db) {
  const prepare = statementCache(db);
  const caseById = db.prepare<[number], RequestRow>(`${SELECT_CASES} WHERE e.id = ?`);
  const casesByIds = db.prepare<[string], RequestRow>(`${SELECT_CASES} WHERE e.id IN (SELECT value FROM json_each(?))`);
  const pendingById = db.prepare<[number], PendingRow>(`${SELECT_PENDING} WHERE r.id = ?`);
  const pendingByIds = db.prepare<[string], PendingRow>(`${SELECT_PENDING} WHERE r.id IN (SELECT value FROM json_each(?))`);
  const caseExists = db.prepare<[number], { id: number }>('SELECT id FROM events WHERE id = ?');
  const districts = db.prepare<[], { code: string; name: string; name_en: string }>(
    "SELECT code, name, name_en FROM areas WHERE level = 'district' ORDER BY code",
  );
  const pendingList = db.prepare<[number, number], PendingRow>(
    `${SELECT_PENDING} WHERE r.event_id IS NULL ORDER BY r.requested_at DESC, r.id DESC LIMIT ? OFFSET ?`,
  );

  /** The page's (kind, id) pairs in order. */
  function pageIds(f: RequestFilter): { kind: number; id: number }[] {
    const arms: string[] = [];
    const args: (string | number)[] = [];
    const caseIds = f.ids?.cases;
    if (!caseIds || caseIds.length > 0) {
      const where: string[] = [];
      // Lists travel as one JSON parameter, so any length shares one prepared statement.
      if (caseIds) (where.push('e.id IN (SELECT value FROM json_each(?))'), args.push(JSON.stringify(caseIds)));
      if (f.codes) (where.push('e.category_code IN (SELECT value FROM json_each(?))'), args.push(JSON.stringify(f.codes)));
      if (f.from !== undefined) (where.push('e.reported_at >= ?'), args.push(f.from));
      if (f.to !== undefined) (where.push('e.reported_at <= ?'), args.push(f.to));
      if (f.statuses) (where.push(`e.status IN (${placeholders(f.statuses.length)})`), args.push(...f.statuses));
      arms.push(`SELECT ${CASE} AS kind, e.id AS id, e.reported_at AS t FROM events e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`);
    }
    const pendingIds = f.ids?.pending;
    if (f.pending && (!pendingIds || pendingIds.length > 0)) {
      const where = ['r.event_id IS NULL'];
      if (pendingIds) (where.push('r.id IN (SELECT value FROM json_each(?))'), args.push(JSON.stringify(pendingIds)));
      if (f.codes) (where.push('r.service_code IN (SELECT value FROM json_each(?))'), args.push(JSON.stringify(f.codes)));
      if (f.from !== undefined) (where.push('r.requested_at >= ?'), args.push(f.from));
      if (f.to !== undefined) (where.push('r.requested_at <= ?'), args.push(f.to));
      arms.push(`SELECT ${PENDING} AS kind, r.id AS id, r.requested_at AS t FROM unlocated_requests r WHERE ${where.join(' AND ')}`);
    }
    if (arms.length === 0) return [];
    const sql = `${arms.join(' UNION ALL ')} ORDER BY t DESC, id DESC, kind LIMIT ? OFFSET ?`;
    return prepare(sql).all(...args, f.limit, f.offset) as { kind: number; id: number }[];
  }

  return {
    /** Cases and pending requests matching the filter, newest first. */
    list(f: RequestFilter): ListedRequest[] {
      const page = pageIds(f);
      const caseIds = page.filter((p) => p.kind === CASE).map((p) => p.id);
      const pendingIds = page.filter((p) => p.kind === PENDING).map((p) => p.id);
      const cases = new Map(caseIds.length ? casesByIds.all(JSON.stringify(caseIds)).map((r) => [r.id, r]) : []);
      const pending = new Map(pendingIds.length ? pendingByIds.all(JSON.stringify(pendingIds)).map((r) => [r.id, r]) : []);
      return page.map((p): ListedRequest =>
        p.kind === CASE ? { kind: 'case', row: cases.get(p.id)! } : { kind: 'pending', row: pending.get(p.id)! },
      );
    },
    get: (id: number): RequestRow | undefined => caseById.get(id),
    exists: (id: number): boolean => caseExists.get(id) !== undefined,
    /** A request awaiting location, or located (event_id set). */
    pending: (id: number): PendingRow | undefined => pendingById.get(id),
    /** The districts this database covers (the Open311 jurisdictions). */
    districts: () => districts.all(),
    /** Requests still awaiting location, newest first. */
    pendingList: (limit: number, offset = 0): PendingRow[] => pendingList.all(limit, offset),
  };
}

export type Open311Queries = ReturnType<typeof open311Queries>;
