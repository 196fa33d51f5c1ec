/**
 * A boundary plan's membership: which block each building is in, the blocks alive, and per block its union polygon
 * and shape measures, cached and recomputed only for the blocks a delta touches (incremental: moving one building
 * recomputes two unions, not 667).
 */
import type { Areal } from '../../geo/plan/parcel-topology.ts';
import { shapeOf, type ShapeMeasures } from '../../geo/plan/shape.ts';
import type { BlockInfo, PlanDelta } from './delta.ts';
import type { PlanDistrict } from './district.ts';

interface Slot {
  info: BlockInfo;
  alive: boolean;
  members: Set<number>;
  sorted: number[] | null;
  geometry: Areal | null | undefined;
  shape: ShapeMeasures | null | undefined;
  contiguity: Contiguity | undefined;
}

export interface Contiguity {
  /** Connected groups of the block's parcels. */
  components: number;
  /** Pieces of the district the block's parcels lie in: a block split only where the district is split is whole. */
  pieces: number;
}

export class PlanState {
  readonly district: PlanDistrict;
  private readonly slots: Slot[] = [];
  private readonly slotByCode = new Map<string, number>();
  /** Codes held by any boundary version ever published: a retired code is never given out again. */
  readonly reserved = new Set<string>();
  /** Slot of each building (index into slots). */
  private readonly blockOf: Int32Array;

  private constructor(district: PlanDistrict) {
    this.district = district;
    this.blockOf = new Int32Array(district.size).fill(-1);
  }

  /** A plan from a published boundary version: its blocks and the block code of every building (by index). */
  static fromMembership(district: PlanDistrict, blocks: readonly BlockInfo[], codeOfBuilding: readonly string[]): PlanState {
    const s = new PlanState(district);
    for (const b of blocks) s.addSlot(b);
    codeOfBuilding.forEach((code, i) => {
      const slot = s.slotByCode.get(code);
      if (slot === undefined) throw new Error(`Building ${district.ids[i]} names block ${code}, which the version lacks`);
      s.blockOf[i] = slot;
      s.slots[slot].members.add(i);
    });
    const missing = s.blockOf.indexOf(-1);
    if (missing >= 0) throw new Error(`Building ${district.ids[missing]} is in no block`);
    return s;
  }

  /** An independent copy; `keepCaches` false makes every union and figure be computed again (benchmarks). */
  clone(keepCaches = true): PlanState {
    const s = new PlanState(this.district);
    for (const slot of this.slots) {
      s.slotByCode.set(slot.info.code, s.slots.length);
      const copy: Slot = { ...slot, info: { ...slot.info }, members: new Set(slot.members) };
      if (!keepCaches) s.touch(copy);
      s.slots.push(copy);
    }
    s.blockOf.set(this.blockOf);
    for (const c of this.reserved) s.reserved.add(c);
    return s;
  }

  /** Codes of the blocks alive, ascending. */
  codes(): string[] {
    return this.slots.filter((s) => s.alive).map((s) => s.info.code).sort();
  }

  /** Every code this plan has ever held, alive or not (codes are never reused). */
  allCodes(): string[] {
    return this.slots.map((s) => s.info.code);
  }

  has(code: string): boolean {
    const i = this.slotByCode.get(code);
    return i !== undefined && this.slots[i].alive;
  }

  info(code: string): BlockInfo {
    return this.slot(code).info;
  }

  /** Block code of the building at index i. */
  codeOf(i: number): string {
    return this.slots[this.blockOf[i]].info.code;
  }

  /** Building indices of a block, ascending. */
  members(code: string): readonly number[] {
    const s = this.slot(code);
    return (s.sorted ??= [...s.members].sort((a, b) => a - b));
  }

  /** The block's polygon: the union of its buildings' parcels (null when it has none). */
  geometry(code: string): Areal | null {
    const s = this.slot(code);
    if (s.geometry === undefined) s.geometry = this.district.topology.union(this.members(code));
    return s.geometry;
  }

  shape(code: string): ShapeMeasures | null {
    const s = this.slot(code);
    if (s.shape === undefined) {
      const g = this.geometry(code);
      s.shape = g ? shapeOf(g, this.district.frame) : null;
    }
    return s.shape;
  }

  contiguity(code: string): Contiguity {
    const s = this.slot(code);
    if (s.contiguity === undefined) s.contiguity = this.countComponents(s);
    return s.contiguity;
  }

  /** Blocks alive that share a parcel edge with the block. */
  neighbours(code: string): string[] {
    const self = this.slotByCode.get(code)!;
    const out = new Set<number>();
    const topo = this.district.topology;
    for (const i of this.members(code)) topo.forEachNeighbour(i, (j) => {
      const o = this.blockOf[j];
      if (o !== self) out.add(o);
    });
    return [...out].map((o) => this.slots[o].info.code).sort();
  }

  /** Blocks alive that share a parcel edge with any of the given buildings, outside their own blocks. */
  blocksAround(buildings: readonly number[]): string[] {
    const own = new Set(buildings.map((i) => this.blockOf[i]));
    const out = new Set<number>();
    for (const i of buildings) this.district.topology.forEachNeighbour(i, (j) => {
      if (!own.has(this.blockOf[j])) out.add(this.blockOf[j]);
    });
    return [...out].map((o) => this.slots[o].info.code).sort();
  }

  /** The block of every building as numbers (index into `codes`), for tight loops over many events. */
  assignment(): { codes: string[]; blockOf: Int32Array } {
    return { codes: this.slots.map((s) => s.info.code), blockOf: this.blockOf.slice() };
  }

  apply(d: PlanDelta): void {
    for (const b of d.created) {
      const i = this.slotByCode.get(b.code);
      if (i === undefined) this.addSlot(b);
      else (this.slots[i].alive = true), (this.slots[i].info = { ...b });
    }
    for (const [id, from, to] of d.moves) this.move(id, from, to);
    for (const code of d.retired) this.slot(code).alive = false;
  }

  revert(d: PlanDelta): void {
    for (const code of d.retired) this.slots[this.slotByCode.get(code)!].alive = true;
    for (let k = d.moves.length - 1; k >= 0; k--) this.move(d.moves[k][0], d.moves[k][2], d.moves[k][1]);
    for (const b of d.created) this.slot(b.code).alive = false;
  }

  private move(id: number, from: string, to: string): void {
    const i = this.district.indexOf(id);
    const a = this.slotByCode.get(from)!, b = this.slotByCode.get(to)!;
    if (i < 0 || this.blockOf[i] !== a) throw new Error(`Building ${id} is not in block ${from}`);
    this.blockOf[i] = b;
    this.slots[a].members.delete(i);
    this.slots[b].members.add(i);
    this.touch(this.slots[a]);
    this.touch(this.slots[b]);
  }

  private touch(s: Slot): void {
    s.sorted = null;
    s.geometry = undefined;
    s.shape = undefined;
    s.contiguity = undefined;
  }

  private addSlot(info: BlockInfo): void {
    if (this.slotByCode.has(info.code)) throw new Error(`Block ${info.code} twice`);
    this.slotByCode.set(info.code, this.slots.length);
    this.slots.push({ info: { ...info }, alive: true, members: new Set(), sorted: null, geometry: undefined, shape: undefined, contiguity: undefined });
  }

  private slot(code: string): Slot {
    const i = this.slotByCode.get(code);
    if (i === undefined) throw new Error(`No block ${code} in the plan`);
    return this.slots[i];
  }

  private countComponents(s: Slot): Contiguity {
    const self = this.slotByCode.get(s.info.code)!;
    const seen = new Set<number>();
    const pieces = new Set<number>();
    const topo = this.district.topology;
    let components = 0;
    for (const start of s.members) {
      pieces.add(topo.piece[start]);
      if (seen.has(start)) continue;
      components++;
      seen.add(start);
      const stack = [start];
      while (stack.length) {
        const i = stack.pop()!;
        topo.forEachNeighbour(i, (j) => {
          if (this.blockOf[j] === self && !seen.has(j)) seen.add(j), stack.push(j);
        });
      }
    }
    return { components, pieces: pieces.size };
  }
}
