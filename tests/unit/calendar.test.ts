import { describe, expect, it } from 'vitest';
import rawHolidays from '../../server/domain/holidays-cn.json' with { type: 'json' };
import {
  CHINA_CALENDAR,
  CHINA_HOLIDAYS,
  WEEKDAY_CALENDAR,
  calendarFromEnv,
  indexHolidays,
  loadCalendar,
  parsePeriods,
  type HolidayFile,
} from '../../server/domain/calendar.ts';
import { addWorkingTime, DEFAULT_CALENDAR, localDayNumber, workingMsBetween } from '../../server/domain/working-time.ts';
import { createRng } from '../../server/domain/prng.ts';
import type { DeadlineUnit } from '../../server/contract/taxonomy.ts';

/** Local Asia/Shanghai wall time → UTC ms. */
const at = (iso: string): number => Date.parse(`${iso}+08:00`);
/** UTC ms → local 'YYYY-MM-DDTHH:MM' (for readable failures). */
const local = (ms: number): string => new Date(ms + 8 * HOUR).toISOString().slice(0, 16);
const HOUR = 3_600_000;
const MINUTE = 60_000;
const dayOf = (iso: string): number => localDayNumber(at(`${iso}T12:00`));

// Periods: 08:30–12:00 (3.5 h) and 14:30–17:30 (3 h); one working day = 6.5 h.
// [reported (local), value, unit, expected due (local), reasoning]
const DUE_ROWS: [string, number, DeadlineUnit, string, string][] = [
  ['2025-09-26T11:00', 4, 'working-hours', '2025-09-26T17:30',
    'Fri before 国庆: 11:00–12:00 (1 h) + 14:30–17:30 (3 h), done at the end of the day'],
  ['2025-09-30T16:30', 4, 'working-hours', '2025-10-09T11:30',
    'Tue 9/30: 16:30–17:30 (1 h); 10/1–10/8 off (国庆节、中秋节); Thu 10/9 08:30 + 3 h'],
  ['2025-09-26T17:00', 1, 'working-hours', '2025-09-28T09:00',
    'Fri 17:00–17:30 (0.5 h); Sat 9/27 off; Sun 9/28 is a make-up working day: 08:30 + 0.5 h'],
  ['2025-10-10T17:00', 2, 'working-hours', '2025-10-11T10:00',
    'Fri 10/10 17:00–17:30 (0.5 h); Sat 10/11 is a make-up working day: 08:30 + 1.5 h'],
  ['2025-10-11T11:00', 2, 'working-hours', '2025-10-11T15:30',
    'reported on the make-up Saturday itself: 11:00–12:00 (1 h), lunch, 14:30 + 1 h'],
  ['2025-10-12T10:00', 1, 'working-hours', '2025-10-13T09:30',
    'Sun 10/12 is an ordinary Sunday again: waits for Mon 08:30 + 1 h'],
  ['2025-01-27T16:00', 3, 'working-hours', '2025-02-05T10:00',
    'Mon 1/27: 16:00–17:30 (1.5 h); 春节 1/28–2/4 off; Wed 2/5 08:30 + 1.5 h'],
  ['2025-01-24T17:00', 1, 'working-hours', '2025-01-26T09:00',
    'Fri 1/24: 0.5 h; Sat 1/25 off; Sun 1/26 is 春节调休 (working): 08:30 + 0.5 h'],
  ['2025-02-07T17:00', 1, 'working-hours', '2025-02-08T09:00',
    'Fri 2/7: 0.5 h; Sat 2/8 is 春节调休 (working): 08:30 + 0.5 h'],
  ['2026-02-13T17:00', 1, 'working-hours', '2026-02-14T09:00',
    'Fri 2026-02-13: 0.5 h; Sat 2/14 is 春节调休 (working): 08:30 + 0.5 h'],
  ['2026-02-14T17:00', 7, 'working-hours', '2026-02-24T17:30',
    'make-up Sat 2/14: 0.5 h; 春节 2/15–2/23 off; Tue 2/24 a whole day (6.5 h) ends at 17:30 exactly'],
  ['2025-10-15T12:30', 1, 'working-hours', '2025-10-15T15:30',
    'reported during lunch (Wed): waits for 14:30, + 1 h'],
  ['2025-10-15T12:00', 1, 'working-hours', '2025-10-15T15:30',
    'exactly at the end of the morning period: nothing left before lunch; 14:30 + 1 h'],
  ['2025-10-15T17:30', 0.5, 'working-hours', '2025-10-16T09:00',
    'exactly at the close: Thu 08:30 + 0.5 h'],
  ['2025-10-15T08:30', 3.5, 'working-hours', '2025-10-15T12:00',
    'exactly at the opening, the whole morning: lands on 12:00, not 14:30'],
  ['2025-10-15T14:30', 3, 'working-hours', '2025-10-15T17:30',
    'exactly at the afternoon opening, the whole afternoon'],
  ['2025-09-30T20:00', 1, 'working-hours', '2025-10-09T09:30',
    'reported at night before the holiday: next opening is Thu 10/9 08:30, + 1 h'],
  ['2025-10-02T08:30', 1, 'working-hours', '2025-10-09T09:30',
    'reported at an opening time on a holiday: the holiday has no periods; Thu 10/9 08:30 + 1 h'],
  ['2025-12-31T17:00', 1, 'working-hours', '2026-01-04T09:00',
    'Wed 12/31: 0.5 h; 元旦 1/1–1/3 off; Sun 2026-01-04 is 元旦调休 (working): 08:30 + 0.5 h'],
  ['2024-04-03T17:00', 2, 'working-hours', '2024-04-07T10:00',
    'Wed 4/3: 0.5 h; 清明 4/4–4/6 off; Sun 4/7 make-up: 08:30 + 1.5 h'],
  ['2023-09-28T16:30', 2, 'working-hours', '2023-10-07T09:30',
    'Thu 9/28: 1 h; 中秋节、国庆节 9/29–10/6 off; Sat 10/7 make-up: 08:30 + 1 h'],
  ['2021-12-31T17:00', 1, 'working-hours', '2022-01-04T09:00',
    'Fri 2021-12-31 (before the file, Mon–Fri rule): 0.5 h; 元旦 2022 1/1–1/3 off; Tue 1/4 08:30 + 0.5 h'],
  ['2027-09-30T17:00', 1, 'working-hours', '2027-10-01T09:00',
    'after the file (2027): Mon–Fri rule only, so Fri 2027-10-01 counts as a working day (documented fallback)'],
  ['2025-09-29T10:00', 1, 'working-days', '2025-09-30T10:00',
    '6.5 h: Mon 10:00–12:00 (2 h) + 14:30–17:30 (3 h); Tue 08:30 + 1.5 h'],
  ['2025-09-30T10:00', 1, 'working-days', '2025-10-09T10:00',
    '6.5 h: Tue 9/30 gives 5 h; 10/1–10/8 off; Thu 10/9 08:30 + 1.5 h'],
  ['2025-09-26T10:00', 3, 'working-days', '2025-09-30T10:00',
    '19.5 h: Fri 5 h; Sat off; Sun 9/28 make-up 6.5 h; Mon 6.5 h (18 h); Tue 08:30 + 1.5 h'],
  ['2025-01-27T09:00', 2, 'working-days', '2025-02-06T09:00',
    '13 h: Mon 1/27 3 h + 3 h = 6 h; 春节 1/28–2/4 off; Wed 2/5 6.5 h (12.5 h); Thu 2/6 08:30 + 0.5 h'],
  ['2025-09-30T16:30', 24, 'natural-hours', '2025-10-01T16:30',
    'natural hours ignore the calendar: a clock day later, on a holiday'],
  ['2025-01-28T10:00', 2, 'natural-hours', '2025-01-28T12:00',
    'natural hours during 春节: plain clock'],
  ['2025-10-04T23:30', 1, 'natural-hours', '2025-10-05T00:30',
    'natural hours across midnight on a holiday weekend'],
];

describe('due times on the China calendar', () => {
  it('is the default calendar of working-time.ts', () => {
    expect(DEFAULT_CALENDAR).toBe(CHINA_CALENDAR);
  });

  it.each(DUE_ROWS)('%s + %d %s → %s (%s)', (reported, value, unit, expected) => {
    expect(local(addWorkingTime(at(reported), value, unit))).toBe(expected);
    expect(local(addWorkingTime(at(reported), value, unit, CHINA_CALENDAR))).toBe(expected);
  });

  it('differs from the plain weekday calendar only where holidays apply', () => {
    // Tue 9/30 16:30 + 4 h on Mon–Fri: 1 h, then Wed 10/1 08:30 + 3 h.
    expect(local(addWorkingTime(at('2025-09-30T16:30'), 4, 'working-hours', WEEKDAY_CALENDAR))).toBe('2025-10-01T11:30');
    // Fri 9/26 17:00 + 1 h on Mon–Fri skips the make-up Sunday: Mon 9/29 09:00.
    expect(local(addWorkingTime(at('2025-09-26T17:00'), 1, 'working-hours', WEEKDAY_CALENDAR))).toBe('2025-09-29T09:00');
    // An ordinary week: both agree.
    const t = at('2025-11-12T11:00');
    expect(addWorkingTime(t, 10, 'working-hours', WEEKDAY_CALENDAR)).toBe(addWorkingTime(t, 10, 'working-hours'));
  });
});

describe('holiday data', () => {
  it.each([
    ['2025-01-28', false, '春节'], // 除夕, statutory from 2025
    ['2025-01-26', true, '春节调休'],
    ['2025-05-02', false, '劳动节'],
    ['2025-04-27', true, '劳动节调休'],
    ['2025-10-08', false, '国庆节、中秋节'],
    ['2025-10-11', true, '国庆节、中秋节调休'],
    ['2023-09-29', false, '中秋节、国庆节'],
    ['2024-02-18', true, '春节调休'],
    ['2026-02-23', false, '春节'],
    ['2026-09-20', true, '国庆节调休'],
    ['2022-10-09', true, '国庆节调休'],
  ] as const)('%s is %s (%s)', (iso, working, name) => {
    const dn = dayOf(iso);
    expect(CHINA_CALENDAR.isWorkingDayNumber!(dn)).toBe(working);
    expect(CHINA_CALENDAR.exceptionOn(dn)).toEqual({ working, name });
  });

  it('covers 2022–2026 and treats other days by the weekday', () => {
    expect(CHINA_CALENDAR.holidayYears).toEqual([2022, 2026]);
    expect(CHINA_CALENDAR.exceptionOn(dayOf('2025-11-12'))).toBeUndefined();
    expect(CHINA_CALENDAR.isWorkingDayNumber!(dayOf('2025-11-12'))).toBe(true); // Wednesday
    expect(CHINA_CALENDAR.isWorkingDayNumber!(dayOf('2025-11-15'))).toBe(false); // Saturday
    expect(CHINA_CALENDAR.isWorkingDayNumber!(dayOf('2027-10-01'))).toBe(true); // Friday, outside the file
  });

  it('yields the yearly working-day totals', () => {
    // Weekdays − days off on weekdays + make-up days. 2024: 251 and 2025: 248 (two more statutory days from 2025)
    // are the totals commonly quoted with the notices; a change here means the data changed.
    const totals: Record<number, number> = {};
    for (let y = 2022; y <= 2026; y++) {
      let n = 0;
      for (let dn = Date.UTC(y, 0, 1) / 86_400_000; dn < Date.UTC(y + 1, 0, 1) / 86_400_000; dn++) {
        if (CHINA_CALENDAR.isWorkingDayNumber!(dn)) n++;
      }
      totals[y] = n;
    }
    expect(totals).toEqual({ 2022: 249, 2023: 249, 2024: 251, 2025: 248, 2026: 248 });
  });

  it('lists every make-up day on a weekend and never a date twice', () => {
    const seen = new Set<string>();
    for (const year of Object.values(CHINA_HOLIDAYS.years)) {
      for (const e of year.work) expect([0, 6], e.date).toContain(new Date(e.date).getUTCDay());
      for (const e of [...year.off, ...year.work]) {
        expect(seen.has(e.date), e.date).toBe(false);
        seen.add(e.date);
      }
    }
  });

  it('rejects a bad holiday file with every problem named', () => {
    const bad: HolidayFile = {
      source: 'test',
      years: {
        '2025': {
          off: [{ date: '2025-02-30', name: '春节' }, { date: '2025-10-08', name: '国庆节' }, { date: '2026-01-05', name: 'x' },
            { date: '2025-10-01', name: '国庆节' }, { date: '2025-10-01', name: '国庆节' }],
          work: [{ date: '2025-10-08', name: '国庆节调休' }, { date: '2025-10-09', name: '国庆节调休' }],
        },
      },
    };
    expect(() => indexHolidays(bad)).toThrow(/5 problem/);
    expect(() => indexHolidays(bad)).toThrow(/2025-10-01.*listed twice/);
    expect(() => indexHolidays(bad)).toThrow(/2025-02-30.*not a real/);
    expect(() => indexHolidays(bad)).toThrow(/2026-01-05.*outside 2025/);
    expect(() => indexHolidays(bad)).toThrow(/2025-10-08.*both a day off and a working day/);
    expect(() => indexHolidays(bad)).toThrow(/2025-10-09.*must be a Saturday or Sunday/);
    expect(() => loadCalendar({ holidays: bad })).toThrow(/holiday file/);
    expect(() => indexHolidays({ source: 'test', years: {} })).toThrow(/no years/);
    // The shipped file passes.
    expect(() => indexHolidays(rawHolidays as HolidayFile)).not.toThrow();
  });

  it('accepts a custom holiday file', () => {
    const cal = loadCalendar({
      holidays: { source: 'test', years: { '2030': { off: [{ date: '2030-01-02', name: 'x' }], work: [{ date: '2030-01-05', name: 'y' }] } } },
    });
    expect(cal.holidayYears).toEqual([2030, 2030]);
    // Tue 2030-01-01 17:00 + 1 h: 0.5 h; Wed 1/2 off; Thu 1/3 08:30 + 0.5 h.
    expect(local(addWorkingTime(at('2030-01-01T17:00'), 1, 'working-hours', cal))).toBe('2030-01-03T09:00');
    // Fri 1/4 17:00 + 1 h: 0.5 h; Sat 1/5 working: 09:00.
    expect(local(addWorkingTime(at('2030-01-04T17:00'), 1, 'working-hours', cal))).toBe('2030-01-05T09:00');
  });
});

describe('working periods', () => {
  it('parses the default and custom periods', () => {
    expect(parsePeriods('08:30-12:00,14:30-17:30')).toEqual([[510, 720], [870, 1050]]);
    expect(parsePeriods(' 9:00 - 12:00 , 13:30-18:00 ')).toEqual([[540, 720], [810, 1080]]);
    expect(parsePeriods('00:00-24:00')).toEqual([[0, 1440]]);
    expect(parsePeriods('08:00-12:00,12:00-13:00')).toEqual([[480, 720], [720, 780]]);
  });

  it.each([
    ['', /empty/],
    ['8-12', /"8-12" is not HH:MM-HH:MM/],
    ['08:30-12:00;14:30-17:30', /is not HH:MM-HH:MM/],
    ['08:30-12:00,', /"" is not HH:MM-HH:MM/],
    ['08:30-12:60', /outside 00:00–24:00/],
    ['23:00-25:00', /outside 00:00–24:00/],
    ['12:00-08:30', /"12:00-08:30" ends at or before it starts/],
    ['09:00-09:00', /ends at or before it starts/],
    ['14:30-17:30,08:30-12:00', /"08:30-12:00" comes after "14:30-17:30"; list the periods in ascending order/],
    ['08:30-12:00,11:00-13:00', /"08:30-12:00" and "11:00-13:00" overlap/],
  ])('rejects %j', (text, message) => {
    expect(() => parsePeriods(text)).toThrow(message);
  });

  it('builds calendars with other hours, holidays included', () => {
    const cal = loadCalendar({ periods: '09:00-12:00,13:30-18:00' });
    // One working day is now 7.5 h: Tue 9/30 10:00 → 2 h + 4.5 h = 6.5 h; holiday; Thu 10/9 09:00 + 1 h.
    expect(local(addWorkingTime(at('2025-09-30T10:00'), 1, 'working-days', cal))).toBe('2025-10-09T10:00');
  });

  it('reads GEZHI_WORK_HOURS in calendarFromEnv', () => {
    expect(calendarFromEnv({})).toBe(CHINA_CALENDAR);
    expect(calendarFromEnv({ GEZHI_WORK_HOURS: '  ' })).toBe(CHINA_CALENDAR);
    const cal = calendarFromEnv({ GEZHI_WORK_HOURS: '09:00-17:00' });
    expect(cal.periods).toEqual([[540, 1020]]);
    expect(cal.isWorkingDayNumber!(dayOf('2025-10-11'))).toBe(true); // make-up Saturday still applies
    expect(() => calendarFromEnv({ GEZHI_WORK_HOURS: '9-5' })).toThrow(/GEZHI_WORK_HOURS="9-5": .*not HH:MM-HH:MM/);
  });
});

/** An independent oracle: the working minutes between two minute-aligned instants, counted one minute at a time. */
function oracleMinutes(startMs: number, endMs: number): number {
  const off = new Set<string>();
  const work = new Set<string>();
  for (const y of Object.values(rawHolidays.years)) {
    for (const e of y.off) off.add(e.date);
    for (const e of y.work) work.add(e.date);
  }
  let n = 0;
  for (let t = startMs; t < endMs; t += MINUTE) {
    const d = new Date(t + 8 * HOUR);
    const iso = d.toISOString().slice(0, 10);
    const wd = d.getUTCDay();
    const working = work.has(iso) || (wd >= 1 && wd <= 5 && !off.has(iso));
    const m = d.getUTCHours() * 60 + d.getUTCMinutes();
    if (working && ((m >= 510 && m < 720) || (m >= 870 && m < 1050))) n++;
  }
  return n;
}

describe('addWorkingTime and workingMsBetween agree', () => {
  const RANGE_START = at('2021-12-01T00:00');
  const RANGE_END = at('2027-01-31T00:00');

  it('on 2,000 seeded random starts and durations, across holidays', () => {
    const rng = createRng(20251001);
    for (let i = 0; i < 2_000; i++) {
      const start = RANGE_START + rng.int(0, (RANGE_END - RANGE_START) / MINUTE) * MINUTE + rng.int(0, 59_999);
      const hours = rng.int(0, 400) / 4; // 0–100 h in quarter hours
      const due = addWorkingTime(start, hours, 'working-hours');
      expect(workingMsBetween(start, due), `${local(start)} + ${hours} h → ${local(due)}`).toBe(Math.round(hours * HOUR));
      expect(due).toBeGreaterThanOrEqual(start);
      const days = rng.int(0, 20);
      const dueDays = addWorkingTime(start, days, 'working-days');
      expect(workingMsBetween(start, dueDays)).toBe(days * 6.5 * HOUR);
    }
  });

  it('matches a minute-by-minute count on seeded samples', () => {
    const rng = createRng(7);
    for (let i = 0; i < 150; i++) {
      const start = RANGE_START + rng.int(0, (RANGE_END - RANGE_START) / MINUTE) * MINUTE;
      const hours = rng.int(1, 80) / 4;
      const due = addWorkingTime(start, hours, 'working-hours');
      expect(oracleMinutes(start, due), `${local(start)} + ${hours} h → ${local(due)}`).toBe(hours * 60);
      // The due time is the earliest such instant: it lies inside a working minute (or at a period's end).
      expect(oracleMinutes(start, due - MINUTE)).toBe(hours * 60 - 1);
    }
  });
});
