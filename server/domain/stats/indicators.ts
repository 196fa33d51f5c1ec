/**
 * The closure indicators as city-management centres publish them, from one tally of cases, and the composite score.
 *
 * The cohort is the cases *reported* in the period (received); rejected reports (not accepted as cases) are received
 * but not filed. 按期结案率 is the exception: it counts the cases *due* in the period, as domain/on-time.ts defines.
 *
 * | indicator | numerator | denominator |
 * |---|---|---|
 * | 结案率 closure       | closed (closed or evaluated)            | filed (received − rejected, filed at least once) |
 * | 按期结案率 on-time    | closed on time (on-time.ts)             | cases due in the period whose outcome is known |
 * | 返工率 rework        | cases sent back by verification ≥ once  | cases resolved at least once |
 * | 延期率 extension     | cases with an approved extension        | filed |
 * | 满意率 satisfaction  | ratings 4 or 5 (of 1–5)                 | rated cases |
 *
 * Composite score (0–100): the weighted mean of closure, on-time closure, 1 − rework, 1 − extension and
 * satisfaction with the weights below (on-time closure weighs most: it is the figure the loop is judged by). A
 * component with no data (null) is left out and the other weights renormalised, so a unit is not scored on what it
 * has not done yet.
 */
import type { IndicatorFigures } from '../../contract/review.ts';

/** The counts behind the rates: the API's figures (contract/review.ts) without what is derived, plus the rating sum. */
export type IndicatorTally = Omit<IndicatorFigures, DerivedFigure> & { satisfactionSum: number };
type DerivedFigure =
  | 'closureRate' | 'onTimeRate' | 'reworkRate' | 'extensionRate' | 'satisfactionRate' | 'satisfactionMean' | 'score';

export type Indicators = IndicatorFigures & { satisfactionSum: number };

export const SCORE_WEIGHTS = {
  closure: 0.25,
  onTime: 0.3,
  rework: 0.15,
  extension: 0.1,
  satisfaction: 0.2,
} as const;

export function emptyTally(): IndicatorTally {
  return {
    received: 0, filed: 0, rejected: 0, closed: 0, resolved: 0, reworked: 0, extended: 0, rated: 0, satisfied: 0,
    satisfactionSum: 0, onTimeDecided: 0, onTime: 0,
  };
}

/** Adds b into a (tallies are mergeable: a region's tally is the sum of its parts'). */
export function addTally(a: IndicatorTally, b: IndicatorTally): IndicatorTally {
  for (const k of Object.keys(a) as (keyof IndicatorTally)[]) a[k] += b[k];
  return a;
}

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

export function compositeScore(parts: { closure: number | null; onTime: number | null; rework: number | null; extension: number | null; satisfaction: number | null }): number | null {
  const components: [number | null, number][] = [
    [parts.closure, SCORE_WEIGHTS.closure],
    [parts.onTime, SCORE_WEIGHTS.onTime],
    [parts.rework === null ? null : 1 - parts.rework, SCORE_WEIGHTS.rework],
    [parts.extension === null ? null : 1 - parts.extension, SCORE_WEIGHTS.extension],
    [parts.satisfaction, SCORE_WEIGHTS.satisfaction],
  ];
  let sum = 0, weight = 0;
  for (const [v, w] of components) {
    if (v === null) continue;
    sum += v * w;
    weight += w;
  }
  return weight > 0 ? (100 * sum) / weight : null;
}

export function indicatorsOf(t: IndicatorTally): Indicators {
  const closureRate = ratio(t.closed, t.filed);
  const onTimeRate = ratio(t.onTime, t.onTimeDecided);
  const reworkRate = ratio(t.reworked, t.resolved);
  const extensionRate = ratio(t.extended, t.filed);
  const satisfactionRate = ratio(t.satisfied, t.rated);
  return {
    ...t,
    closureRate, onTimeRate, reworkRate, extensionRate, satisfactionRate,
    satisfactionMean: ratio(t.satisfactionSum, t.rated),
    score: compositeScore({ closure: closureRate, onTime: onTimeRate, rework: reworkRate, extension: extensionRate, satisfaction: satisfactionRate }),
  };
}

/** Relative change from `before` to `now` (month-on-month 环比, year-on-year 同比); null without a base. */
export function change(now: number | null, before: number | null): number | null {
  if (now === null || before === null || before === 0) return null;
  return (now - before) / Math.abs(before);
}
