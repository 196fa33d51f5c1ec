/** The deadline (处置时限) of a new case: its category's allowance counted on the working-time calendar. */
import type { Category } from '../contract/taxonomy.ts';
import { addWorkingTime, DEFAULT_CALENDAR, type WorkCalendar } from './working-time.ts';

/** The deadline (处置时限) of a case reported at `at`. */
export function dueAtFor(category: Category, at: number, calendar: WorkCalendar = DEFAULT_CALENDAR): number {
  return addWorkingTime(at, category.deadline.value, category.deadline.unit, calendar);
}
