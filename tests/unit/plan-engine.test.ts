/**
 * The boundary-plan engine on the seeded Yuhu district: random edit sequences keep the blocks tiling the district
 * (the foundation's area-sum and overlap checks), undo and redo return byte-identical geometry, each edit does what
 * it says, and every validation reason has a plan that triggers it.
 */
import area from '@turf/area';
import bbox from '@turf/bbox';
import Flatbush from 'flatbush';
import polygonClipping from 'polygon-clipping';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { createRng } from '../../server/domain/prng.ts';
import { createEdit, mergeEdit, moveEdit, retireEdit, splitEdit } from '../../server/domain/plan/edits.ts';
import { planMetrics, type PlanInputs } from '../../server/domain/plan/metrics.ts';
import { PlanSession } from '../../server/domain/plan/session.ts';
import type { PlanState } from '../../server/domain/plan/state.ts';
import {
  CROSSES_COMMUNITY, DEFAULT_RULES, EMPTY_BLOCK, ISSUE_REASONS, LOW_POLSBY_POPPER, LOW_REOCK, NOT_CONTIGUOUS,
  UNBALANCED_EVENTS, UNBALANCED_HOUSEHOLDS, UNBALANCED_HOUSEHOLDS_PER_STAFF, UNBALANCED_RESIDENTS, validatePlan,
  type IssueReason, type PlanRules,
} from '../../server/domain/plan/validate.ts';
import { sideOfLine } from '../../server/geo/plan/line-side.ts';
import type { Areal } from '../../server/geo/plan/parcel-topology.ts';
import { PlanWorkspace } from '../../server/services/plan-workspace.ts';
import type { PlanDelta } from '../../server/domain/plan/delta.ts';

type MP = polygonClipping.MultiPolygon;
const coordsOf = (g: Areal) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as MP;

let ws: PlanWorkspace;
let base: PlanState;
let districtArea: number;
let inputs: PlanInputs;

beforeAll(() => {
  const db = openDatabase(inject('seededDb'), { readonly: true });
  ws = new PlanWorkspace(db);
  base = ws.base(1);
  districtArea = base.codes().reduce((t, c) => t + area(base.geometry(c)!), 0);
  const staff = new Map<string, number>();
  for (const t of ws.q.teams(1, inject('seedNow'))) if (t.role !== 'supervisor') staff.set(t.block_code, (staff.get(t.block_code) ?? 0) + 1);
  const ev = ws.replayEvents(inject('seedNow'));
  const perBuilding = new Int32Array(base.district.size);
  for (const b of ev.building) if (b >= 0) perBuilding[b]++;
  inputs = { eventsPerBuilding: perBuilding, staff };
}, 60_000);

/** One random edit that the engine accepts (a few tries), as a delta. */
function randomEdit(s: PlanState, rng: ReturnType<typeof createRng>): PlanDelta {
  const d = s.district;
  for (;;) {
    const codes = s.codes().filter((c) => s.members(c).length > 0);
    const code = rng.pick(codes);
    const kind = rng.pick(['move', 'move', 'split', 'merge', 'create', 'retire'] as const);
    try {
      if (kind === 'move') {
        const members = s.members(code);
        const i = rng.pick(members);
        const around = s.blocksAround([i]);
        if (around.length === 0) continue;
        return moveEdit(s, [d.ids[i]], rng.pick(around));
      }
      if (kind === 'split') {
        const m = s.members(code);
        const i = rng.pick(m);
        const angle = rng.range(0, Math.PI);
        const r = 0.003;
        return splitEdit(s, code, [
          [d.lon[i] - r * Math.cos(angle), d.lat[i] - r * Math.sin(angle)],
          [d.lon[i] + r * Math.cos(angle), d.lat[i] + r * Math.sin(angle)],
        ]);
      }
      if (kind === 'merge') {
        const n = s.neighbours(code);
        if (n.length === 0) continue;
        return mergeEdit(s, code, rng.pick(n));
      }
      if (kind === 'create') {
        const i = rng.pick(s.members(code));
        const pick = [d.ids[i]];
        d.topology.forEachNeighbour(i, (j) => { if (rng.chance(0.5)) pick.push(d.ids[j]); });
        return createEdit(s, pick);
      }
      return retireEdit(s, code);
    } catch {
      // an edit the plan refuses (a line that misses, …): draw another
    }
  }
}

function geometrySnapshot(s: PlanState): string {
  return JSON.stringify(s.codes().map((c) => [c, s.geometry(c)]));
}

describe('boundary plan engine', () => {
  it('keeps the blocks tiling the district through 80 random edits: area sum, no overlaps, every building in one block', () => {
    const rng = createRng(20261204);
    const session = new PlanSession(base);
    const touched = new Set<string>();
    for (let k = 0; k < 80; k++) {
      const delta = randomEdit(session.state, rng);
      session.edit(delta);
      for (const [, from, to] of delta.moves) touched.add(from), touched.add(to);
    }
    const s = session.state;
    const codes = s.codes();
    const seen = new Set<number>();
    for (const c of codes) for (const i of s.members(c)) {
      expect(seen.has(i), `building ${i} twice`).toBe(false);
      seen.add(i);
    }
    expect(seen.size).toBe(s.district.size);
    const sum = codes.reduce((t, c) => t + (s.geometry(c) ? area(s.geometry(c)!) : 0), 0);
    expect(Math.abs(sum - districtArea) / districtArea).toBeLessThan(1e-9);

    // Overlap of every touched block with every block whose box meets it, as the foundation checks the seed.
    const alive = codes.filter((c) => s.geometry(c));
    const index = new Flatbush(alive.length);
    const boxes = alive.map((c) => bbox(s.geometry(c)!));
    for (const [a, b, c2, e] of boxes) index.add(a, b, c2, e);
    index.finish();
    let overlap = 0;
    alive.forEach((c, i) => {
      if (!touched.has(c)) return;
      for (const j of index.search(...(boxes[i] as [number, number, number, number]))) {
        if (j === i) continue;
        overlap += area({ type: 'MultiPolygon', coordinates: polygonClipping.intersection(coordsOf(s.geometry(c)!), coordsOf(s.geometry(alive[j])!)) });
      }
    });
    expect(overlap / districtArea).toBeLessThan(1e-6);
    expect(touched.size).toBeGreaterThan(40);
  }, 120_000);

  it('undo returns byte-identical geometry, and redo the edited geometry, through 60 edits', () => {
    const rng = createRng(7);
    const session = new PlanSession(base);
    const before = geometrySnapshot(session.state);
    for (let k = 0; k < 60; k++) session.edit(randomEdit(session.state, rng));
    const after = geometrySnapshot(session.state);
    let undone = 0;
    while (session.undo()) undone++;
    expect(undone).toBe(60);
    expect(geometrySnapshot(session.state)).toBe(before);
    while (session.redo());
    expect(geometrySnapshot(session.state)).toBe(after);
    // A session rebuilt from the stored deltas and cursor is the same plan.
    const rebuilt = new PlanSession(base, JSON.parse(JSON.stringify(session.history)) as PlanDelta[], 60);
    expect(geometrySnapshot(rebuilt.state)).toBe(after);
  }, 120_000);

  it('splits a block along a line: each building goes to its side, the larger side keeps the code', () => {
    const s = base.clone();
    const code = s.codes().find((c) => s.members(c).length >= 12)!;
    const d = s.district;
    const m = s.members(code);
    const lon = m.reduce((t, i) => t + d.lon[i], 0) / m.length;
    const line: [number, number][] = [[lon, 0], [lon, 90]].map(([x, y]) => [x, y === 0 ? d.lat[m[0]] - 1 : d.lat[m[0]] + 1]) as [number, number][];
    const delta = splitEdit(s, code, line);
    s.apply(delta);
    const other = delta.created[0].code;
    expect(other.slice(0, 12)).toBe(code.slice(0, 12));
    expect(Number(other.slice(12))).toBeGreaterThan(Math.max(...base.codes().filter((c) => c.startsWith(code.slice(0, 12))).map((c) => Number(c.slice(12)))));
    const sideOf = (i: number) => sideOfLine(line, d.lon[i], d.lat[i], d.frame) >= 0;
    const keep = new Set(s.members(code).map(sideOf));
    const moved = new Set(s.members(other).map(sideOf));
    expect(keep.size).toBe(1);
    expect(moved.size).toBe(1);
    expect([...keep][0]).not.toBe([...moved][0]);
    expect(s.members(code).length + s.members(other).length).toBe(m.length);
    expect(() => splitEdit(s, code, [[0, 0], [0.1, 0.1]])).toThrow(/does not cross/);
  });

  it('merges adjacent blocks only, retires a block into its neighbours, and never gives a retired code again', () => {
    const s = base.clone();
    const [a, b] = [s.codes()[0], s.neighbours(s.codes()[0])[0]];
    const far = s.codes().find((c) => !s.neighbours(a).includes(c) && c !== a)!;
    expect(() => mergeEdit(s, a, far)).toThrow(/do not touch/);
    s.apply(mergeEdit(s, a, b));
    expect(s.has(b)).toBe(false);
    const target = s.codes().find((c) => c.startsWith(a.slice(0, 12)) && c !== a)!;
    const heirs = s.neighbours(target);
    const members = s.members(target).length;
    s.apply(retireEdit(s, target));
    expect(s.has(target)).toBe(false);
    const grown = heirs.reduce((t, h) => t + s.members(h).length, 0);
    expect(grown).toBeGreaterThanOrEqual(members);
    const i = s.members(a)[0];
    const created = createEdit(s, [s.district.ids[i]]).created[0].code;
    expect([b, target]).not.toContain(created);
    expect(base.reserved.has(created)).toBe(false);
  });

  describe('validation reasons', () => {
    const reasonsOf = (s: PlanState, rules: PlanRules = DEFAULT_RULES, changed?: Set<string>) =>
      new Set(validatePlan(planMetrics(s, inputs), { rules, changed }).issues.filter((i) => !i.inherited).map((i) => i.reason));
    const seen = new Set<IssueReason>();
    const expectReason = (got: Set<IssueReason>, r: IssueReason) => {
      expect(got.has(r), `${r} in ${[...got].join(', ')}`).toBe(true);
      seen.add(r);
    };

    it('the published plan has no errors of its own (its non-contiguous blocks are inherited warnings)', () => {
      const v = validatePlan(planMetrics(base, inputs), { changed: new Set() });
      expect(v.errors).toBe(0);
      expect(v.issues.filter((i) => i.reason === NOT_CONTIGUOUS).every((i) => i.inherited && i.severity === 'warning')).toBe(true);
      expect(v.issues.filter((i) => !i.inherited)).toEqual([]);
    });

    it(EMPTY_BLOCK, () => {
      const s = base.clone();
      const a = s.codes()[5];
      const to = s.neighbours(a).find((n) => s.info(n).communityCode === s.info(a).communityCode)!;
      s.apply(moveEdit(s, s.members(a).map((i) => s.district.ids[i]), to));
      expectReason(reasonsOf(s), EMPTY_BLOCK);
    });

    it(NOT_CONTIGUOUS, () => {
      const s = base.clone();
      // Two buildings of one community that do not touch, made one block.
      const code = s.codes().find((c) => s.members(c).length > 10)!;
      const m = s.members(code);
      const a = m[0];
      const b = m.find((j) => j !== a && !isNeighbour(s, a, j))!;
      s.apply(createEdit(s, [s.district.ids[a], s.district.ids[b]]));
      const issues = validatePlan(planMetrics(s, inputs)).issues;
      expectReason(new Set(issues.map((i) => i.reason)), NOT_CONTIGUOUS);
    });

    it(CROSSES_COMMUNITY, () => {
      const s = base.clone();
      const d = s.district;
      let pair: [number, number] | null = null;
      for (let i = 0; i < d.size && !pair; i++) d.topology.forEachNeighbour(i, (j) => {
        if (!pair && d.communityOf[i] !== d.communityOf[j]) pair = [i, j];
      });
      const [i, j] = pair!;
      s.apply(moveEdit(s, [d.ids[i]], s.codeOf(j)));
      expectReason(reasonsOf(s), CROSSES_COMMUNITY);
    });

    it(`${LOW_POLSBY_POPPER} and ${LOW_REOCK} under their configured floors`, () => {
      const strict = { ...DEFAULT_RULES, minPolsbyPopper: 0.3, minReock: 0.3 };
      const got = reasonsOf(base, strict, new Set());
      expectReason(got, LOW_POLSBY_POPPER);
      expectReason(got, LOW_REOCK);
      // A long chain of buildings made one block is ragged under the default floors too.
      const s = base.clone();
      const d = s.district;
      const start = s.members(s.codes()[0])[0];
      const chain = [start];
      const used = new Set(chain);
      while (chain.length < 14) {
        let next = -1, far = -Infinity;
        d.topology.forEachNeighbour(chain[chain.length - 1], (j) => {
          const dist = Math.hypot(d.lon[j] - d.lon[start], d.lat[j] - d.lat[start]);
          if (!used.has(j) && d.communityOf[j] === d.communityOf[start] && dist > far) (far = dist), (next = j);
        });
        if (next < 0) break;
        chain.push(next), used.add(next);
      }
      s.apply(createEdit(s, chain.map((i) => d.ids[i])));
      const created = s.codes().find((c) => !base.has(c))!;
      const m = planMetrics(s, inputs).find((x) => x.code === created)!;
      expect(m.polsbyPopper).toBeLessThan(planMetrics(base, inputs).reduce((t, x) => t + x.polsbyPopper, 0) / 667);
    });

    it('unbalanced residents, households, events and households per staff member over their thresholds', () => {
      // Merging a subdistrict's blocks into one drives every balance measure apart.
      const s = base.clone();
      const sub = s.info(s.codes()[0]).subdistrictCode;
      const community = s.info(s.codes()[0]).communityCode;
      let grow = s.codes()[0];
      for (let k = 0; k < 8; k++) {
        const n = s.neighbours(grow).find((c) => s.info(c).communityCode === community);
        if (!n) break;
        s.apply(mergeEdit(s, grow, n));
      }
      const got = reasonsOf(s, DEFAULT_RULES);
      for (const r of [UNBALANCED_RESIDENTS, UNBALANCED_HOUSEHOLDS, UNBALANCED_EVENTS, UNBALANCED_HOUSEHOLDS_PER_STAFF] as const) expectReason(got, r);
      const v = validatePlan(planMetrics(s, inputs));
      expect(v.issues.find((i) => i.reason === UNBALANCED_HOUSEHOLDS)!.subdistrict).toBe(sub);
    });

    it('covers every reason', () => {
      expect([...seen].sort()).toEqual([...ISSUE_REASONS].sort());
    });
  });
});

function isNeighbour(s: PlanState, a: number, b: number): boolean {
  let yes = false;
  s.district.topology.forEachNeighbour(a, (j) => { if (j === b) yes = true; });
  return yes;
}
