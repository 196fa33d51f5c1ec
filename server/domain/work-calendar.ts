/** What a working-time calendar is (working-time.ts does the arithmetic, calendar.ts builds China's). */
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
  /** Optional fast path: the same answer from the local day number alone, without building a LocalDay. */
  isWorkingDayNumber?(dayNumber: number): boolean;
}
