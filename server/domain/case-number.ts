/** Case numbers (案卷号): the district's letters, the local day and a daily sequence, e.g. 'YH2026112500007'. */
import { DEFAULT_CALENDAR, localDayNumber, localDayOf, type WorkCalendar } from './working-time.ts';

/** 'YH20261125': the case-number prefix of the local day of `at`. */
export function caseNoPrefix(at: number, district = 'YH', calendar: WorkCalendar = DEFAULT_CALENDAR): string {
  return `${district}${localDayOf(localDayNumber(at, calendar)).iso.replaceAll('-', '')}`;
}

/** The case number after the day's highest one ('YH2026112500007' → 'YH2026112500008'). */
export function caseNo(prefix: string, seq: number): string {
  return `${prefix}${String(seq).padStart(5, '0')}`;
}

/** The daily sequence of a case number of this prefix (0 when none). */
export function caseSeq(prefix: string, last: string | null | undefined): number {
  if (!last || !last.startsWith(prefix)) return 0;
  const n = Number(last.slice(prefix.length));
  return Number.isSafeInteger(n) ? n : 0;
}
