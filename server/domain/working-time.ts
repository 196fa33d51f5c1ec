/**
 * The working-time clock for deadlines (处置时限). Pure.
 *
 * Default calendar: Monday–Friday 08:30–12:00 and 14:30–17:30 Asia/Shanghai (UTC+8, no daylight saving).
 * Official holidays and their 调休 make-up working days are not applied yet: a calendar is an object with an
 * `isWorkingDay` predicate, so a later holiday data file plugs in through `withDayExceptions` without touching
 * the arithmetic here.
 */
import type { DeadlineUnit } from './taxonomy.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface LocalDay {
  /** Days since 1970-01-01 in local time. */
  dayNumber: number;
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  /** 'YYYY-MM-DD' */
  iso: string;
}

export interface WorkCalendar {
  /** Offset of local time from UTC in minutes (Asia/Shanghai: 480). */
  utcOffsetMinutes: number;
  /** Working periods of a working day as [start, end) minutes after local midnight, ascending, non-overlapping. */
  periods: readonly (readonly [number, number])[];
  isWorkingDay(day: LocalDay): boolean;
}

export const DEFAULT_CALENDAR: WorkCalendar = {
  utcOffsetMinutes: 480,
  periods: [
    [8 * 60 + 30, 12 * 60],
    [14 * 60 + 30, 17 * 60 + 30],
  ],
  isWorkingDay: (d) => d.weekday >= 1 && d.weekday <= 5,
};

/**
 * The seam for the holiday calendar: dates listed as `false` are days off (法定节假日), dates listed as `true` are
 * working days (调休 make-up days, often weekends); every other date follows the base calendar.
 */
export function withDayExceptions(base: WorkCalendar, exceptions: ReadonlyMap<string, boolean>): WorkCalendar {
  return {
    utcOffsetMinutes: base.utcOffsetMinutes,
    periods: base.periods,
    isWorkingDay: (d) => exceptions.get(d.iso) ?? base.isWorkingDay(d),
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
  let dayNumber = localDayNumber(startMs, calendar);
  for (let i = 0; i < MAX_DAYS; i++, dayNumber++) {
    if (!calendar.isWorkingDay(localDayOf(dayNumber))) continue;
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
  const last = localDayNumber(endMs, calendar);
  for (let dayNumber = localDayNumber(startMs, calendar); dayNumber <= last; dayNumber++) {
    if (!calendar.isWorkingDay(localDayOf(dayNumber))) continue;
    const midnight = localMidnight(dayNumber, calendar);
    for (const [a, b] of calendar.periods) {
      const from = Math.max(startMs, midnight + a * MINUTE);
      const to = Math.min(endMs, midnight + b * MINUTE);
      if (to > from) total += to - from;
    }
  }
  return total;
}
