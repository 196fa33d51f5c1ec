/**
 * "On time", defined once. Every figure that says a case was on time or late — the wall's KPI strip, the overdue
 * hotspots, the review indicators, the insight ranking — uses these definitions, so the same case never counts as on
 * time in one place and late in another. The SQL spelling of the same rules is in db/queries/on-time-sql.ts, and a
 * test holds the two to the same answers on a hand-built set of cases.
 *
 * A case passes two clocks, owned by two people (管办分离):
 * - 处置 (handling), the handler's: the case must be resolved (处置反馈) by its deadline `due_at`.
 *     处置按期  resolved_at ≤ due_at
 *     处置超期  resolved after due_at, or not resolved and now > due_at
 * - 核查 (verification), the verifier's: once resolved, the case must be verified and closed within the
 *   verification window, `verify_due_at` = resolved_at + VERIFY_WINDOW on the working-time calendar (stored on the
 *   case when it is resolved, cleared when verification sends it back as rework).
 *     核查按期  closed_at ≤ verify_due_at
 *     核查超期  closed after verify_due_at, or resolved, not closed, and now > verify_due_at
 * A handler who resolved on time is never late because verification was late, and vice versa.
 *
 * 按期结案 (closed on time) = handled on time and verified on time: the whole loop kept its limits.
 * 按期结案率 (on-time closure rate) for a period = closed on time / cases due in the period whose outcome is known.
 * "Due in the period" is by due_at, not by closing time, so an open case past its deadline counts as late — a
 * unit cannot raise its rate by leaving late cases open. A case whose outcome is not yet known (not yet due; or
 * resolved on time and still inside its verification window) is left out until it is. Rejected reports are not
 * cases and are never counted, nor are voided ones (作废); a suspended case (挂账) is undecided while its clock is
 * stopped.
 *
 * A case without a deadline (imported from a system that recorded none, in a category the taxonomy does not map)
 * stores due_at = NO_DEADLINE: it is never due, never overdue, and left out of every on-time figure.
 */
import { hasDeadline as hasDueAt, NO_DEADLINE } from '../contract/deadline.ts';
import { NOT_A_CASE_STATUSES, PAUSED_STATUSES, type Status } from '../contract/statuses.ts';
import { addWorkingTime, DEFAULT_CALENDAR, type WorkCalendar } from './working-time.ts';

/** The verification window (核查时限): one working day from resolution. */
export const VERIFY_WINDOW = { value: 1, unit: 'working-days' } as const;

/** The case times the definitions read (epoch ms; null = not yet). */
export interface CaseClock {
  status: string;
  due_at: number;
  resolved_at: number | null;
  closed_at: number | null;
  verify_due_at: number | null;
}

export { NO_DEADLINE };
const hasDeadline = (c: Pick<CaseClock, 'due_at'>): boolean => hasDueAt(c.due_at);

/** Statuses that are not cases for on-time purposes: a report refused at filing, a case voided (作废) after it. */
export const NOT_A_CASE: readonly Status[] = NOT_A_CASE_STATUSES;

/** The verification deadline of a case resolved at `resolvedAt`. */
export function verifyDueAt(resolvedAt: number, calendar: WorkCalendar = DEFAULT_CALENDAR): number {
  return addWorkingTime(resolvedAt, VERIFY_WINDOW.value, VERIFY_WINDOW.unit, calendar);
}

/** 处置: true = on time, false = late, null = not decided yet (unresolved and not yet due). */
export function handlingOnTime(c: CaseClock, now: number): boolean | null {
  if (!hasDeadline(c)) return null;
  // 挂账: the clock is stopped while suspended (resuming moves due_at by the pause), so nothing is decided meanwhile.
  if (c.resolved_at === null && (PAUSED_STATUSES as readonly string[]).includes(c.status)) return null;
  if (c.resolved_at !== null) return c.resolved_at <= c.due_at;
  return now > c.due_at ? false : null;
}

/** 核查: true = on time, false = late, null = not decided yet (not resolved, or inside the window). */
export function verificationOnTime(c: CaseClock, now: number): boolean | null {
  if (c.resolved_at === null || c.verify_due_at === null) return null;
  if (c.closed_at !== null) return c.closed_at <= c.verify_due_at;
  return now > c.verify_due_at ? false : null;
}

/** 按期结案: true = closed with both clocks kept, false = late on either, null = not decided yet. */
export function closedOnTime(c: CaseClock, now: number): boolean | null {
  if ((NOT_A_CASE as readonly string[]).includes(c.status) || !hasDeadline(c)) return null;
  const handled = handlingOnTime(c, now);
  if (handled === false) return false;
  const verified = verificationOnTime(c, now);
  if (verified === false) return false;
  if (handled === true && verified === true) return true;
  return null;
}

export interface OnTimeTally {
  /** Cases due in the period whose outcome is known. */
  decided: number;
  /** Of those, closed on time. */
  onTime: number;
  /** decided − onTime: handled late, verified late, or still open past a deadline. */
  late: number;
  /** 按期结案率 = onTime / decided; null when nothing is decided yet. */
  rate: number | null;
}

/** 按期结案率 over the cases due in [from, to) (and by `now`), by the definitions above. */
export function onTimeClosure(cases: Iterable<CaseClock>, from: number, to: number, now: number): OnTimeTally {
  let decided = 0;
  let onTime = 0;
  for (const c of cases) {
    if (c.due_at < from || c.due_at >= to) continue;
    const ok = closedOnTime(c, now);
    if (ok === null) continue;
    decided++;
    if (ok) onTime++;
  }
  return { decided, onTime, late: decided - onTime, rate: decided ? onTime / decided : null };
}
