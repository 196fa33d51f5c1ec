/**
 * The working-time clock for deadlines (处置时限). Pure; the default calendar is fixed when the module loads.
 *
 * Default calendar (`DEFAULT_CALENDAR`): Monday–Friday 08:30–12:00 and 14:30–17:30 Asia/Shanghai (UTC+8, no
 * daylight saving) with China's official holidays and their 调休 make-up working days (calendar.ts; the periods can
 * be changed with GEZHI_WORK_HOURS). `WEEKDAY_CALENDAR` is the same without holidays. A calendar is an object with
 * an `isWorkingDay` predicate, so other calendars plug in without touching the arithmetic here.
 */
import type { DeadlineUnit } from '../contract/taxonomy.ts';
import { PROCESS_CALENDAR } from './calendar.ts';
import type { LocalDay, WorkCalendar } from './work-calendar.ts';

export { CHINA_CALENDAR, WEEKDAY_CALENDAR } from './calendar.ts';
export type { LocalDay, WorkCalendar } from './work-calendar.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * The calendar every function here uses when none is passed: China's holidays on the configured periods
 * (CHINA_CALENDAR unless GEZHI_WORK_HOURS is set).
 */
export const DEFAULT_CALENDAR: WorkCalendar = PROCESS_CALENDAR;

/** The working-day test of a calendar as a function of the day number. */
function workingDayTest(calendar: WorkCalendar): (dayNumber: number) => boolean {
  if (calendar.isWorkingDayNumber) return calendar.isWorkingDayNumber.bind(calendar);
  return (dayNumber) => calendar.isWorkingDay(localDayOf(dayNumber));
}

/**
 * The seam for the holiday calendar: dates listed as `false` are days off (法定节假日), dates listed as `true` are
 * working days (调休 make-up days, often weekends); every other date follows the base calendar.
 */
export function withDayExceptions(base: WorkCalendar, exceptions: ReadonlyMap<string, boolean>): WorkCalendar {
  const byDayNumber = new Map<number, boolean>();
  for (const [iso, working] of exceptions) {
    const t = Date.parse(`${iso}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(iso) || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== iso) {
      throw new RangeError(`withDayExceptions: "${iso}" is not a real YYYY-MM-DD date`);
    }
    byDayNumber.set(t / DAY, working);
  }
  const baseTest = workingDayTest(base);
  const isWorkingDayNumber = (dn: number): boolean => byDayNumber.get(dn) ?? baseTest(dn);
  return {
    utcOffsetMinutes: base.utcOffsetMinutes,
    periods: base.periods,
    isWorkingDay: (d) => isWorkingDayNumber(d.dayNumber),
    isWorkingDayNumber,
  };
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The local day of a day number (days since the local epoch). */
export function localDayOf(dayNumber: number): LocalDay {
  const d = new Date(dayNumber * DAY);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  return { dayNumber, year, month, day, weekday: d.getUTCDay(), iso: `${year}-${pad(month)}-${pad(day)}` };
}

/** Local day number of an instant. */
export function localDayNumber(ms: number, calendar: WorkCalendar = DEFAULT_CALENDAR): number {
  return Math.floor((ms + calendar.utcOffsetMinutes * MINUTE) / DAY);
}

/** UTC instant of local midnight starting a day number. */
export function localMidnight(dayNumber: number, calendar: WorkCalendar = DEFAULT_CALENDAR): number {
  return dayNumber * DAY - calendar.utcOffsetMinutes * MINUTE;
}

/** Working milliseconds in one working day of the calendar (6.5 h by default). */
export function workingMsPerDay(calendar: WorkCalendar = DEFAULT_CALENDAR): number {
  let total = 0;
  for (const [a, b] of calendar.periods) total += (b - a) * MINUTE;
  return total;
}

const MAX_DAYS = 3_660;

/**
 * The instant `value` units of time after `startMs`.
 * - natural-hours: plain clock hours.
 * - working-hours: only time inside the calendar's working periods counts; a start outside them waits for the next.
 * - working-days: value × the working hours of one working day (1 working day from Monday 10:00 is Tuesday 10:00).
 */
export function addWorkingTime(startMs: number, value: number, unit: DeadlineUnit, calendar: WorkCalendar = DEFAULT_CALENDAR): number {
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`addWorkingTime: bad value ${value}`);
  if (unit === 'natural-hours') return startMs + Math.round(value * HOUR);
  let remaining = Math.round(unit === 'working-hours' ? value * HOUR : value * workingMsPerDay(calendar));
  if (remaining === 0) return startMs;
  const isWorking = workingDayTest(calendar);
  let dayNumber = localDayNumber(startMs, calendar);
  for (let i = 0; i < MAX_DAYS; i++, dayNumber++) {
    if (!isWorking(dayNumber)) continue;
    const midnight = localMidnight(dayNumber, calendar);
    for (const [a, b] of calendar.periods) {
      const periodEnd = midnight + b * MINUTE;
      const from = Math.max(startMs, midnight + a * MINUTE);
      if (from >= periodEnd) continue;
      const available = periodEnd - from;
      if (remaining <= available) return from + remaining;
      remaining -= available;
    }
  }
  throw new RangeError('addWorkingTime: no working time in ten years; check the calendar');
}

/** Working milliseconds between two instants (0 if end ≤ start). */
export function workingMsBetween(startMs: number, endMs: number, calendar: WorkCalendar = DEFAULT_CALENDAR): number {
  if (endMs <= startMs) return 0;
  let total = 0;
  const isWorking = workingDayTest(calendar);
  const last = localDayNumber(endMs, calendar);
  for (let dayNumber = localDayNumber(startMs, calendar); dayNumber <= last; dayNumber++) {
    if (!isWorking(dayNumber)) continue;
    const midnight = localMidnight(dayNumber, calendar);
    for (const [a, b] of calendar.periods) {
      const from = Math.max(startMs, midnight + a * MINUTE);
      const to = Math.min(endMs, midnight + b * MINUTE);
      if (to > from) total += to - from;
    }
  }
  return total;
}
