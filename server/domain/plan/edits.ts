/**
 * The planner's edits, each turned into a delta (delta.ts) against the current state without changing it: move
 * buildings into another block, split a block along a drawn line, merge two adjacent blocks, create a block from
 * buildings, retire a block by dissolving it into its neighbours. An edit that cannot be made as asked is refused
 * (INVALID_PLAN_EDIT) with the reason; an edit that can be made but leaves the plan invalid is made, and validation
 * says what is wrong — a planner often passes through an invalid state on the way to a valid one.
 */
import { sideOfLine } from '../../geo/plan/line-side.ts';
import { INVALID_PLAN_EDIT, refuse } from '../refusal.ts';
import { blockName, nextBlockCode } from './codes.ts';
import type { BlockInfo, PlanDelta } from './delta.ts';
import type { PlanState } from './state.ts';

export type LonLatPair = readonly [number, number];

const invalid = (detail: string, facts?: Record<string, unknown>) => refuse(INVALID_PLAN_EDIT, detail, facts ? { facts } : {});

function alive(s: PlanState, code: string): void {
  if (!s.has(code)) throw invalid(`No block ${code} in this plan`, { block: code });
}

function indicesOf(s: PlanState, ids: readonly number[]): number[] {
  if (ids.length === 0) throw invalid('No buildings selected');
  const out = new Set<number>();
  for (const id of ids) {
    const i = s.district.indexOf(id);
    if (i < 0) throw invalid(`No building ${id}`, { building: id });
    out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

function newBlock(s: PlanState, communityCode: string): BlockInfo {
  const c = s.district.communities.get(communityCode);
  if (!c) throw invalid(`No community ${communityCode}`);
  const code = nextBlockCode(communityCode, [...s.allCodes(), ...s.reserved]);
  return { code, name: blockName(c.name, code), communityCode, subdistrictCode: c.subdistrictCode };
}

/** Moves the buildings (ids) into block `to`; buildings already there stay. */
export function moveEdit(s: PlanState, ids: readonly number[], to: string): PlanDelta {
  alive(s, to);
  const moves: PlanDelta['moves'] = [];
  for (const i of indicesOf(s, ids)) {
    const from = s.codeOf(i);
    if (from !== to) moves.push([s.district.ids[i], from, to]);
  }
  if (moves.length === 0) throw invalid(`Every selected building is in ${to} already`, { block: to });
  return { kind: 'move', moves, created: [], retired: [], summary: `${moves.length} → ${to}` };
}

/**
 * Splits a block along a line (lon/lat vertices): each building goes to the side it stands on. The side with more
 * households keeps the code; the other side becomes a new block.
 */
export function splitEdit(s: PlanState, code: string, line: readonly LonLatPair[]): PlanDelta {
  alive(s, code);
  if (line.length < 2) throw invalid('A split line needs at least two points');
  const d = s.district;
  const left: number[] = [], right: number[] = [];
  let hLeft = 0, hRight = 0;
  for (const i of s.members(code)) {
    if (sideOfLine(line, d.lon[i], d.lat[i], d.frame) >= 0) left.push(i), (hLeft += d.households[i]);
    else right.push(i), (hRight += d.households[i]);
  }
  if (left.length === 0 || right.length === 0) {
    throw invalid(`The line does not cross block ${code}: all of its buildings are on one side`, { block: code });
  }
  const moving = hLeft >= hRight ? right : left;
  const created = newBlock(s, s.info(code).communityCode);
  return {
    kind: 'split',
    moves: moving.map((i) => [d.ids[i], code, created.code]),
    created: [created],
    retired: [],
    summary: `${code} → ${code} + ${created.code}`,
  };
}

/** Merges block b into block a (a keeps its code; b is retired). They must share an edge. */
export function mergeEdit(s: PlanState, a: string, b: string): PlanDelta {
  alive(s, a);
  alive(s, b);
  if (a === b) throw invalid('A block cannot be merged with itself', { block: a });
  if (!s.neighbours(a).includes(b)) throw invalid(`Blocks ${a} and ${b} do not touch`, { blocks: [a, b] });
  return {
    kind: 'merge',
    moves: s.members(b).map((i) => [s.district.ids[i], b, a]),
    created: [],
    retired: [b],
    summary: `${a} + ${b} → ${a}`,
  };
}

/** A new block of the selected buildings, in the community most of them belong to. */
export function createEdit(s: PlanState, ids: readonly number[]): PlanDelta {
  const idx = indicesOf(s, ids);
  const count = new Map<string, number>();
  for (const i of idx) count.set(s.district.communityOf[i], (count.get(s.district.communityOf[i]) ?? 0) + 1);
  const community = [...count].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0][0];
  const created = newBlock(s, community);
  return {
    kind: 'create',
    moves: idx.map((i) => [s.district.ids[i], s.codeOf(i), created.code]),
    created: [created],
    retired: [],
    summary: `${idx.length} → ${created.code}`,
  };
}

/**
 * Retires a block, handing each of its buildings to a neighbouring block: the neighbours grow into it one parcel
 * ring at a time (breadth first, in building order), preferring neighbours of the same community.
 */
export function retireEdit(s: PlanState, code: string): PlanDelta {
  alive(s, code);
  const community = s.info(code).communityCode;
  const all = s.neighbours(code);
  if (all.length === 0) throw invalid(`Block ${code} has no neighbour to take its buildings`, { block: code });
  const same = all.filter((n) => s.info(n).communityCode === community);
  const heirs = new Set(same.length > 0 ? same : all);
  const members = new Set(s.members(code));
  const owner = new Map<number, string>();
  let frontier: number[] = [];
  const topo = s.district.topology;
  for (const i of s.members(code)) {
    let best: string | null = null;
    topo.forEachNeighbour(i, (j) => {
      const c = s.codeOf(j);
      if (!members.has(j) && heirs.has(c) && (best === null || c < best)) best = c;
    });
    if (best !== null) owner.set(i, best), frontier.push(i);
  }
  while (frontier.length) {
    const next: number[] = [];
    for (const i of frontier) topo.forEachNeighbour(i, (j) => {
      if (members.has(j) && !owner.has(j)) owner.set(j, owner.get(i)!), next.push(j);
    });
    frontier = next.sort((x, y) => x - y);
  }
  // Parcels reachable only through another piece of the district go to the first heir.
  for (const i of s.members(code)) if (!owner.has(i)) owner.set(i, [...heirs][0]);
  return {
    kind: 'retire',
    moves: s.members(code).map((i) => [s.district.ids[i], code, owner.get(i)!]),
    created: [],
    retired: [code],
    summary: `${code} → ${[...new Set(owner.values())].sort().join(', ')}`,
  };
}
