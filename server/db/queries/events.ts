/** Reads of events and their append-only log. Filters compose from fixed SQL fragments with bound values. */
import type { Db } from '../database.ts';
import { CLOCK_STATUSES, OPEN_STATUSES, type Status } from '../../contract/statuses.ts';
import { placeholders, statementCache } from './statements.ts';
import { bboxClause } from './bbox.ts';

export { CLOCK_STATUSES, FINISHED_STATUSES, OPEN_STATUSES, STATUSES, type Status } from '../../contract/statuses.ts';

export interface EventSummaryRow {
  id: number;
  case_no: string;
  kind: string;
  channel: string;
  category_code: string;
  category_name: string;
  status: Status;
  priority: string;
  tier: string;
  lon: number;
  lat: number;
  block_code: string;
  community_code: string;
  subdistrict_code: string;
  reported_at: number;
  due_at: number;
  closed_at: number | null;
  assignee_id: number | null;
  assignee_name: string | null;
}

export interface EventDetailRow extends EventSummaryRow {
  text: string;
  reporter: string;
  filed_at: number | null;
  dispatched_at: number | null;
  accepted_at: number | null;
  arrived_at: number | null;
  resolved_at: number | null;
  evaluated_at: number | null;
  satisfaction: number | null;
  rework_count: number;
  extension_count: number;
  escalated: 0 | 1;
  // Lifecycle columns (schema v6); optional because a fresh report's in-memory row has none of them yet.
  verify_due_at?: number | null;
  verify_breached_at?: number | null;
  report_verified_at?: number | null;
  suspended_at?: number | null;
  suspended_from?: string | null;
  review_at?: number | null;
  voided_at?: number | null;
}

/** A photo of a log row (before / after evidence). */
export interface EventPhotoRow {
  log_id: number;
  kind: 'before' | 'after';
  url: string;
}

export interface EventLogRow {
  id: number;
  at: number;
  actor_id: number | null;
  actor_name: string | null;
  actor_role: string;
  from_status: string | null;
  to_status: string;
  assignee_id: number | null;
  assignee_name: string | null;
  note: string;
}

export interface EventFilter {
  /** Inclusive lower bound on reported_at (epoch ms). */
  from?: number;
  /** Exclusive upper bound on reported_at. */
  to?: number;
  /** Match any of: these statuses, any open status, or open and past due at `now`. */
  status?: { statuses: Status[]; open: boolean; overdue: boolean };
  /** A 2-digit major or 4-digit minor category code. */
  category?: string;
  block?: string;
  bbox?: [number, number, number, number];
  /** The caller's data scope: only this subdistrict, only these blocks (or cases assigned to `assignee`). */
  scope?: { subdistrict?: string; blocks?: readonly string[]; assignee?: number };
  /** Keyset position: rows strictly after (reportedAt, id) in (reported_at desc, id desc) order. */
  after?: { reportedAt: number; id: number };
  limit: number;
  now: number;
}

const SUMMARY_COLUMNS = `
  e.id, e.case_no, e.kind, e.channel, e.category_code, cat.name AS category_name, e.status, e.priority, e.tier,
  e.lon, e.lat, e.block_code, e.community_code, e.subdistrict_code, e.reported_at, e.due_at, e.closed_at,
  e.assignee_id, a.name AS assignee_name`;
const FROM = `FROM events e JOIN categories cat ON cat.code = e.category_code LEFT JOIN staff a ON a.id = e.assignee_id`;

export function eventQueries(db: Db) {
  const prepare = statementCache(db);
  const inBbox = bboxClause(db);
  const one = db.prepare<[number], EventDetailRow>(
    `SELECT ${SUMMARY_COLUMNS}, e.text, e.reporter, e.filed_at, e.dispatched_at, e.accepted_at, e.arrived_at,
            e.resolved_at, e.evaluated_at, e.satisfaction, e.rework_count, e.extension_count, e.escalated,
            e.verify_due_at, e.verify_breached_at, e.report_verified_at, e.suspended_at, e.suspended_from, e.review_at,
            e.voided_at
       ${FROM} WHERE e.id = ?`,
  );
  const photos = db.prepare<[number], EventPhotoRow>(
    `SELECT log_id, kind, url FROM event_log_photos WHERE event_id = ? ORDER BY log_id, id`,
  );
  const log = db.prepare<[number], EventLogRow>(
    `SELECT l.id, l.at, l.actor_id, ac.name AS actor_name, l.actor_role, l.from_status, l.to_status,
            l.assignee_id, asg.name AS assignee_name, l.note
       FROM event_log l LEFT JOIN staff ac ON ac.id = l.actor_id LEFT JOIN staff asg ON asg.id = l.assignee_id
      WHERE l.event_id = ? ORDER BY l.at, l.id`,
  );
  const count = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM events`);

  return {
    /** Events matching the filter, newest first (reported_at desc, id desc), at most `limit` rows. */
    list(f: EventFilter): EventSummaryRow[] {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (f.from !== undefined) (where.push('e.reported_at >= ?'), args.push(f.from));
      if (f.to !== undefined) (where.push('e.reported_at < ?'), args.push(f.to));
      if (f.status) {
        const any: string[] = [];
        if (f.status.statuses.length) (any.push(`e.status IN (${placeholders(f.status.statuses.length)})`), args.push(...f.status.statuses));
        if (f.status.open) {
          any.push(`e.status IN (${placeholders(OPEN_STATUSES.length)})`);
          args.push(...OPEN_STATUSES);
        } else if (f.status.overdue) {
          any.push(`(e.status IN (${placeholders(CLOCK_STATUSES.length)}) AND e.due_at < ?)`);
          args.push(...CLOCK_STATUSES, f.now);
        }
        where.push(`(${any.join(' OR ')})`);
      }
      if (f.category !== undefined) {
        if (f.category.length === 4) (where.push('e.category_code = ?'), args.push(f.category));
        else (where.push('e.category_code >= ? AND e.category_code < ?'), args.push(`${f.category}00`, `${f.category}:`));
      }
      if (f.block !== undefined) (where.push('e.block_code = ?'), args.push(f.block));
      if (f.scope) {
        const mine = f.scope.assignee !== undefined ? ' OR e.assignee_id = ?' : '';
        const within: string[] = [];
        const vals: (string | number)[] = [];
        if (f.scope.subdistrict !== undefined) (within.push('e.subdistrict_code = ?'), vals.push(f.scope.subdistrict));
        if (f.scope.blocks !== undefined) (within.push(`e.block_code IN (${f.scope.blocks.map(() => '?').join(',') || 'NULL'})`), vals.push(...f.scope.blocks));
        if (within.length) {
          where.push(`((${within.join(' AND ')})${mine})`);
          args.push(...vals);
          if (f.scope.assignee !== undefined) args.push(f.scope.assignee);
        }
      }
      if (f.bbox) {
        const box = inBbox(f.bbox);
        where.push(box.sql);
        args.push(...box.args);
      }
      if (f.after) (where.push('(e.reported_at, e.id) < (?, ?)'), args.push(f.after.reportedAt, f.after.id));
      const sql = `SELECT ${SUMMARY_COLUMNS} ${FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                   ORDER BY e.reported_at DESC, e.id DESC LIMIT ?`;
      return prepare(sql).all(...args, f.limit) as EventSummaryRow[];
    },
    get: (id: number): EventDetailRow | undefined => one.get(id),
    /** The resident's contact details of a case (personal data), if the report came with any. */
    contact: (id: number): { email: string | null; phone: string | null } | undefined =>
      prepare('SELECT email, phone FROM event_contacts WHERE event_id = ?').get(id) as { email: string | null; phone: string | null } | undefined,
    log: (eventId: number): EventLogRow[] => log.all(eventId),
    /** The case's photo evidence, by log row. */
    photos(eventId: number): Map<number, { kind: 'before' | 'after'; url: string }[]> {
      const out = new Map<number, { kind: 'before' | 'after'; url: string }[]>();
      for (const p of photos.all(eventId)) {
        let list = out.get(p.log_id);
        if (!list) out.set(p.log_id, (list = []));
        list.push({ kind: p.kind, url: p.url });
      }
      return out;
    },
    count: (): number => count.get()!.n,
  };
}
