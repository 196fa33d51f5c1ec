import { describe, expect, it } from 'vitest';
import {
  addWorkingTime,
  withDayExceptions,
  workingMsBetween,
  WEEKDAY_CALENDAR,
  type WorkCalendar,
} from '../../server/domain/working-time.ts';

/** Local Asia/Shanghai wall time → UTC ms. */
const at = (iso: string): number => Date.parse(`${iso}+08:00`);
const HOUR = 3_600_000;

describe('addWorkingTime', () => {
  it('counts natural hours on the plain clock', () => {
    expect(addWorkingTime(at('2026-11-28T23:30:00'), 1, 'natural-hours')).toBe(at('2026-11-29T00:30:00'));
  });

  it('stays inside one working period', () => {
    // Wednesday 2026-11-25
    expect(addWorkingTime(at('2026-11-25T09:00:00'), 2, 'working-hours')).toBe(at('2026-11-25T11:00:00'));
  });

  it('skips the lunch break', () => {
    expect(addWorkingTime(at('2026-11-25T11:00:00'), 2, 'working-hours')).toBe(at('2026-11-25T15:30:00'));
  });

  it('starts at the next opening when reported at night', () => {
    expect(addWorkingTime(at('2026-11-25T22:00:00'), 4, 'working-hours')).toBe(at('2026-11-26T15:00:00'));
  });

  it('skips the weekend', () => {
    // Friday 16:30 + 4 working hours: 1 h on Friday, 3 h on Monday morning
    expect(addWorkingTime(at('2026-11-27T16:30:00'), 4, 'working-hours')).toBe(at('2026-11-30T11:30:00'));
  });

  it('treats a working day as the working hours of one day', () => {
    expect(addWorkingTime(at('2026-11-23T10:00:00'), 1, 'working-days')).toBe(at('2026-11-24T10:00:00'));
    expect(addWorkingTime(at('2026-11-27T10:00:00'), 3, 'working-days')).toBe(at('2026-12-02T10:00:00'));
  });

  it('lands exactly at the end of a period when the time runs out there', () => {
    expect(addWorkingTime(at('2026-11-25T08:30:00'), 3.5, 'working-hours')).toBe(at('2026-11-25T12:00:00'));
  });

  it('accepts a holiday calendar through the seam', () => {
    const cal = withDayExceptions(WEEKDAY_CALENDAR, new Map([['2026-11-26', false], ['2026-11-28', true]]));
    // Wednesday 17:00 + 1 h: 0.5 h Wednesday, Thursday is a holiday, 0.5 h Friday
    expect(addWorkingTime(at('2026-11-25T17:00:00'), 1, 'working-hours', cal)).toBe(at('2026-11-27T09:00:00'));
    // Friday 17:00 + 1 h: Saturday is a make-up working day
    expect(addWorkingTime(at('2026-11-27T17:00:00'), 1, 'working-hours', cal)).toBe(at('2026-11-28T09:00:00'));
  });

  it('rejects an exception that is not a real date', () => {
    expect(() => withDayExceptions(WEEKDAY_CALENDAR, new Map([['2026-02-30', false]]))).toThrow(/not a real YYYY-MM-DD/);
  });

  it('works with a calendar that only has the LocalDay predicate', () => {
    // Mondays off, nothing else: Friday 17:00 + 1 h → 0.5 h Friday, then Saturday 08:30 + 0.5 h.
    const cal: WorkCalendar = { utcOffsetMinutes: 480, periods: WEEKDAY_CALENDAR.periods, isWorkingDay: (d) => d.weekday !== 1 };
    expect(addWorkingTime(at('2026-11-27T17:00:00'), 1, 'working-hours', cal)).toBe(at('2026-11-28T09:00:00'));
    expect(workingMsBetween(at('2026-11-27T17:00:00'), at('2026-11-28T09:00:00'), cal)).toBe(HOUR);
  });

  it('is the inverse of workingMsBetween', () => {
    const start = at('2026-11-20T13:17:00');
    for (const h of [0.5, 3, 6.5, 20, 47.25]) {
      const end = addWorkingTime(start, h, 'working-hours');
      expect(workingMsBetween(start, end)).toBe(Math.round(h * HOUR));
    }
  });
});
