/**
 * The review's API shapes (GET /api/review/…): closure indicators, response-time summaries, flatness, survival
 * curves, rankings and the replay of a day. Rates are fractions (0–1, null without a denominator); durations are
 * whole minutes (intervals) or hours (survival); times ISO 8601 with +08:00.
 */

export const REVIEW_INTERVALS = ['accept', 'dispatch', 'arrive', 'resolve', 'close'] as const;
export type ReviewInterval = (typeof REVIEW_INTERVALS)[number];

export const REVIEW_GROUPS = ['subdistrict', 'community', 'centre', 'department', 'category', 'channel', 'kind', 'priority', 'person'] as const;
export type ReviewGroup = (typeof REVIEW_GROUPS)[number];

/** Type-7 box-plot summary of whole minutes. */
export interface IntervalSummary {
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  p90: number;
  max: number;
  mean: number;
  /** Tukey whiskers: the most extreme values within 1.5 × IQR of the quartiles. */
  whiskerLow: number;
  whiskerHigh: number;
}

export interface IndicatorFigures {
  received: number;
  filed: number;
  rejected: number;
  closed: number;
  resolved: number;
  reworked: number;
  extended: number;
  rated: number;
  satisfied: number;
  /** Cases due in the period with a known outcome (domain/on-time.ts). */
  onTimeDecided: number;
  onTime: number;
  closureRate: number | null;
  onTimeRate: number | null;
  reworkRate: number | null;
  extensionRate: number | null;
  satisfactionRate: number | null;
  /** Mean rating 1–5. */
  satisfactionMean: number | null;
  score: number | null;
}

export interface FlatnessRow {
  key: string;
  name: string;
  cases: number;
  handoffs: number;
  handoffsPerCase: number | null;
  /** Mean wait after a hand-off until the new assignee acts (minutes). */
  waitMinutes: number | null;
}

export interface TrendPoint {
  /** Bucket start, ISO date (YYYY-MM-DD) of a day or the first of a month. */
  start: string;
  received: number;
  closed: number;
  closureRate: number | null;
  onTimeRate: number | null;
}

export interface ReviewIndicators {
  from: string;
  to: string;
  now: string;
  indicators: IndicatorFigures;
  scoreWeights: Record<'closure' | 'onTime' | 'rework' | 'extension' | 'satisfaction', number>;
  intervals: {
    natural: Record<ReviewInterval, IntervalSummary | null>;
    working: Record<ReviewInterval, IntervalSummary | null>;
  };
  flatness: {
    overall: FlatnessRow;
    byUnit: FlatnessRow[];
    byCategory: FlatnessRow[];
  };
  trend: { bucket: 'day' | 'month'; points: TrendPoint[] };
}

export interface SurvivalPoint {
  /** Hours since report. */
  t: number;
  survival: number;
  lower: number;
  upper: number;
  atRisk: number;
}

export interface SurvivalCurve {
  key: string;
  name: string;
  n: number;
  closed: number;
  open: number;
  /** Median time to close in hours (null while over half is open), with its 95 % limits. */
  medianHours: number | null;
  medianLower: number | null;
  medianUpper: number | null;
  points: SurvivalPoint[];
}

export interface ReviewSurvival {
  from: string;
  to: string;
  now: string;
  by: ReviewGroup | 'all';
  curves: SurvivalCurve[];
}

export interface RankingRow {
  key: string;
  name: string;
  current: IndicatorFigures;
  /** Score minus the district's score this month. */
  vsDistrict: number | null;
  /** Relative change of the score against the month before (环比) and the same month a year before (同比). */
  monthOnMonth: number | null;
  yearOnYear: number | null;
  previousScore: number | null;
  lastYearScore: number | null;
}

export interface ReviewRankings {
  month: string;
  by: ReviewGroup;
  district: IndicatorFigures;
  rows: RankingRow[];
}

export interface ReplayCase {
  id: number;
  caseNo: string;
  category: string;
  lon: number;
  lat: number;
}

export interface ReplayStep {
  eventId: number;
  at: string;
  from: string | null;
  to: string;
}

export interface ReplayRoute {
  id: number;
  eventId: number;
  staffId: number;
  start: string;
  etaSeconds: number;
  path: [number, number][];
  /** Seconds after start at each vertex of path. */
  times: number[];
}

export interface ReviewReplay {
  day: string;
  from: string;
  to: string;
  cases: ReplayCase[];
  steps: ReplayStep[];
  routes: ReplayRoute[];
}
