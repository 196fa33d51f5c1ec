/** The assignee proposed for a new case: the block's governor, or the least-loaded handler of the responsible unit. */
import type { Category, Tier } from '../contract/taxonomy.ts';

export interface Candidate {
  staffId: number;
  unitId: number;
  /** Open cases assigned to this person now. */
  open: number;
}

export interface Proposal {
  tier: Tier;
  /** The responsible unit (null for the block tier). */
  unitId: number | null;
  assigneeId: number | null;
}

/**
 * Who should handle it: block tier → the block's governor; centre tier → a staff member of that centre of the
 * subdistrict; department tier → an officer of that department posted to the subdistrict; the least open load
 * wins, ties to the lower staff id. `candidates` are the unit's handlers (the service picks the unit by key).
 */
export function proposeAssignee(
  category: Category,
  blockGovernor: number | null,
  unitId: number | null,
  candidates: readonly Candidate[],
): Proposal {
  if (category.tier === 'block') return { tier: 'block', unitId: null, assigneeId: blockGovernor };
  let best: Candidate | null = null;
  for (const c of candidates) if (!best || c.open < best.open || (c.open === best.open && c.staffId < best.staffId)) best = c;
  return { tier: category.tier, unitId, assigneeId: best?.staffId ?? null };
}
