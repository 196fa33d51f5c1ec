/**
 * When the demo history's reports arrive: yearly growth (the reform ramping up) × weekday × season per day, with
 * exact per-day counts (largest remainder), and a daily rhythm with peaks at 9–11 and 15–17 local time (profiles:
 * server/domain/report-rhythm.ts). Each day's instants come from the day's own seeded stream.
 */
import { HOURLY, MONTHLY, WEEKDAY } from '../../domain/report-rhythm.ts';
import { createRng, WeightedTable } from '../../domain/prng.ts';
import { localDayNumber, localDayOf, localMidnight } from '../../domain/working-time.ts';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
const YEAR = 365.25 * DAY;

export function growth(t: number, start: number): number {
  // Slow first year, steep ramp as the reform rolls out across the district (2023–2025), then a plateau.
  const y = Math.max(0, (t - start) / YEAR);
  return 0.2 + 1.3 / (1 + Math.exp(-(y - 2.5) / 0.8));
}

/** How far the reform has ramped up, 0 … 1. */
export function ramp(t: number, start: number): number {
  return Math.min(1, Math.max(0, (t - start) / (3.5 * YEAR)));
}

/** A 32-bit hash of (seed, a, b): the seed of one day's own stream. */
export function mix(seed: number, a: number, b: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (a >>> 0) ^ (h >>> 15), 0xc2b2ae35);
  h = Math.imul(h ^ (b >>> 0) ^ (h >>> 13), 0x27d4eb2f);
  return (h ^ (h >>> 16)) >>> 0;
}

export interface DayPlan {
  dayNumber: number;
  count: number;
  /** Hour weights for this day (truncated on the last, partial day). */
  hours: number[];
}

/** Exact per-day counts for N events between start and now. */
export function planDays(start: number, now: number, n: number): DayPlan[] {
  const first = localDayNumber(start);
  const last = localDayNumber(now - 1);
  const hourTotal = HOURLY.reduce((a, b) => a + b, 0);
  const plans: DayPlan[] = [];
  const weights: number[] = [];
  for (let dn = first; dn <= last; dn++) {
    const midnight = localMidnight(dn);
    const hours = HOURLY.map((w, h) => {
      const from = Math.max(midnight + h * HOUR, start);
      const to = Math.min(midnight + (h + 1) * HOUR, now);
      return to > from ? (w * (to - from)) / HOUR : 0;
    });
    const share = hours.reduce((a, b) => a + b, 0) / hourTotal;
    const ld = localDayOf(dn);
    const w = share * growth(midnight + 12 * HOUR, start) * WEEKDAY[ld.weekday] * MONTHLY[ld.month - 1];
    plans.push({ dayNumber: dn, count: 0, hours });
    weights.push(w);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new Error('the history span is empty');
  let assigned = 0;
  const rema: { i: number; r: number }[] = [];
  for (let i = 0; i < plans.length; i++) {
    const exact = (n * weights[i]) / total;
    plans[i].count = Math.floor(exact);
    assigned += plans[i].count;
    rema.push({ i, r: exact - plans[i].count });
  }
  rema.sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; k < n - assigned; k++) plans[rema[k].i].count++;
  return plans;
}

/** Sorted report instants of one day, from the day's own stream. */
export function dayTimes(plan: DayPlan, seed: number, start: number, now: number): Float64Array {
  const rng = createRng(mix(seed, plan.dayNumber, 0x71));
  const out = new Float64Array(plan.count);
  if (plan.count === 0) return out;
  const table = new WeightedTable(plan.hours);
  const midnight = localMidnight(plan.dayNumber);
  for (let i = 0; i < plan.count; i++) {
    const h = table.pickIndex(rng);
    const from = Math.max(midnight + h * HOUR, start);
    const to = Math.min(midnight + (h + 1) * HOUR, now);
    out[i] = from + Math.floor(rng.next() * (to - from));
  }
  return out.sort();
}

/** How many of the planned report instants fall in [from, to). */
export function countBetween(plans: readonly DayPlan[], from: number, to: number, seed: number, start: number, now: number): number {
  let c = 0;
  for (const plan of plans) {
    const dayStart = localMidnight(plan.dayNumber);
    const dayEnd = dayStart + DAY;
    if (dayEnd <= from || dayStart >= to || plan.count === 0) continue;
    if (dayStart >= from && dayEnd <= to) c += plan.count;
    else for (const t of dayTimes(plan, seed, start, now)) if (t >= from && t < to) c++;
  }
  return c;
}
