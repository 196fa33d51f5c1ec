/**
 * A draft being edited: the published membership it started from, the deltas made since (its edit history) and a
 * cursor — deltas before it are applied, those after it were undone and can be redone. A new edit drops the redo
 * tail, as editors do. The history has no cap (a draft's deltas are small), so undo always reaches the start.
 */
import type { PlanDelta } from './delta.ts';
import type { PlanState } from './state.ts';

export class PlanSession {
  readonly base: PlanState;
  readonly state: PlanState;
  private readonly deltas: PlanDelta[];
  private at: number;

  constructor(base: PlanState, deltas: readonly PlanDelta[] = [], cursor = deltas.length) {
    if (cursor < 0 || cursor > deltas.length) throw new Error(`Cursor ${cursor} outside a history of ${deltas.length}`);
    this.base = base;
    this.state = base.clone();
    this.deltas = [...deltas];
    this.at = cursor;
    for (let i = 0; i < cursor; i++) this.state.apply(this.deltas[i]);
  }

  get cursor(): number {
    return this.at;
  }

  get history(): readonly PlanDelta[] {
    return this.deltas;
  }

  canUndo(): boolean {
    return this.at > 0;
  }

  canRedo(): boolean {
    return this.at < this.deltas.length;
  }

  edit(d: PlanDelta): void {
    this.deltas.length = this.at;
    this.state.apply(d);
    this.deltas.push(d);
    this.at++;
  }

  undo(): PlanDelta | null {
    if (!this.canUndo()) return null;
    const d = this.deltas[--this.at];
    this.state.revert(d);
    return d;
  }

  redo(): PlanDelta | null {
    if (!this.canRedo()) return null;
    const d = this.deltas[this.at++];
    this.state.apply(d);
    return d;
  }

  /** Codes of the blocks the applied edits touched (moved into or out of, created or retired). */
  changedCodes(): Set<string> {
    const out = new Set<string>();
    for (let i = 0; i < this.at; i++) {
      const d = this.deltas[i];
      for (const [, from, to] of d.moves) out.add(from), out.add(to);
      for (const b of d.created) out.add(b.code);
      for (const c of d.retired) out.add(c);
    }
    return out;
  }
}
