/**
 * Named write commands for events (and the few reads the write path needs inside its transactions), each statement
 * prepared once per connection. No domain rules here: callers pass rows and changes the domain has planned.
 */
import { NOT_HANDLING_STATUSES, OFF_CLOCK_STATUSES, sqlStatusNone, type Status } from '../../contract/statuses.ts';
import type { Tier } from '../../contract/taxonomy.ts';
import type { Db } from '../database.ts';
import { OPEN_ASSIGNED_WHERE } from '../queries/partial-indexes.ts';
import { placeholders, statementCache } from '../queries/statements.ts';
import type { EventSummaryRow } from '../queries/events.ts';
import type { Statement } from 'better-sqlite3';

/** Every column of an events row (schema v2). */
export interface EventRow {
  id: number;
  case_no: string;
  kind: string;
  channel: string;
  category_code: string;
  priority: string;
  status: Status;
  tier: 'block' | 'centre' | 'department';
  text: string;
  lon: number;
  lat: number;
  version_id: number;
  block_code: string;
  community_code: string;
  subdistrict_code: string;
  reporter: string;
  assignee_id: number | null;
  unit_id: number | null;
  reported_at: number;
  filed_at: number | null;
  dispatched_at: number | null;
  accepted_at: number | null;
  arrived_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  evaluated_at: number | null;
  due_at: number;
  satisfaction: number | null;
  rework_count: number;
  extension_count: number;
  escalated: 0 | 1;
  idempotency_key: string | null;
  warned_at: number | null;
  breached_at: number | null;
  escalation_level: number;
  extension_pending: 0 | 1;
  /** The warning instant (预警) on the working-time clock; NULL on rows written before it was stored. */
  warn_at: number | null;
  /** The verification deadline (核查时限, domain/on-time.ts): set when resolved, cleared by rework. */
  verify_due_at: number | null;
  verify_breached_at: number | null;
  report_verified_at: number | null;
  suspended_at: number | null;
  suspended_from: string | null;
  review_at: number | null;
  voided_at: number | null;
}

/** Columns a new report never sets (the lifecycle fills them in later). */
type LaterColumns =
  | 'id' | 'warned_at' | 'breached_at' | 'escalation_level' | 'extension_pending' | 'verify_due_at' | 'verify_breached_at'
  | 'report_verified_at' | 'suspended_at' | 'suspended_from' | 'review_at' | 'voided_at';
export type NewEvent = Omit<EventRow, LaterColumns>;

/** The columns insertEvent writes, in its parameters' order. */
const EVENT_INSERT_COLUMNS = [
  'case_no', 'kind', 'channel', 'category_code', 'priority', 'status', 'tier', 'text', 'lon', 'lat', 'version_id',
  'block_code', 'community_code', 'subdistrict_code', 'reporter', 'assignee_id', 'unit_id', 'reported_at', 'filed_at',
  'dispatched_at', 'accepted_at', 'arrived_at', 'resolved_at', 'closed_at', 'evaluated_at', 'due_at', 'satisfaction',
  'rework_count', 'extension_count', 'escalated', 'idempotency_key', 'warn_at',
] as const satisfies readonly (keyof NewEvent)[];

export interface NewLogRow {
  event_id: number;
  at: number;
  actor_id: number | null;
  actor_role: string;
  from_status: string | null;
  to_status: string;
  assignee_id: number | null;
  note: string;
}

/** Columns a transition may change (anything else in a changes object is a programming error). */
const UPDATABLE = new Set([
  'status', 'tier', 'assignee_id', 'unit_id', 'filed_at', 'dispatched_at', 'accepted_at', 'arrived_at', 'resolved_at',
  'closed_at', 'evaluated_at', 'due_at', 'satisfaction', 'rework_count', 'extension_count', 'escalated', 'warned_at',
  'breached_at', 'escalation_level', 'extension_pending', 'warn_at', 'verify_due_at', 'verify_breached_at',
  'report_verified_at', 'suspended_at', 'suspended_from', 'review_at', 'voided_at',
]);

// The partial indexes' conditions (schema v18), built from the contract's status sets in the indexes' order.
const CLOCK_WHERE = sqlStatusNone('e.status', OFF_CLOCK_STATUSES); // events_open_due
const HANDLING = sqlStatusNone('e.status', NOT_HANDLING_STATUSES);
const WARN_SWEEP_WHERE = `e.warned_at IS NULL AND e.breached_at IS NULL AND ${HANDLING}`; // events_warn_due
const BREACH_SWEEP_WHERE = `e.breached_at IS NULL AND ${HANDLING}`; // events_breach_due
const VERIFY_SWEEP_WHERE = `e.verify_breached_at IS NULL AND e.status = 'resolved'`; // events_verify_due
const ACTIVE = `ra.valid_from <= @now AND (ra.valid_to IS NULL OR ra.valid_to > @now)`;

export interface AssignmentRow {
  role: 'governor' | 'assistant' | 'supervisor' | 'centre-staff' | 'centre-inspector' | 'officer';
  block_code: string | null;
  unit_id: number | null;
  unit_kind: 'centre' | 'department' | null;
  unit_key: string | null;
  subdistrict_code: string;
}

export interface OpenDueRow {
  id: number;
  case_no: string;
  status: Status;
  tier: Tier;
  block_code: string;
  subdistrict_code: string;
  lon: number;
  lat: number;
  assignee_id: number | null;
  unit_id: number | null;
  reported_at: number;
  due_at: number;
  warn_at: number | null;
  warned_at: number | null;
  breached_at: number | null;
  escalation_level: number;
  category_code: string;
  warning_ratio: number;
  deadline_unit: 'working-hours' | 'working-days' | 'natural-hours';
  verify_due_at: number | null;
  verify_breached_at: number | null;
}

/** An open case not yet warned whose warning instant has not been stored yet (a row from before warn_at). */
export interface WarnBackfillRow {
  id: number;
  reported_at: number;
  due_at: number;
  warning_ratio: number;
  deadline_unit: 'working-hours' | 'working-days' | 'natural-hours';
}

export function eventCommands(db: Db) {
  // Positional parameters: binding 31 named ones from an object costs a property lookup through the engine's API
  // each, the largest part of an insert's CPU time on the report path.
  const insertEvent = db.prepare<unknown[]>(
    `INSERT INTO events (${EVENT_INSERT_COLUMNS.join(', ')}) VALUES (${placeholders(EVENT_INSERT_COLUMNS.length)})`,
  );
  const insertLog = db.prepare<unknown[]>(
    `INSERT INTO event_log (event_id, at, actor_id, actor_role, from_status, to_status, assignee_id, note)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const updates = new Map<string, Statement>();
  const prepare = statementCache(db); // IN lists of a few lengths: a small, bounded set of statements
  const row = db.prepare<[number], EventRow>(`SELECT * FROM events WHERE id = ?`);
  const byKey = db.prepare<[string], EventRow>(`SELECT * FROM events WHERE idempotency_key = ?`);
  // The day's highest number: longer first, so the sequence survives passing 99999 (…99999 < …100000 as text).
  const maxCase = db.prepare<[string, string], { c: string | null }>(
    `SELECT case_no AS c FROM events WHERE case_no >= ? AND case_no < ? ORDER BY length(case_no) DESC, case_no DESC LIMIT 1`,
  );
  const caseExists = db.prepare<[string], { x: number }>(`SELECT 1 AS x FROM events WHERE case_no = ?`);
  const handlers = db.prepare<[number], { id: number }>(
    `SELECT DISTINCT assignee_id AS id FROM event_log
      WHERE event_id = ? AND assignee_id IS NOT NULL AND to_status IN ('dispatched', 'accepted', 'arrived', 'resolved')`,
  );
  const lastExtensionRequest = db.prepare<[number], { note: string }>(
    `SELECT note FROM event_log WHERE event_id = ? AND note LIKE '延期申请：%' ORDER BY at DESC, id DESC LIMIT 1`,
  );
  const staffExists = db.prepare<[number], { id: number; name: string }>(`SELECT id, name FROM staff WHERE id = ?`);
  const assignments = db.prepare<{ staff: number; now: number; version: number }, AssignmentRow>(
    `SELECT ra.role, ra.block_code, ra.unit_id, u.kind AS unit_kind, u.key AS unit_key,
            coalesce(b.subdistrict_code, u.subdistrict_code) AS subdistrict_code
       FROM role_assignments ra
       LEFT JOIN blocks b ON b.version_id = ra.version_id AND b.code = ra.block_code
       LEFT JOIN units u ON u.id = ra.unit_id
      WHERE ra.staff_id = @staff AND ${ACTIVE} AND (ra.block_code IS NULL OR ra.version_id = @version)
      ORDER BY ra.id`,
  );
  const blockRoles = db.prepare<{ version: number; code: string; now: number }, { role: string; staff_id: number }>(
    `SELECT ra.role, ra.staff_id FROM role_assignments ra
      WHERE ra.version_id = @version AND ra.block_code = @code AND ra.role IN ('governor', 'supervisor') AND ${ACTIVE}
      ORDER BY ra.id`,
  );
  const governors = db.prepare<{ version: number; now: number }, { block_code: string; staff_id: number }>(
    `SELECT ra.block_code, ra.staff_id FROM role_assignments ra
      WHERE ra.version_id = @version AND ra.role = 'governor' AND ${ACTIVE}`,
  );
  const units = db.prepare<[], { id: number; kind: string; key: string; subdistrict_code: string }>(
    `SELECT id, kind, key, subdistrict_code FROM units`,
  );
  const unitHandlers = db.prepare<{ unit: number; now: number }, { staff_id: number }>(
    `SELECT DISTINCT ra.staff_id FROM role_assignments ra
      WHERE ra.unit_id = @unit AND ra.role IN ('centre-staff', 'officer') AND ${ACTIVE} ORDER BY ra.staff_id`,
  );
  // The sweep's two reads, each through its partial index (events_warn_due, events_breach_due): only the cases whose
  // step is due are visited, however many open cases are still far from theirs.
  const escalationColumns = `e.id, e.case_no, e.status, e.tier, e.block_code, e.subdistrict_code, e.lon, e.lat, e.assignee_id, e.unit_id, e.reported_at, e.due_at, e.warn_at, e.warned_at, e.breached_at,
            e.escalation_level, e.category_code, c.warning_ratio, c.deadline_unit, e.verify_due_at, e.verify_breached_at`;
  const warnDue = db.prepare<[number], OpenDueRow>(
    `SELECT ${escalationColumns}
       FROM events e JOIN categories c ON c.code = e.category_code
      WHERE ${WARN_SWEEP_WHERE} AND e.warn_at <= ? ORDER BY e.warn_at`,
  );
  const breachDue = db.prepare<[number], OpenDueRow>(
    `SELECT ${escalationColumns}
       FROM events e JOIN categories c ON c.code = e.category_code
      WHERE ${BREACH_SWEEP_WHERE} AND e.due_at <= ? ORDER BY e.due_at`,
  );
  // Named: with status = 'resolved' the planner would otherwise walk events_status_due over every resolved case.
  const verifyDue = db.prepare<[number], OpenDueRow>(
    `SELECT ${escalationColumns}
       FROM events e INDEXED BY events_verify_due JOIN categories c ON c.code = e.category_code
      WHERE ${VERIFY_SWEEP_WHERE} AND e.verify_due_at <= ? ORDER BY e.verify_due_at`,
  );
  const insertPhoto = db.prepare<[number, number, string, string]>(
    `INSERT INTO event_log_photos (log_id, event_id, kind, url) VALUES (?, ?, ?, ?)`,
  );
  const warnMissing = db.prepare<[number], WarnBackfillRow>(
    `SELECT e.id, e.reported_at, e.due_at, c.warning_ratio, c.deadline_unit
       FROM events e JOIN categories c ON c.code = e.category_code
      WHERE ${WARN_SWEEP_WHERE} AND e.warn_at IS NULL LIMIT ?`,
  );
  // Only where still unset: an extension approved since the read has stored its own value.
  const setWarnAt = db.prepare<[number, number]>(`UPDATE events SET warn_at = ? WHERE id = ? AND warn_at IS NULL`);

  return {
    /** Inserts an event; returns its id. */
    insertEvent: (e: NewEvent): number =>
      Number(insertEvent.run(
        e.case_no, e.kind, e.channel, e.category_code, e.priority, e.status, e.tier, e.text, e.lon, e.lat, e.version_id,
        e.block_code, e.community_code, e.subdistrict_code, e.reporter, e.assignee_id, e.unit_id, e.reported_at, e.filed_at,
        e.dispatched_at, e.accepted_at, e.arrived_at, e.resolved_at, e.closed_at, e.evaluated_at, e.due_at, e.satisfaction,
        e.rework_count, e.extension_count, e.escalated, e.idempotency_key, e.warn_at,
      ).lastInsertRowid),
    /** Appends a log row; returns its id. */
    insertLog: (l: NewLogRow): number =>
      Number(insertLog.run(l.event_id, l.at, l.actor_id, l.actor_role, l.from_status, l.to_status, l.assignee_id, l.note).lastInsertRowid),
    /** Stores one photo of a log row. */
    insertPhoto: (logId: number, eventId: number, kind: string, url: string): void => void insertPhoto.run(logId, eventId, kind, url),
    /** Sets the given columns of one event (the column set picks a statement prepared once). */
    updateEvent(id: number, changes: Record<string, unknown>): void {
      const cols = Object.keys(changes).filter((k) => changes[k] !== undefined).sort();
      if (cols.length === 0) return;
      for (const c of cols) if (!UPDATABLE.has(c)) throw new Error(`updateEvent: column ${c} is not updatable`);
      const sig = cols.join(',');
      let st = updates.get(sig);
      if (!st) {
        st = db.prepare(`UPDATE events SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`);
        updates.set(sig, st);
      }
      const args: Record<string, unknown> = { id };
      for (const c of cols) args[c] = changes[c];
      st.run(args);
    },

    // Reads inside write transactions.
    row: (id: number): EventRow | undefined => row.get(id),
    byIdempotencyKey: (key: string): EventRow | undefined => byKey.get(key),
    /** The highest case number starting with prefix, or null. */
    maxCaseNo: (prefix: string): string | null => maxCase.get(prefix, `${prefix}~`)?.c ?? null,
    caseExists: (no: string): boolean => caseExists.get(no) !== undefined,
    /** Everyone who has been the assignee while the case was in progress. */
    handlers: (eventId: number): number[] => handlers.all(eventId).map((r) => r.id),
    lastExtensionRequestNote: (eventId: number): string | null => lastExtensionRequest.get(eventId)?.note ?? null,
    staff: (id: number): { id: number; name: string } | undefined => staffExists.get(id),
    assignments: (staffId: number, versionId: number, now: number): AssignmentRow[] =>
      assignments.all({ staff: staffId, version: versionId, now }),
    /** The block's active governor and supervisor. */
    blockTeam(versionId: number, code: string, now: number): { governor: number | null; supervisor: number | null } {
      let governor: number | null = null;
      let supervisor: number | null = null;
      for (const r of blockRoles.all({ version: versionId, code, now })) {
        if (r.role === 'governor') governor ??= r.staff_id;
        else supervisor ??= r.staff_id;
      }
      return { governor, supervisor };
    },
    governors: (versionId: number, now: number): Map<string, number> =>
      new Map(governors.all({ version: versionId, now }).map((r) => [r.block_code, r.staff_id])),
    units: () => units.all(),
    unitHandlers: (unitId: number, now: number): number[] => unitHandlers.all({ unit: unitId, now }).map((r) => r.staff_id),
    /** Open cases per staff member, for these staff. */
    openLoad(staffIds: readonly number[]): Map<number, number> {
      const out = new Map<number, number>(staffIds.map((id) => [id, 0]));
      if (staffIds.length === 0) return out;
      const rows = prepare(`SELECT assignee_id AS id, count(*) AS n FROM events WHERE ${OPEN_ASSIGNED_WHERE} AND assignee_id IN (${placeholders(staffIds.length)}) GROUP BY assignee_id`)
        .all(...staffIds) as { id: number; n: number }[];
      for (const r of rows) out.set(r.id, r.n);
      return out;
    },
    /** Open cases neither warned nor breached whose stored warning instant is at or before now. */
    warningDue: (now: number): OpenDueRow[] => warnDue.all(now),
    /** Open cases not yet breached that are due at or before now. */
    breachDue: (now: number): OpenDueRow[] => breachDue.all(now),
    /** Resolved cases whose verification deadline is at or before now and not yet marked (核查超期). */
    verifyDue: (now: number): OpenDueRow[] => verifyDue.all(now),
    /** Up to `limit` open cases, neither warned nor breached, whose warning instant is not stored yet. */
    warnAtMissing: (limit: number): WarnBackfillRow[] => warnMissing.all(limit),
    /** Stores a case's warning instant unless one is stored already; true when written. */
    setWarnAt: (id: number, warnAt: number): boolean => setWarnAt.run(warnAt, id).changes > 0,
  };
}

export type EventCommands = ReturnType<typeof eventCommands>;

/** Summary columns as queries/events.ts selects them (so routes/present.ts maps these rows too). */
const SUMMARY = `
  e.id, e.case_no, e.kind, e.channel, e.category_code, cat.name AS category_name, e.status, e.priority, e.tier,
  e.lon, e.lat, e.block_code, e.community_code, e.subdistrict_code, e.reported_at, e.due_at, e.closed_at,
  e.assignee_id, a.name AS assignee_name, e.warned_at, e.breached_at, e.escalation_level, e.extension_pending,
  cat.warning_ratio, cat.deadline_unit`;

/** An open case on the overdue board: the summary row plus its escalation state and its category's clock. */
export interface DueRow extends Omit<EventSummaryRow, 'status'> {
  status: 'reported' | 'filed' | 'dispatched' | 'accepted' | 'arrived' | 'resolved';
  warned_at: number | null;
  breached_at: number | null;
  escalation_level: number;
  extension_pending: 0 | 1;
  warning_ratio: number;
  deadline_unit: 'working-hours' | 'working-days' | 'natural-hours';
}

/** Reads of open cases on the clock by due time (the overdue board), through the events_open_due partial index. */
export function dueQueries(db: Db) {
  const from = `FROM events e JOIN categories cat ON cat.code = e.category_code LEFT JOIN staff a ON a.id = e.assignee_id`;
  const overdue = db.prepare<[number, number], DueRow>(
    `SELECT ${SUMMARY} ${from} WHERE ${CLOCK_WHERE} AND e.due_at < ? ORDER BY e.due_at, e.id LIMIT ?`,
  );
  const notYetDue = db.prepare<[number], DueRow>(
    `SELECT ${SUMMARY} ${from} WHERE ${CLOCK_WHERE} AND e.due_at >= ? ORDER BY e.due_at, e.id`,
  );
  const countOverdue = db.prepare<[number], { n: number }>(`SELECT count(*) AS n FROM events e WHERE ${CLOCK_WHERE} AND e.due_at < ?`);
  return {
    /** Open cases past due, most overdue first. */
    overdue: (now: number, limit: number): DueRow[] => overdue.all(now, limit),
    countOverdue: (now: number): number => countOverdue.get(now)!.n,
    /** Open cases not yet due, soonest due first (the caller picks those in warning). */
    notYetDue: (now: number): DueRow[] => notYetDue.all(now),
  };
}
