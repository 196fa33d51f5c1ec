/**
 * Working-time calendars: the daily working periods and China's official holidays (法定节假日) with their 调休
 * make-up working days, from the State Council General Office's yearly notices (holidays-cn.json).
 *
 * - `CHINA_CALENDAR`: Monday–Friday 08:30–12:00 and 14:30–17:30 Asia/Shanghai, minus the days off of the notices,
 *   plus their make-up working days (often a Saturday or Sunday). It is the default calendar of working-time.ts.
 * - Outside the years the holiday file covers (2022–2026) a day is a working day exactly when it is Monday–Friday:
 *   no holidays are guessed. Extend holidays-cn.json when the State Council publishes the next year's notice
 *   (usually in November).
 * - `WEEKDAY_CALENDAR`: the same periods without holidays (plain Monday–Friday), for tests and comparisons.
 * - The daily working periods can be set with the environment variable GEZHI_WORK_HOURS, read in one place only
 *   (`calendarFromEnv`), e.g. GEZHI_WORK_HOURS="08:30-12:00,14:30-17:30" (the default) or "09:00-12:00,13:30-18:00".
 *   A malformed value stops the server at start-up with the reason.
 *
 * Holiday lookups are O(1) (sets of local day numbers), so deadline arithmetic stays fast in bulk.
 */
import rawHolidays from './holidays-cn.json' with { type: 'json' };
import type { LocalDay, WorkCalendar } from './work-calendar.ts';

const DAY = 86_400_000;

/** One dated entry of the holiday file. */
export interface HolidayEntry {
  /** 'YYYY-MM-DD', local (Asia/Shanghai) date. */
  date: string;
  /** The holiday's name (元旦, 春节 …); make-up days carry the name with 调休 appended. */
  name: string;
}

/** One year's notice: the days off and the make-up working days. */
export interface HolidayYear {
  /** Title of the notice the year comes from. */
  notice?: string;
  /** Days off: statutory holidays and the days bridged to them (放假调休), as the notice lists them. */
  off: HolidayEntry[];
  /** Make-up working days (调休上班), always a Saturday or Sunday. */
  work: HolidayEntry[];
}

/** The holiday file: a source line and the years it covers, keyed by 'YYYY'. */
export interface HolidayFile {
  source: string;
  years: Record<string, HolidayYear>;
}

/** A day that differs from the Monday–Friday rule, or is a named holiday anyway. */
export interface DayException {
  working: boolean;
  name: string;
}

/** A work calendar that knows its holidays. */
export interface HolidayCalendar extends WorkCalendar {
  /** First and last year the holiday file covers, or null when the calendar has no holidays. */
  readonly holidayYears: readonly [number, number] | null;
  /** The holiday entry of a local day (a day off or a make-up working day), if any. */
  exceptionOn(dayNumber: number): DayException | undefined;
}

/** Default daily working periods, as GEZHI_WORK_HOURS would spell them. */
export const DEFAULT_PERIODS = '08:30-12:00,14:30-17:30';

/** Asia/Shanghai: UTC+8, no daylight saving. */
const UTC_OFFSET_MINUTES = 480;

/** 0 = Sunday … 6 = Saturday, from days since 1970-01-01 (a Thursday). */
function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

function isWeekday(dayNumber: number): boolean {
  const w = weekdayOf(dayNumber);
  return w >= 1 && w <= 5;
}

function formatMinutes(m: number): string {
  const h = Math.floor(m / 60);
  const mm = m % 60;
  return `${h < 10 ? '0' : ''}${h}:${mm < 10 ? '0' : ''}${mm}`;
}

const PERIOD_RE = /^(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})$/;

/**
 * Parses daily working periods: comma-separated `HH:MM-HH:MM` ranges in ascending order, e.g.
 * "08:30-12:00,14:30-17:30". Returns [start, end) minutes after local midnight. Throws a RangeError that names the
 * offending part on a bad format, an empty or inverted period, periods out of order, or overlapping periods.
 * Periods may touch ("08:00-12:00,12:00-13:00").
 */
export function parsePeriods(text: string): readonly (readonly [number, number])[] {
  const parts = text.split(',').map((p) => p.trim());
  if (text.trim() === '') throw new RangeError(`working periods: empty; expected e.g. "${DEFAULT_PERIODS}"`);
  const periods: (readonly [number, number])[] = [];
  for (const part of parts) {
    const m = PERIOD_RE.exec(part);
    if (!m) throw new RangeError(`working periods: "${part}" is not HH:MM-HH:MM; expected e.g. "${DEFAULT_PERIODS}"`);
    const [h1, m1, h2, m2] = [m[1], m[2], m[3], m[4]].map(Number);
    for (const [h, mm] of [[h1, m1], [h2, m2]]) {
      if (mm > 59 || h > 24 || (h === 24 && mm > 0)) {
        throw new RangeError(`working periods: "${part}" has a time outside 00:00–24:00`);
      }
    }
    const start = h1 * 60 + m1;
    const end = h2 * 60 + m2;
    if (end <= start) throw new RangeError(`working periods: "${part}" ends at or before it starts`);
    const prev = periods[periods.length - 1];
    if (prev) {
      const prevText = `${formatMinutes(prev[0])}-${formatMinutes(prev[1])}`;
      if (start < prev[0]) {
        throw new RangeError(`working periods: "${part}" comes after "${prevText}"; list the periods in ascending order`);
      }
      if (start < prev[1]) throw new RangeError(`working periods: "${prevText}" and "${part}" overlap`);
    }
    periods.push([start, end]);
  }
  return periods;
}

const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local day number of a real 'YYYY-MM-DD' date, or null when the text is not one. */
function dayNumberOfIso(iso: string): number | null {
  const m = ISO_DATE_RE.exec(iso);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return t / DAY;
}

/** The checked, indexed form of a holiday file. */
interface HolidayIndex {
  offDays: ReadonlySet<number>;
  workDays: ReadonlySet<number>;
  names: ReadonlyMap<number, string>;
  years: readonly [number, number];
}

/**
 * Checks a holiday file and indexes it by day number. Throws one Error listing every problem: malformed or unreal
 * dates, a date outside its year (only the 元旦 break may start in the previous December), a date listed twice,
 * a date both off and working, a make-up working day that is not a Saturday or Sunday.
 */
export function indexHolidays(file: HolidayFile): HolidayIndex {
  const problems: string[] = [];
  const offDays = new Set<number>();
  const workDays = new Set<number>();
  const names = new Map<number, string>();
  const yearKeys = Object.keys(file?.years ?? {});
  if (typeof file?.source !== 'string' || file.source === '') problems.push('missing "source"');
  if (yearKeys.length === 0) problems.push('no years');
  const years = yearKeys.map(Number);
  for (const key of yearKeys) {
    const year = Number(key);
    const entry = file.years[key];
    if (!/^\d{4}$/.test(key)) problems.push(`year key "${key}" is not YYYY`);
    for (const kind of ['off', 'work'] as const) {
      const list = entry?.[kind];
      if (!Array.isArray(list)) {
        problems.push(`${key}: "${kind}" is not a list`);
        continue;
      }
      for (const e of list) {
        const where = `${key} ${kind} ${JSON.stringify(e)}`;
        const dn = typeof e?.date === 'string' ? dayNumberOfIso(e.date) : null;
        if (dn === null) {
          problems.push(`${where}: not a real YYYY-MM-DD date`);
          continue;
        }
        if (typeof e.name !== 'string' || e.name === '') problems.push(`${where}: no name`);
        const dateYear = Number(e.date.slice(0, 4));
        if (dateYear !== year && !(kind === 'off' && dateYear === year - 1 && e.date.slice(5, 7) === '12')) {
          problems.push(`${where}: outside ${key}`);
        }
        if (offDays.has(dn) || workDays.has(dn)) {
          problems.push(`${where}: ${offDays.has(dn) === (kind === 'off') ? 'listed twice' : 'both a day off and a working day'}`);
          continue;
        }
        if (kind === 'work' && isWeekday(dn)) problems.push(`${where}: a make-up working day must be a Saturday or Sunday`);
        (kind === 'off' ? offDays : workDays).add(dn);
        names.set(dn, e.name);
      }
    }
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join('; ');
    throw new Error(`holiday file: ${problems.length} problem(s): ${shown}${problems.length > 10 ? '; …' : ''}`);
  }
  return { offDays, workDays, names, years: [Math.min(...years), Math.max(...years)] };
}

export interface CalendarOptions {
  /** Daily working periods, e.g. "08:30-12:00,14:30-17:30" (the default). */
  periods?: string;
  /** The holiday file; defaults to China's (holidays-cn.json). null: no holidays (plain Monday–Friday). */
  holidays?: HolidayFile | null;
}

/**
 * A Monday–Friday calendar in Asia/Shanghai with the given daily periods and holidays (see the module comment for
 * what happens outside the holiday file's years). Throws on malformed periods or a bad holiday file.
 */
export function loadCalendar(options: CalendarOptions = {}): HolidayCalendar {
  const periods = parsePeriods(options.periods ?? DEFAULT_PERIODS);
  const holidays = options.holidays === undefined ? CHINA_HOLIDAYS : options.holidays;
  const index = holidays === null ? null : holidays === CHINA_HOLIDAYS ? chinaIndex() : indexHolidays(holidays);
  if (index === null) {
    const isWorkingDayNumber = isWeekday;
    return {
      utcOffsetMinutes: UTC_OFFSET_MINUTES,
      periods,
      isWorkingDay: (d: LocalDay) => isWorkingDayNumber(d.dayNumber),
      isWorkingDayNumber,
      holidayYears: null,
      exceptionOn: () => undefined,
    };
  }
  const { offDays, workDays, names } = index;
  const isWorkingDayNumber = (dn: number): boolean => (isWeekday(dn) ? !offDays.has(dn) : workDays.has(dn));
  return {
    utcOffsetMinutes: UTC_OFFSET_MINUTES,
    periods,
    isWorkingDay: (d: LocalDay) => isWorkingDayNumber(d.dayNumber),
    isWorkingDayNumber,
    holidayYears: index.years,
    exceptionOn(dn) {
      const name = names.get(dn);
      return name === undefined ? undefined : { working: workDays.has(dn), name };
    },
  };
}

/** China's official holiday arrangements, 2022–2026 (checked on load, by CHINA_CALENDAR below). */
export const CHINA_HOLIDAYS: HolidayFile = rawHolidays as HolidayFile;

let chinaIndexCache: HolidayIndex | null = null;
function chinaIndex(): HolidayIndex {
  chinaIndexCache ??= indexHolidays(CHINA_HOLIDAYS);
  return chinaIndexCache;
}

/** Default periods with China's official holidays and make-up working days. */
export const CHINA_CALENDAR: HolidayCalendar = loadCalendar();

/** Default periods, plain Monday–Friday, no holidays. */
export const WEEKDAY_CALENDAR: HolidayCalendar = loadCalendar({ holidays: null });

/**
 * The calendar configured by the environment: GEZHI_WORK_HOURS (daily periods, e.g. "08:30-12:00,14:30-17:30")
 * when set and not blank, otherwise CHINA_CALENDAR itself. Holidays always apply. The only place that reads it.
 */
export function calendarFromEnv(env: Readonly<Record<string, string | undefined>>): HolidayCalendar {
  const text = env.GEZHI_WORK_HOURS?.trim();
  if (!text) return CHINA_CALENDAR;
  try {
    return loadCalendar({ periods: text });
  } catch (err) {
    throw new RangeError(`GEZHI_WORK_HOURS="${text}": ${(err as Error).message}`);
  }
}

/** The calendar of this process: CHINA_CALENDAR unless GEZHI_WORK_HOURS says otherwise. */
export const PROCESS_CALENDAR: HolidayCalendar = calendarFromEnv(
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {},
);
