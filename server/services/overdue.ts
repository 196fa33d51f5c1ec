/**
 * The overdue board: open cases past their due time, most overdue first, and — on request — the cases in warning
 * (past their warning threshold, not yet due), soonest due first. Warning is computed here from the category's
 * warning ratio on the working-time clock, so the board is right even between two sweeps.
 */
import { dueQueries, type DueRow } from '../db/commands/events.ts';
import type { Db } from '../db/database.ts';
import { warningAt } from '../domain/escalation.ts';
import { DEFAULT_CALENDAR, type WorkCalendar } from '../domain/working-time.ts';

export interface DueItem {
  row: DueRow;
  level: 'overdue' | 'warning';
  warningAt: number;
  /** ms past due (overdue) or left until due (warning, negative). */
  overdueMs: number;
}

export function createOverdueService(db: Db, calendar: WorkCalendar = DEFAULT_CALENDAR) {
  const q = dueQueries(db);
  const warn = (r: DueRow) => warningAt(r.reported_at, r.due_at, r.warning_ratio, r.deadline_unit, calendar);
  return {
    list(now: number, options: { includeWarning: boolean; limit: number }): { items: DueItem[]; overdue: number; warning: number | null } {
      const items: DueItem[] = q.overdue(now, options.limit).map((row) => ({ row, level: 'overdue', warningAt: warn(row), overdueMs: now - row.due_at }));
      let warning: number | null = null;
      if (options.includeWarning) {
        warning = 0;
        for (const row of q.notYetDue(now)) {
          const w = warn(row);
          if (w > now) continue;
          warning++;
          if (items.length < options.limit) items.push({ row, level: 'warning', warningAt: w, overdueMs: now - row.due_at });
        }
      }
      return { items, overdue: q.countOverdue(now), warning };
    },
  };
}
