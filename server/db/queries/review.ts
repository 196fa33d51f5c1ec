/**
 * Reads for the review (closure indicators, survival, rankings, replay): the case columns the review keeps in memory,
 * read in id order in pages; the log watermark that tells which cases changed since the last read; the log steps
 * that hand-offs are counted from; and the names of the dimensions.
 *
 * Every change to a case that the review reads is written together with an event_log row in one transaction
 * (reports, transitions, extensions, escalation at breach), so "log rows with id > watermark" names every case that
 * changed; new cases are the events with id > the highest id read.
 */
import type { Db } from '../database.ts';
import { placeholders, statementCache } from './statements.ts';

/** One case as the review reads it; the tuple order is CASE_COLUMNS'. */
export const CASE_COLUMNS = [
  'id', 'status', 'channel', 'kind', 'priority', 'category_code', 'block_code', 'community_code', 'subdistrict_code',
  'unit_id', 'assignee_id', 'reported_at', 'filed_at', 'dispatched_at', 'accepted_at', 'arrived_at', 'resolved_at',
  'closed_at', 'due_at', 'verify_due_at', 'satisfaction', 'rework_count', 'extension_count',
] as const;

export type CaseTuple = [
  id: number, status: string, channel: string, kind: string, priority: string, category: string, block: string,
  community: string, subdistrict: string, unitId: number | null, assigneeId: number | null, reportedAt: number,
  filedAt: number | null, dispatchedAt: number | null, acceptedAt: number | null, arrivedAt: number | null,
  resolvedAt: number | null, closedAt: number | null, dueAt: number, verifyDueAt: number | null,
  satisfaction: number | null, reworkCount: number, extensionCount: number,
];

/** [event_id, at, actor_id, assignee_id] */
export type LogStepTuple = [eventId: number, at: number, actorId: number | null, assigneeId: number | null];

export interface UnitNameRow {
  id: number;
  kind: 'centre' | 'department';
  key: string;
  name: string;
  name_en: string;
  subdistrict_code: string;
}

export interface ReplayEventRow {
  id: number;
  case_no: string;
  category_code: string;
  lon: number;
  lat: number;
  reported_at: number;
  status: string;
}

export interface ReplayStepRow {
  event_id: number;
  at: number;
  from_status: string | null;
  to_status: string;
}

export interface ReplayRouteRow {
  id: number;
  event_id: number;
  staff_id: number;
  created_at: number;
  eta_s: number;
  geometry: string;
  times: string;
}

export function reviewQueries(db: Db) {
  const cols = CASE_COLUMNS.join(', ');
  const page = db.prepare<[number, number], CaseTuple>(`SELECT ${cols} FROM events WHERE id > ? ORDER BY id LIMIT ?`).raw(true);
  const prepare = statementCache(db);
  const maxLog = db.prepare<[], { m: number | null }>(`SELECT max(id) AS m FROM event_log`);
  // A rowid range, deduplicated here: with DISTINCT in SQL the planner walks the whole (event_id, at) index instead,
  // seconds at 10⁷ log rows for a read that should touch a handful.
  const changed = db.prepare<[number], { event_id: number }>(`SELECT event_id FROM event_log WHERE id > ? ORDER BY id`);
  // Index order (event_log_event is (event_id, at) with the rowid last), so no sort at any size.
  const logPage = db.prepare<[number, number], LogStepTuple>(
    `SELECT event_id, at, actor_id, assignee_id FROM event_log WHERE event_id >= ? AND event_id < ? ORDER BY event_id, at, id`,
  ).raw(true);
  const replayEvents = db.prepare<[number, number], ReplayEventRow>(
    `SELECT id, case_no, category_code, lon, lat, reported_at, status FROM events
      WHERE id IN (SELECT DISTINCT event_id FROM event_log WHERE at >= ? AND at < ?) ORDER BY id`,
  );
  const replaySteps = db.prepare<[number, number], ReplayStepRow>(
    `SELECT event_id, at, from_status, to_status FROM event_log WHERE at >= ? AND at < ? ORDER BY at, id`,
  );
  const replayRoutes = db.prepare<[number, number], ReplayRouteRow>(
    `SELECT id, event_id, staff_id, created_at, eta_s, geometry, times FROM event_routes
      WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id`,
  );
  return {
    /** Up to `limit` cases with id > afterId, by id. */
    casesAfter: (afterId: number, limit: number): CaseTuple[] => page.all(afterId, limit),
    /** These cases (any order). */
    casesByIds: (ids: readonly number[]): CaseTuple[] =>
      ids.length === 0 ? [] : (prepare(`SELECT ${cols} FROM events WHERE id IN (${placeholders(ids.length)})`).raw(true).all(...ids) as CaseTuple[]),
    maxLogId: (): number => maxLog.get()!.m ?? 0,
    /** Cases with a log row after the watermark. */
    changedSince: (logId: number): number[] => [...new Set(changed.all(logId).map((r) => r.event_id))],
    /** Log steps of cases with fromId ≤ id < toId, by case then time. */
    logSteps: (fromId: number, toId: number): LogStepTuple[] => logPage.all(fromId, toId),
    /** Log steps of these cases, by case then time. */
    logStepsOf: (ids: readonly number[]): LogStepTuple[] =>
      ids.length === 0 ? [] : (prepare(`SELECT event_id, at, actor_id, assignee_id FROM event_log WHERE event_id IN (${placeholders(ids.length)}) ORDER BY event_id, at, id`).raw(true).all(...ids) as LogStepTuple[]),
    units: (): UnitNameRow[] => db.prepare<[], UnitNameRow>(`SELECT id, kind, key, name, name_en, subdistrict_code FROM units ORDER BY id`).all(),
    categoryNames: (): { code: string; name: string; name_en: string; major_code: string; major_name: string; major_name_en: string }[] =>
      db.prepare(`SELECT code, name, name_en, major_code, major_name, major_name_en FROM categories ORDER BY code`).all() as never,
    areaNames: (): { code: string; name: string; name_en: string }[] =>
      db.prepare(`SELECT code, name, name_en FROM areas ORDER BY code`).all() as never,
    staffNames: (ids: readonly number[]): { id: number; name: string }[] =>
      ids.length === 0 ? [] : (prepare(`SELECT id, name FROM staff WHERE id IN (${placeholders(ids.length)})`).all(...ids) as { id: number; name: string }[]),
    /** What happened in [from, to): the cases touched, their log steps, the dispatch routes drawn. */
    replay: (from: number, to: number) => ({
      events: replayEvents.all(from, to),
      steps: replaySteps.all(from, to),
      routes: replayRoutes.all(from, to),
    }),
  };
}

export type ReviewQueries = ReturnType<typeof reviewQueries>;
