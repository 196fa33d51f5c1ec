/**
 * Automatic escalation on the working-time clock (督办·升级). Pure.
 *
 * A case's allowed time runs from reported_at to due_at. It enters warning (预警, escalation level 1) once
 * `warning_ratio` of that time has passed — counted in working time for working-hour and working-day deadlines, in
 * clock time for natural-hour ones — and breach (超期, level 2) at due_at. Each step happens once per case; a case
 * found already past due gets both steps at once (warning first). Only open cases escalate.
 */
import { isOpenStatus, type LogRow, type Status } from './lifecycle.ts';
import type { DeadlineUnit } from '../contract/taxonomy.ts';
import { addWorkingTime, DEFAULT_CALENDAR, workingMsBetween, type WorkCalendar } from './working-time.ts';

export const WARNING_LEVEL = 1;
export const BREACH_LEVEL = 2;
export const WARNING_NOTE = '预警：处置时限将到';
export const BREACH_NOTE = '超期，升级督办';

export interface EscalationState {
  status: Status;
  assignee_id: number | null;
  reported_at: number;
  due_at: number;
  warned_at: number | null;
  breached_at: number | null;
  escalation_level: number;
}

export interface EscalationChanges {
  warned_at?: number;
  breached_at?: number;
  escalation_level?: number;
  escalated?: 1;
}

export interface EscalationStep {
  level: 1 | 2;
  changes: EscalationChanges;
  log: LogRow;
}

/** The instant a case enters warning: reported_at + ratio × (due_at − reported_at), in working time unless natural hours. */
export function warningAt(
  reportedAt: number,
  dueAt: number,
  ratio: number,
  unit: DeadlineUnit,
  calendar: WorkCalendar = DEFAULT_CALENDAR,
): number {
  if (dueAt <= reportedAt) return dueAt;
  if (unit === 'natural-hours') return reportedAt + Math.round(ratio * (dueAt - reportedAt));
  const working = workingMsBetween(reportedAt, dueAt, calendar);
  if (working === 0) return reportedAt + Math.round(ratio * (dueAt - reportedAt));
  const at = addWorkingTime(reportedAt, (ratio * working) / 3_600_000, 'working-hours', calendar);
  return Math.min(at, dueAt);
}

/**
 * The escalation steps due at `now` for one case (none, warning, breach, or both), with the column changes (merged
 * in `changes`) and one system log row per step (from = to = current status, the current assignee).
 */
export function escalationSteps(
  state: EscalationState,
  now: number,
  warningTime: number,
): { steps: EscalationStep[]; changes: EscalationChanges } {
  const steps: EscalationStep[] = [];
  const changes: EscalationChanges = {};
  if (!isOpenStatus(state.status)) return { steps, changes };
  const row = (note: string): LogRow => ({
    at: now, actor_id: null, actor_role: 'system', from_status: state.status, to_status: state.status, assignee_id: state.assignee_id, note,
  });
  if (state.warned_at === null && state.breached_at === null && now >= warningTime) {
    const c: EscalationChanges = { warned_at: now, escalation_level: Math.max(state.escalation_level, WARNING_LEVEL) };
    steps.push({ level: 1, changes: c, log: row(WARNING_NOTE) });
    Object.assign(changes, c);
  }
  if (state.breached_at === null && now >= state.due_at) {
    const c: EscalationChanges = { breached_at: now, escalation_level: BREACH_LEVEL, escalated: 1 };
    steps.push({ level: 2, changes: c, log: row(BREACH_NOTE) });
    Object.assign(changes, c);
  }
  return { steps, changes };
}

/** When this case next needs the sweeper (its next threshold), or null when nothing is left to do. */
export function nextEscalationAt(state: EscalationState, warningTime: number): number | null {
  if (!isOpenStatus(state.status) || state.breached_at !== null) return null;
  if (state.warned_at === null) return Math.min(warningTime, state.due_at);
  return state.due_at;
}
