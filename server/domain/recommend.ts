/**
 * Responder recommendation (一呼即应): ranks the staff who may handle a case by one explainable score. Pure: the
 * service supplies each candidate's road ETA (one reverse search from the event), ownership, open load and the
 * case's remaining time; nothing here reads a database or a clock.
 *
 * score = Σ WEIGHTS[k] · parts[k] over k ∈ {eta, ownership, load, sla}; every part and the score lie in 0..1, the
 * weights sum to 1, higher is better.
 *
 *   eta        ETA_HALF_S / (ETA_HALF_S + eta)         1 at the door, 0.5 at 10 minutes, 0.25 at 30 minutes;
 *                                                     0 without a position or a road path
 *   ownership  OWNERSHIP[kind]                         属地: the event's own block team or the responsible unit 1,
 *                                                     a neighbouring block's team 0.4, another unit of the tier 0.5
 *   load       LOAD_HALF / (LOAD_HALF + open)          1 with no open cases, 0.5 with 3, 0.25 with 9
 *   sla        1 − eta / max(remaining, SLA_FLOOR_S)   the share of the case's remaining time left after arrival
 *              (clamped to 0..1; 0 without an ETA;     — ≈1 for everyone while the deadline is far, so it only
 *              SLA_FLOOR_S = 30 minutes)              separates candidates when time is tight: then a near but
 *                                                     busier responder overtakes a far but idle one
 *
 * Reasons are short machine keys for the console to translate (see REASONS).
 */
import type { CandidateReason as Reason, ScoreParts } from '../contract/api.ts';

/** How much each part counts (they sum to 1). */
export const WEIGHTS = { eta: 0.4, ownership: 0.25, load: 0.2, sla: 0.15 } as const;

/** The ETA at which the eta part is 0.5, seconds. */
export const ETA_HALF_S = 600;
/** The open-case count at which the load part is 0.5. */
export const LOAD_HALF = 3;
/**
 * The sla part measures the ETA against the remaining time, but never against less than this (seconds): a case due
 * in minutes or already overdue still tells a 10-minute arrival from a 25-minute one.
 */
export const SLA_FLOOR_S = 1800;

/** How a candidate relates to the case (属地). */
export type Ownership = 'own-block' | 'neighbour-block' | 'responsible-unit' | 'other-unit';
export const OWNERSHIP: Record<Ownership, number> = {
  'own-block': 1,
  'responsible-unit': 1,
  'other-unit': 0.5,
  'neighbour-block': 0.4,
};
/** Owners of the case: its block team, or the responsible centre / department of its subdistrict. */
export const isOwner = (o: Ownership): boolean => o === 'own-block' || o === 'responsible-unit';

/** Thresholds of the reasons. */
export const NEAR_S = 300;
export const FAR_S = 1800;
export const LIGHT_LOAD = 1;
export const HEAVY_LOAD = 5;
/** A position older than this is reported as stale (its ETA still counts), seconds. */
export const STALE_POSITION_S = 2 * 3600;

// The reasons and score parts are the contract's: the console translates and shows them.
export { CANDIDATE_REASONS as REASONS, type CandidateReason as Reason, type ScoreParts } from '../contract/api.ts';

export interface CandidateInput {
  ownership: Ownership;
  /** Open cases assigned now. */
  openLoad: number;
  /** Road travel time to the case, seconds; null without a position or a road path. */
  etaSeconds: number | null;
  hasPosition: boolean;
  /** Age of the position fix, seconds (null: no position). */
  positionAgeSeconds?: number | null;
}

export interface Scored {
  /** Index into the input array. */
  index: number;
  score: number;
  parts: ScoreParts;
  reasons: Reason[];
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
const finiteEta = (eta: number | null): eta is number => eta !== null && Number.isFinite(eta) && eta >= 0;

/** The parts and score of one candidate, given the case's remaining time (seconds; ≤ 0 when overdue). */
export function scoreCandidate(c: CandidateInput, remainingSeconds: number): { score: number; parts: ScoreParts } {
  const eta = finiteEta(c.etaSeconds) ? c.etaSeconds : null;
  const parts: ScoreParts = {
    eta: eta === null ? 0 : ETA_HALF_S / (ETA_HALF_S + eta),
    ownership: OWNERSHIP[c.ownership],
    load: LOAD_HALF / (LOAD_HALF + Math.max(0, c.openLoad)),
    sla: eta === null ? 0 : clamp01(1 - eta / Math.max(remainingSeconds, SLA_FLOOR_S)),
  };
  const score = WEIGHTS.eta * parts.eta + WEIGHTS.ownership * parts.ownership + WEIGHTS.load * parts.load + WEIGHTS.sla * parts.sla;
  return { score: clamp01(score), parts };
}

/**
 * Scores and ranks candidates: best first; ties broken by ETA (known before unknown), then lighter load, then input
 * order (stable).
 */
export function rankCandidates(candidates: readonly CandidateInput[], remainingSeconds: number): Scored[] {
  let bestEta = Infinity;
  for (const c of candidates) if (finiteEta(c.etaSeconds) && c.etaSeconds < bestEta) bestEta = c.etaSeconds;
  const out = candidates.map((c, index): Scored => {
    const { score, parts } = scoreCandidate(c, remainingSeconds);
    const reasons: Reason[] = [c.ownership];
    const eta = finiteEta(c.etaSeconds) ? c.etaSeconds : null;
    if (!c.hasPosition) reasons.push('no-position');
    else if (eta === null) reasons.push('unreachable');
    else {
      if (eta === bestEta) reasons.push('nearest');
      else if (eta <= NEAR_S) reasons.push('near');
      if (eta > FAR_S) reasons.push('far');
      if (c.positionAgeSeconds != null && c.positionAgeSeconds > STALE_POSITION_S) reasons.push('stale-position');
    }
    if (c.openLoad <= LIGHT_LOAD) reasons.push('light-load');
    else if (c.openLoad >= HEAVY_LOAD) reasons.push('heavy-load');
    if (eta !== null) {
      if (eta > remainingSeconds) reasons.push('late');
      else if (eta > remainingSeconds / 2) reasons.push('sla-tight');
    }
    return { index, score, parts, reasons };
  });
  const etaKey = (i: number) => (finiteEta(candidates[i].etaSeconds) ? candidates[i].etaSeconds! : Infinity);
  out.sort((a, b) =>
    b.score - a.score || etaKey(a.index) - etaKey(b.index) || candidates[a.index].openLoad - candidates[b.index].openLoad || a.index - b.index);
  return out;
}

/** What a transition means for the case's active route: the responder got there, or the trip is off. */
export function routeOutcome(transition: string, toStatus: string): 'arrived' | 'cancelled' | null {
  // a hand-off (or a return to the dispatcher) ends the previous responder's trip
  if (transition === 'return' || transition === 'reassign' || transition === 'escalate') return 'cancelled';
  if (toStatus === 'arrived' || toStatus === 'resolved' || toStatus === 'closed' || toStatus === 'evaluated') return 'arrived';
  if (toStatus === 'rejected') return 'cancelled';
  return null;
}
