/**
 * One step of a plan's edit history, stored as what it changed rather than what was asked: the buildings that moved
 * (by id, from one block code to another), the blocks it created and the blocks it retired. Applying a delta and
 * reverting it are exact inverses, so undo and redo return the same membership — and, the union being a function
 * of membership, byte-identical geometry.
 */
export interface BlockInfo {
  code: string;
  name: string;
  communityCode: string;
  subdistrictCode: string;
}

export type EditKind = 'move' | 'split' | 'merge' | 'create' | 'retire' | 'import';

export interface PlanDelta {
  kind: EditKind;
  /** [building id, from block code, to block code]. */
  moves: [number, string, string][];
  /** Blocks that come into being before the moves. */
  created: BlockInfo[];
  /** Blocks that cease to exist after the moves (empty by then). */
  retired: string[];
  /** One line for the history list, in the domain's words (codes, counts). */
  summary: string;
}
