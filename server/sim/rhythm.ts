/**
 * When reports arrive: the seeded history's daily, weekly and seasonal rhythm as a rate in reports per hour, and the
 * arrival instants as a non-homogeneous Poisson process (drawn by thinning, so the sequence depends only on the
 * generator's state and the start time). Pure.
 *
 * The profiles are the seeded history's (server/domain/report-rhythm.ts), so the simulated day looks like the
 * seeded ones.
 */
import type { Rng } from '../domain/prng.ts';
import { localDayNumber, localDayOf } from '../domain/working-time.ts';
import { HOURLY, MONTHLY, WEEKDAY } from '../domain/report-rhythm.ts';

export { HOURLY, MONTHLY, WEEKDAY };

const HOUR = 3_600_000;
const DAY = 86_400_000;
const LOCAL_OFFSET_MS = 8 * HOUR; // Asia/Shanghai


/** Mean hourly weight over 08:00–18:00 and mean weekday weight over Monday–Friday: what `rate` refers to. */
const WORKING_HOUR_MEAN = HOURLY.slice(8, 18).reduce((a, b) => a + b, 0) / 10;
const WORKDAY_MEAN = WEEKDAY.slice(1, 6).reduce((a, b) => a + b, 0) / 5;
const PEAK = (Math.max(...HOURLY) / WORKING_HOUR_MEAN) * (Math.max(...WEEKDAY) / WORKDAY_MEAN) * Math.max(...MONTHLY);

/** Local (Asia/Shanghai) hour, weekday (0 = Sunday) and month (1–12) of an instant. */
export function localParts(t: number): { hour: number; weekday: number; month: number } {
  const ld = localDayOf(localDayNumber(t));
  return { hour: Math.floor((((t + LOCAL_OFFSET_MS) % DAY) + DAY) % DAY / HOUR), weekday: ld.weekday, month: ld.month };
}

/** Night as the history defines it: 20:00–06:00 local time. */
export function isNight(t: number): boolean {
  const h = localParts(t).hour;
  return h >= 20 || h < 6;
}

/**
 * Reports per hour at instant t, for a district whose mean rate over weekday working hours (08:00–18:00, Monday to
 * Friday, a month of weight 1) is `ratePerHour`.
 */
export function rateAt(t: number, ratePerHour: number): number {
  const { hour, weekday, month } = localParts(t);
  return ratePerHour * (HOURLY[hour] / WORKING_HOUR_MEAN) * (WEEKDAY[weekday] / WORKDAY_MEAN) * MONTHLY[month - 1];
}

/** The highest rate the profile ever reaches (the thinning envelope). */
export function peakRate(ratePerHour: number): number {
  return ratePerHour * PEAK;
}

/**
 * The next report instant after t (epoch ms of simulated time): candidates at the peak rate, each kept with
 * probability rate(candidate) / peak. Returns Infinity for a rate of 0.
 */
export function nextArrival(rng: Rng, t: number, ratePerHour: number): number {
  if (!(ratePerHour > 0)) return Infinity;
  const peak = peakRate(ratePerHour);
  let at = t;
  for (let guard = 0; guard < 100_000; guard++) {
    let u = rng.next();
    while (u === 0) u = rng.next();
    at += (-Math.log(u) / peak) * HOUR;
    if (rng.next() * peak < rateAt(at, ratePerHour)) return Math.round(at);
  }
  return Math.round(at);
}

/** Expected number of reports between two instants (numerical integral in 5-minute steps; for tests and logs). */
export function expectedReports(from: number, to: number, ratePerHour: number): number {
  const step = 5 * 60_000;
  let sum = 0;
  for (let t = from; t < to; t += step) sum += (rateAt(t + Math.min(step, to - t) / 2, ratePerHour) * Math.min(step, to - t)) / HOUR;
  return sum;
}
