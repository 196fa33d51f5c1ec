/**
 * The response intervals of a case, from its report to each later step of the loop, in natural time and in working
 * time (the working-time calendar of deadlines: working periods of working days only, holidays and 调休 honoured).
 * "accept" is 受理: the centre accepting the report as a case (filed_at), the step before dispatch; the handler's own
 * taking of the case (接单, accepted_at) lies between dispatch and arrival. A step not reached yet has no interval (NaN). Intervals are counted in whole minutes (rounded down), the unit the
 * review reports and the resolution its exact percentiles work at.
 */
import { DEFAULT_CALENDAR, workingMsBetween, type WorkCalendar } from '../working-time.ts';

import { REVIEW_INTERVALS, type ReviewInterval } from '../../contract/review.ts';

export const INTERVALS = REVIEW_INTERVALS;
export type IntervalName = ReviewInterval;

export interface CaseTimes {
  reported_at: number;
  filed_at: number | null;
  dispatched_at: number | null;
  arrived_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
}

const MINUTE = 60_000;

/** The instant a case reached a step, or null. */
export function stepTime(c: CaseTimes, name: IntervalName): number | null {
  switch (name) {
    case 'accept': return c.filed_at;
    case 'dispatch': return c.dispatched_at;
    case 'arrive': return c.arrived_at;
    case 'resolve': return c.resolved_at;
    case 'close': return c.closed_at;
  }
}

/** Whole minutes from report to the step in natural time, NaN when not reached. */
export function naturalMinutes(c: CaseTimes, name: IntervalName): number {
  const t = stepTime(c, name);
  return t === null ? NaN : Math.floor(Math.max(0, t - c.reported_at) / MINUTE);
}

/** Whole minutes from report to the step in working time, NaN when not reached. */
export function workingMinutes(c: CaseTimes, name: IntervalName, calendar: WorkCalendar = DEFAULT_CALENDAR): number {
  const t = stepTime(c, name);
  return t === null ? NaN : Math.floor(workingMsBetween(c.reported_at, t, calendar) / MINUTE);
}
