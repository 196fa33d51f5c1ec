/**
 * The shapes of GET /api/insight/* (leaders' insight): significance maps, emerging trends, overdue clusters and the
 * ranked list of problem blocks with their teams. Times are ISO 8601 with +08:00; coordinates WGS-84 [lon, lat].
 */
import type { MultiPolygon, Polygon } from 'geojson';
import type { LonLat } from './api.ts';

export const INSIGHT_UNITS = ['block', 'h3'] as const;
export type InsightUnit = (typeof INSIGHT_UNITS)[number];
/** count: events; residents: per 1,000 residents; households: per 1,000 households. */
export const INSIGHT_NORMALISATIONS = ['count', 'residents', 'households'] as const;
export type InsightNormalisation = (typeof INSIGHT_NORMALISATIONS)[number];
export const H3_RESOLUTIONS = [7, 8, 9] as const;

/** Gi* confidence bin: sign × (1: 90 %, 2: 95 %, 3: 99 %), 0 not significant. */
export type GiBin = -3 | -2 | -1 | 0 | 1 | 2 | 3;

/** The filter an answer was computed under, as the server understood it. */
export interface InsightFilterEcho {
  from: string;
  to: string;
  category: string | null;
  kind: string[] | null;
  channel: string[] | null;
  status: string[] | null;
  overdue: boolean;
  unit: InsightUnit;
  res: number | null;
  normalise: InsightNormalisation;
  fdr: boolean;
}

export interface HotspotUnit {
  /** Block code, or H3 cell index. */
  id: string;
  name: string | null;
  count: number;
  /** The analysed value: the count or the rate per 1,000 residents/households. */
  value: number;
  z: number;
  p: number;
  /** Benjamini–Hochberg adjusted p (equal to p without FDR). */
  q: number;
  bin: GiBin;
  /** H3 units only: the cell's outline. */
  outline?: Polygon;
}

/** Counts under the filter (time window aside): this month and this year so far, against the same span before. */
export interface PeriodComparison {
  thisMonth: number;
  /** Last month from its 1st to the same day and time, so the two spans are comparable. */
  lastMonthToDate: number;
  thisYear: number;
  /** Last year from 1 January to the same day and time. */
  lastYearToDate: number;
}

export interface InsightHotspots {
  method: 'getis-ord-gi*';
  weights: 'queen-contiguity' | 'distance-band';
  /** Distance band in metres (H3 units). */
  bandM: number | null;
  filter: InsightFilterEcho;
  total: number;
  units: HotspotUnit[];
  /** Units per bin, −3…3 as keys. */
  bins: Record<string, number>;
  comparison: PeriodComparison;
}

export type EmergingCategoryName =
  | `${'new' | 'consecutive' | 'intensifying' | 'persistent' | 'diminishing' | 'sporadic' | 'oscillating' | 'historical'}-${'hot' | 'cold'}`
  | 'none';

export interface EmergingUnit {
  id: string;
  name: string | null;
  category: EmergingCategoryName;
  trendZ: number;
  trendP: number;
  finalZ: number;
  finalBin: GiBin;
  outline?: Polygon;
}

export interface InsightEmerging {
  method: 'emerging-hot-spots';
  step: 'month' | 'week';
  steps: number;
  stepStarts: string[];
  filter: InsightFilterEcho;
  /** Units with a category other than 'none'. */
  units: EmergingUnit[];
  /** Units per category (all of them, 'none' included). */
  categories: Record<string, number>;
}

export interface OverdueCluster {
  id: number;
  count: number;
  center: LonLat;
  bbox: [number, number, number, number];
  /** Blocks with the cluster's cases, most cases first, with each block's governor. */
  blocks: { code: string; name: string; count: number; governor: { id: number; name: string } | null }[];
  outline: Polygon | MultiPolygon | null;
}

export interface InsightClusters {
  method: 'dbscan';
  epsM: number;
  minPoints: number;
  /** Currently overdue cases considered (after the filter). */
  overdue: number;
  noise: number;
  clusters: OverdueCluster[];
}

export interface Trend {
  /** Mann–Kendall over the monthly counts of the window. */
  s: number;
  z: number;
  p: number;
  direction: 'up' | 'down' | 'flat';
}

export interface RankingRow {
  rank: number;
  code: string;
  name: string;
  communityName: string;
  subdistrictName: string;
  governor: { id: number; name: string } | null;
  supervisor: { id: number; name: string } | null;
  residents: number;
  households: number;
  count: number;
  /** Per 1,000 residents (or households, or the count itself), as normalised. */
  rate: number;
  /** 按期结案率 over the cases due in the window (null: none decided). */
  onTimeRate: number | null;
  onTimeDecided: number;
  trend: Trend;
  z: number;
  bin: GiBin;
}

export interface InsightRanking {
  filter: InsightFilterEcho;
  blocks: number;
  rows: RankingRow[];
}

export interface BlockInsight {
  code: string;
  name: string;
  communityName: string;
  subdistrictName: string;
  residents: number;
  households: number;
  governor: { id: number; name: string } | null;
  supervisor: { id: number; name: string } | null;
  filter: InsightFilterEcho;
  count: number;
  onTimeRate: number | null;
  categories: { code: string; name: string; nameEn: string; majorName: string; majorNameEn: string; count: number }[];
  /** Month by month over the window (Asia/Shanghai months). */
  timeline: { month: string; count: number; late: number }[];
  recent: { id: number; caseNo: string; category: string; status: string; reportedAt: string; dueAt: string; late: boolean }[];
}
