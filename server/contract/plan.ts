/**
 * The shapes of /api/plans (boundary planning) that the web app reads, and the validation reasons it words in
 * Chinese. Times are ISO 8601 with +08:00; geometries RFC 7946 in WGS-84.
 */
import type { MultiPolygon, Polygon } from 'geojson';

export const EMPTY_BLOCK = 'empty-block';
export const NOT_CONTIGUOUS = 'not-contiguous';
export const CROSSES_COMMUNITY = 'crosses-community';
export const LOW_POLSBY_POPPER = 'low-polsby-popper';
export const LOW_REOCK = 'low-reock';
export const UNBALANCED_RESIDENTS = 'unbalanced-residents';
export const UNBALANCED_HOUSEHOLDS = 'unbalanced-households';
export const UNBALANCED_EVENTS = 'unbalanced-events';
export const UNBALANCED_HOUSEHOLDS_PER_STAFF = 'unbalanced-households-per-staff';

/** Every reason validation gives; errors stop a publish, warnings are the planner's to weigh. */
export const ISSUE_REASONS = [
  EMPTY_BLOCK, NOT_CONTIGUOUS, CROSSES_COMMUNITY, LOW_POLSBY_POPPER, LOW_REOCK, UNBALANCED_RESIDENTS,
  UNBALANCED_HOUSEHOLDS, UNBALANCED_EVENTS, UNBALANCED_HOUSEHOLDS_PER_STAFF,
] as const;
export type IssueReason = (typeof ISSUE_REASONS)[number];

export const BALANCE_MEASURES = ['residents', 'households', 'events', 'householdsPerStaff'] as const;
export type BalanceMeasure = (typeof BALANCE_MEASURES)[number];

export interface BlockMetrics {
  code: string;
  name: string;
  communityCode: string;
  subdistrictCode: string;
  buildings: number;
  residents: number;
  households: number;
  /** Events of the last 12 months located in the block's buildings' parcels. */
  events: number;
  /** Handling staff (governor + assistants) of the published team. */
  staff: number;
  /** Households per handling staff member; null without staff. */
  householdsPerStaff: number | null;
  areaM2: number;
  polsbyPopper: number;
  reock: number;
  parts: number;
  /** Connected groups of parcels, and pieces of the district they lie in (contiguous when equal). */
  components: number;
  pieces: number;
  communities: string[];
}

export interface Balance {
  subdistrictCode: string;
  measure: BalanceMeasure;
  blocks: number;
  min: number;
  max: number;
  mean: number;
  /** (max − min) / mean across the subdistrict's blocks. */
  deviation: number;
}

export interface Offender {
  code: string;
  measure: BalanceMeasure | 'polsbyPopper' | 'reock';
  value: number;
  score: number;
}

export interface PlanRules {
  minPolsbyPopper: number;
  minReock: number;
  maxDeviation: Record<BalanceMeasure, number>;
}

export type Severity = 'error' | 'warning';

export interface PlanIssue {
  reason: IssueReason;
  severity: Severity;
  block?: string;
  subdistrict?: string;
  blocks?: string[];
  value?: number;
  limit?: number;
  /** A block-level error the published version has already, on a block the plan leaves as it is. */
  inherited?: true;
}

export interface Validation {
  valid: boolean;
  errors: number;
  warnings: number;
  issues: PlanIssue[];
}

export type EditKind = 'move' | 'split' | 'merge' | 'create' | 'retire' | 'import';

export interface PlanSummary {
  id: number;
  name: string;
  description: string;
  author: string;
  status: 'draft' | 'published';
  baseVersionId: number;
  publishedVersionId: number | null;
  revision: number;
  cursor: number;
  canUndo: boolean;
  canRedo: boolean;
  rules: PlanRules;
  createdAt: string;
  updatedAt: string;
  history: { seq: number; kind: EditKind; summary: string; author: string; at: string; undone: boolean }[];
}

export interface PlanBlockOut {
  code: string;
  geometry: Polygon | MultiPolygon | null;
  metrics: BlockMetrics;
}

export interface PlanStep {
  plan: PlanSummary;
  blocks: PlanBlockOut[];
  removed: string[];
  validation: Validation;
}

export interface PlanSideOut {
  blocks: BlockMetrics[];
  balances: Balance[];
  worst: Offender[];
  totals: { blocks: number; residents: number; households: number; events: number; staff: number };
}

export interface PlanMetricsOut {
  draft: PlanSideOut;
  published: PlanSideOut;
}

export interface ReplayFigures {
  volume: number;
  late: number;
  lateRate: number;
  governorLoad: number;
}

export interface PlanReplayOut {
  from: string;
  to: string;
  events: number;
  unlocated: number;
  rows: { code: string; draft: ReplayFigures | null; published: ReplayFigures | null; volumeChange: number }[];
}

export interface PlanDiffOut {
  blocks: { code: string; change: 'added' | 'removed' | 'changed' }[];
  moved: { building: number; from: string; to: string }[];
}

/** GET /api/plans/:id/buildings: the buildings as columns, with the draft block each is in. */
export interface PlanBuildingsOut {
  ids: number[];
  lon: number[];
  lat: number[];
  block: string[];
}
