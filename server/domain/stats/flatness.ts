/**
 * Flatness (扁平化): how many hands a case passes through and how long it waits between them. The reform wants no
 * relay stations (二传手, 中转站) between a resident and whoever acts.
 *
 * A hand-off (流转) is a log row naming an assignee other than the previous one named (the first assignment counts:
 * the dispatcher hands the case to someone). The wait after a hand-off is the time until the new assignee first
 * acts on the case (a later log row with that person as actor), or until the next hand-off if that comes first; a
 * hand-off still waiting has no wait yet and is not counted in it.
 */

export interface LogStep {
  at: number;
  actor_id: number | null;
  assignee_id: number | null;
}

export interface Flatness {
  handoffs: number;
  /** Sum of the measured waits (ms). */
  waitMs: number;
  /** How many hand-offs' waits are measured. */
  waits: number;
}

/** Flatness of one case from its log rows in order (by time, then id). */
export function flatnessOf(rows: readonly LogStep[]): Flatness {
  let handoffs = 0, waitMs = 0, waits = 0;
  let current: number | null = null;
  let pendingSince: number | null = null; // a hand-off whose assignee has not acted yet
  for (const r of rows) {
    if (pendingSince !== null && current !== null && r.actor_id === current) {
      waitMs += r.at - pendingSince;
      waits++;
      pendingSince = null;
    }
    if (r.assignee_id !== null && r.assignee_id !== current) {
      if (pendingSince !== null) {
        waitMs += r.at - pendingSince;
        waits++;
      }
      handoffs++;
      current = r.assignee_id;
      pendingSince = r.at;
    }
  }
  return { handoffs, waitMs, waits };
}
