/**
 * Validation of a plan: a list of issues, each a reason constant the UI words in Chinese, with the block or
 * subdistrict concerned and the measured value against its limit. It never throws: an invalid plan is a result, not
 * an error. Errors (empty, non-contiguous or cross-community blocks) stop a publish; warnings (compactness under its
 * floor, balance deviation over its threshold) are the planner's to weigh.
 */
import {
  CROSSES_COMMUNITY, EMPTY_BLOCK, LOW_POLSBY_POPPER, LOW_REOCK, NOT_CONTIGUOUS, UNBALANCED_EVENTS, UNBALANCED_HOUSEHOLDS,
  UNBALANCED_HOUSEHOLDS_PER_STAFF, UNBALANCED_RESIDENTS, type IssueReason, type PlanIssue, type PlanRules, type Validation,
} from '../../contract/plan.ts';
import { balances, type Balance, type BalanceMeasure, type BlockMetrics } from './metrics.ts';

export {
  CROSSES_COMMUNITY, EMPTY_BLOCK, ISSUE_REASONS, LOW_POLSBY_POPPER, LOW_REOCK, NOT_CONTIGUOUS, UNBALANCED_EVENTS,
  UNBALANCED_HOUSEHOLDS, UNBALANCED_HOUSEHOLDS_PER_STAFF, UNBALANCED_RESIDENTS,
} from '../../contract/plan.ts';
export type { IssueReason, PlanIssue, PlanRules, Severity, Validation } from '../../contract/plan.ts';

const UNBALANCED: Record<BalanceMeasure, IssueReason> = {
  residents: UNBALANCED_RESIDENTS,
  households: UNBALANCED_HOUSEHOLDS,
  events: UNBALANCED_EVENTS,
  householdsPerStaff: UNBALANCED_HOUSEHOLDS_PER_STAFF,
};


/**
 * Defaults set just above what the published demo boundaries reach (so today's plan passes and a move that makes
 * things worse shows); a deployment sets its own per plan.
 */
export const DEFAULT_RULES: PlanRules = {
  minPolsbyPopper: 0.12, // the least compact published block scores 0.15
  minReock: 0.1, // the least compact published block scores 0.13
  maxDeviation: {
    residents: 1.5, // the least balanced subdistrict of the published plan: 1.35
    households: 1.5, // 1.37
    events: 6, // 5.3: workload clusters in hot spots
    householdsPerStaff: 2, // 1.72
  },
};




export interface ValidateOptions {
  rules?: PlanRules;
  /**
   * Blocks the plan changed. A block-level error on a block outside it was published so and is reported as an
   * inherited warning: a plan is held to what it changes. Omitted, every block counts as changed.
   */
  changed?: ReadonlySet<string>;
  balances?: readonly Balance[];
}

export function validatePlan(metrics: readonly BlockMetrics[], options: ValidateOptions = {}): Validation {
  const rules = options.rules ?? DEFAULT_RULES;
  const bal = options.balances ?? balances(metrics);
  const issues: PlanIssue[] = [];
  const blockError = (m: BlockMetrics, issue: Omit<PlanIssue, 'severity' | 'block'>) =>
    issues.push(
      !options.changed || options.changed.has(m.code)
        ? { ...issue, severity: 'error', block: m.code }
        : { ...issue, severity: 'warning', block: m.code, inherited: true },
    );
  for (const m of metrics) {
    if (m.buildings === 0) {
      blockError(m, { reason: EMPTY_BLOCK });
      continue;
    }
    if (m.components > m.pieces) blockError(m, { reason: NOT_CONTIGUOUS, value: m.components, limit: m.pieces });
    if (m.communities.length > 1 || m.communities[0] !== m.communityCode) blockError(m, { reason: CROSSES_COMMUNITY, blocks: m.communities });
    if (m.polsbyPopper < rules.minPolsbyPopper) issues.push({ reason: LOW_POLSBY_POPPER, severity: 'warning', block: m.code, value: m.polsbyPopper, limit: rules.minPolsbyPopper });
    if (m.reock < rules.minReock) issues.push({ reason: LOW_REOCK, severity: 'warning', block: m.code, value: m.reock, limit: rules.minReock });
  }
  const byCode = new Map(metrics.map((m) => [m.code, m]));
  for (const b of bal) {
    const limit = rules.maxDeviation[b.measure];
    if (b.deviation <= limit) continue;
    const ends = metrics.filter((m) => m.subdistrictCode === b.subdistrictCode && m.buildings > 0 && (m[b.measure] === b.min || m[b.measure] === b.max));
    issues.push({
      reason: UNBALANCED[b.measure],
      severity: 'warning',
      subdistrict: b.subdistrictCode,
      blocks: ends.map((m) => m.code).filter((c) => byCode.has(c)).sort(),
      value: b.deviation,
      limit,
    });
  }
  const errors = issues.filter((i) => i.severity === 'error').length;
  return { valid: errors === 0, errors, warnings: issues.length - errors, issues };
}
