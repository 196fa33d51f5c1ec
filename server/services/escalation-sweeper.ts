/**
 * The escalation sweeper: every `intervalMs` it finds open cases that crossed their warning threshold (预警) or
 * their due time (超期) and escalates each once — columns, a system log row and a live message per step, one
 * transaction per sweep — then wakes the live hub. Each case's warning instant is stored with it (warn_at, set when
 * the report is written and when an extension moves its due time), so a sweep reads only the cases whose step has
 * come, through partial indexes, however many open cases are still far from theirs; rows from before warn_at was
 * stored get it filled in a chunk per sweep.
 *
 * 处置超期 and 核查超期 are swept apart (see domain/escalation.ts): cases before resolution against due_at, resolved
 * cases against their verification deadline (verify_due_at); suspended cases not at all.
 */
import { eventCommands, type EventCommands } from '../db/commands/events.ts';
import type { Db } from '../db/database.ts';
import { escalationSteps, warningAt, type EscalationState } from '../domain/escalation.ts';
import { DEFAULT_CALENDAR, type WorkCalendar } from '../domain/working-time.ts';
import { appendLiveMessage } from '../live/messages.ts';
import { enqueueCaseNotice } from '../notify/outbox.ts';
import { toIso } from '../time.ts';
import type { LiveNotifier } from './context.ts';

export interface SweeperOptions {
  db: Db;
  now?: () => number;
  live?: LiveNotifier;
  /** Time between sweeps (default 30 s). */
  intervalMs?: number;
  calendar?: WorkCalendar;
  /** Called with each sweep's error (default: console.error); the sweeper keeps running. */
  onError?: (err: unknown) => void;
}

export interface SweepResult {
  warned: number;
  /** 处置超期: the handler's. */
  breached: number;
  /** 核查超期: the verifier's. */
  verifyBreached: number;
}

const commands = new WeakMap<Db, EventCommands>();

/** Rows per sweep whose missing warning instant is filled in (rows from before it was stored). */
export const WARN_BACKFILL_CHUNK = 500;

function commandsOf(db: Db): EventCommands {
  let cmd = commands.get(db);
  if (!cmd) commands.set(db, (cmd = eventCommands(db)));
  return cmd;
}

/**
 * Fills in warn_at for up to `limit` open, unwarned cases that lack it: computed outside any transaction, written
 * in one short one (a row whose warn_at was set meanwhile, by an approved extension, keeps that). Returns how many
 * were written; old databases converge a chunk per sweep without one long stall.
 */
export function backfillWarnAt(db: Db, limit = WARN_BACKFILL_CHUNK, calendar: WorkCalendar = DEFAULT_CALENDAR): number {
  const cmd = commandsOf(db);
  const rows = cmd.warnAtMissing(limit);
  if (rows.length === 0) return 0;
  const values = rows.map((r) => warningAt(r.reported_at, r.due_at, r.warning_ratio, r.deadline_unit, calendar));
  return db.transaction(() => {
    let n = 0;
    for (let i = 0; i < rows.length; i++) if (cmd.setWarnAt(rows[i].id, values[i])) n++;
    return n;
  }).immediate();
}

/**
 * One sweep at `now`: escalates every case that is due for it. Exposed for tests and the CLI. Reads only the cases
 * whose warning instant (warn_at) or due time has come, through partial indexes; first fills in at most
 * `backfillLimit` missing warning instants.
 */
export function sweepEscalations(
  db: Db,
  now: number,
  live?: LiveNotifier,
  calendar: WorkCalendar = DEFAULT_CALENDAR,
  backfillLimit = WARN_BACKFILL_CHUNK,
): SweepResult {
  const cmd = commandsOf(db);
  if (backfillLimit > 0) backfillWarnAt(db, backfillLimit, calendar);
  const result: SweepResult = { warned: 0, breached: 0, verifyBreached: 0 };
  db.transaction(() => {
    // Past due (a case not yet warned gets both steps there) and, once each, the others whose warning has come.
    const due = cmd.breachDue(now);
    const seen = new Set<number>();
    for (const r of due) seen.add(r.id);
    const rows = due;
    for (const r of cmd.warningDue(now)) if (!seen.has(r.id)) rows.push(r);
    rows.push(...cmd.verifyDue(now)); // resolved cases: never in the two reads above
    rows.sort((a, b) => a.id - b.id); // case order, as one read of all open cases gave it
    for (const r of rows) {
      const state: EscalationState = r;
      // Stored when the case was written or its due time moved; computed for rows from before it was stored.
      const warnAt = r.warn_at ?? warningAt(r.reported_at, r.due_at, r.warning_ratio, r.deadline_unit, calendar);
      const { steps, changes } = escalationSteps(state, now, warnAt);
      if (steps.length === 0) continue;
      cmd.updateEvent(r.id, changes as Record<string, unknown>);
      for (const s of steps) {
        cmd.insertLog({ event_id: r.id, ...s.log });
        const where = {
          id: r.id, caseNo: r.case_no, from: r.status, to: r.status, actorId: null, assigneeId: r.assignee_id, tier: r.tier,
          blockCode: r.block_code, subdistrictCode: r.subdistrict_code, lon: r.lon, lat: r.lat, dueAt: toIso(r.due_at),
        };
        const place = { subdistrictCode: r.subdistrict_code, blockCode: r.block_code, unitId: r.unit_id };
        if (s.level === 'verify') {
          appendLiveMessage(db, 'event.transitioned', { ...where, transition: 'verify-breach', verifyDueAt: toIso(r.verify_due_at!) }, now);
          enqueueCaseNotice(db, { kind: 'breach', eventId: r.id, transition: 'verify-breach', at: now, verifyDueAt: r.verify_due_at }, place);
          result.verifyBreached++;
          continue;
        }
        appendLiveMessage(db, 'event.transitioned', {
          ...where, transition: s.level === 1 ? 'warning' : 'breach', escalationLevel: s.level, warningAt: toIso(warnAt),
        }, now);
        enqueueCaseNotice(db, { kind: s.level === 1 ? 'warning' : 'breach', eventId: r.id, transition: s.level === 1 ? 'warning' : 'breach', at: now }, place);
        if (s.level === 1) result.warned++;
        else result.breached++;
      }
    }
  }).immediate();
  if (result.warned + result.breached + result.verifyBreached > 0) live?.notify();
  return result;
}

/** Starts sweeping now and every intervalMs; returns stop(). */
export function startEscalationSweeper(options: SweeperOptions): () => void {
  const now = options.now ?? Date.now;
  const onError = options.onError ?? ((err: unknown) => console.error('escalation sweep failed:', err));
  const run = () => {
    try {
      sweepEscalations(options.db, now(), options.live, options.calendar);
    } catch (err) {
      onError(err);
    }
  };
  const first = setImmediate(run);
  const timer = setInterval(run, options.intervalMs ?? 30_000);
  timer.unref();
  return () => {
    clearImmediate(first);
    clearInterval(timer);
  };
}

