/**
 * Boundary planning (/plan): drafts over the published boundary version, edits with undo and redo under optimistic
 * concurrency (a write names the revision it saw; a stale one is refused, STALE_PLAN), the draft's blocks with
 * their figures, validation, the published version beside it, the what-if replay of past events, and the diff.
 * Publishing and GeoJSON import/export live in plan-publish.ts and plan-files.ts.
 */
import type { Areal } from '../geo/plan/parcel-topology.ts';
import type { Db } from '../db/database.ts';
import { planCommands, type PlanCommands } from '../db/commands/plans.ts';
import type { PlanRow } from '../db/queries/plans.ts';
import type { BlockInfo, EditKind, PlanDelta } from '../domain/plan/delta.ts';
import { createEdit, mergeEdit, moveEdit, retireEdit, splitEdit, type LonLatPair } from '../domain/plan/edits.ts';
import { balances, planMetrics, worstOffenders, type Balance, type BlockMetrics, type Offender, type PlanInputs } from '../domain/plan/metrics.ts';
import { eventsPerBuilding, monthsBefore, replayEvents, type ReplayResult } from '../domain/plan/replay.ts';
import type { PlanSession } from '../domain/plan/session.ts';
import type { PlanState } from '../domain/plan/state.ts';
import { DEFAULT_RULES, validatePlan, type PlanRules, type Validation } from '../domain/plan/validate.ts';
import { INVALID_PARAMETER, NOT_FOUND, refuse, STALE_PLAN } from '../domain/refusal.ts';
import { callerName, type Caller } from '../domain/principal.ts';
import { createAudit } from './audit.ts';
import { PlanWorkspace, REPLAY_MAX_MONTHS } from './plan-workspace.ts';

export type PlanEditInput =
  | { op: 'move'; buildings: number[]; to: string }
  | { op: 'split'; block: string; line: LonLatPair[] }
  | { op: 'merge'; blocks: [string, string] }
  | { op: 'create'; buildings: number[] }
  | { op: 'retire'; block: string };

export interface PlanHistoryItem {
  seq: number;
  kind: EditKind;
  summary: string;
  author: string;
  at: number;
  /** Undone (after the cursor): redo brings it back; a new edit drops it. */
  undone: boolean;
}

export interface PlanView {
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
  createdAt: number;
  updatedAt: number;
  history: PlanHistoryItem[];
}

export interface PlanBlock {
  code: string;
  geometry: Areal | null;
  metrics: BlockMetrics;
}

export interface PlanSide {
  blocks: BlockMetrics[];
  balances: Balance[];
  worst: Offender[];
  totals: { blocks: number; residents: number; households: number; events: number; staff: number };
}

export interface EditResult {
  plan: PlanView;
  /** The blocks the edit (or undo/redo) touched that are alive now, with geometry and figures. */
  blocks: PlanBlock[];
  /** Codes the step took out of the plan. */
  removed: string[];
  validation: Validation;
}

export interface PlanDiff {
  blocks: { code: string; change: 'added' | 'removed' | 'changed' }[];
  moved: { building: number; from: string; to: string }[];
}

export function mergeRules(raw: unknown): PlanRules {
  const r = (raw ?? {}) as Partial<PlanRules>;
  return { ...DEFAULT_RULES, ...r, maxDeviation: { ...DEFAULT_RULES.maxDeviation, ...(r.maxDeviation ?? {}) } };
}

export function createPlanService(deps: { db: Db; now: () => number }) {
  const ws = new PlanWorkspace(deps.db);
  const cmd: PlanCommands = planCommands(deps.db);
  const q = ws.q;
  const audit = createAudit(deps.db, deps.now);
  /** The write and its audit row commit together. */
  const audited = <T>(caller: Caller, action: string, target: string, write: () => T, after?: (r: T) => unknown): T =>
    deps.db.transaction(() => {
      const r = write();
      audit.record(caller, { action, target, ...(after ? { after: after(r) } : {}) });
      return r;
    })();

  const row = (id: number): PlanRow => {
    const p = q.plan(id);
    if (!p) throw refuse(NOT_FOUND, `No plan ${id}`);
    return p;
  };
  const sessionOf = (p: PlanRow): PlanSession => ws.session(p.id, p.base_version_id, p.revision, p.cursor);
  const view = (p: PlanRow): PlanView => {
    const edits = q.edits(p.id);
    return {
      id: p.id, name: p.name, description: p.description, author: p.author, status: p.status,
      baseVersionId: p.base_version_id, publishedVersionId: p.published_version_id, revision: p.revision,
      cursor: p.cursor, canUndo: p.status === 'draft' && p.cursor > 0, canRedo: p.status === 'draft' && p.cursor < edits.length,
      rules: mergeRules(JSON.parse(p.rules)), createdAt: p.created_at, updatedAt: p.updated_at,
      history: edits.map((e) => {
        const d = JSON.parse(e.delta) as PlanDelta;
        return { seq: e.seq, kind: d.kind, summary: d.summary, author: e.author, at: e.at, undone: e.seq >= p.cursor };
      }),
    };
  };
  const draftRow = (id: number, revision: number): PlanRow => {
    const p = row(id);
    if (p.status !== 'draft') throw refuse(STALE_PLAN, `Plan ${id} was published; it can no longer change`, { facts: { revision: p.revision } });
    if (p.revision !== revision) {
      throw refuse(STALE_PLAN, `Plan ${id} is at revision ${p.revision}, not ${revision}: reload it and edit again`, { facts: { revision: p.revision } });
    }
    return p;
  };

  /** Per-block inputs: events of the last 12 months per building and the handling staff of the base version. */
  const inputsFor = (baseVersionId: number): PlanInputs => {
    const now = deps.now();
    const ev = ws.replayEvents(now);
    const staff = new Map<string, number>();
    for (const t of q.teams(baseVersionId, now)) if (t.role !== 'supervisor') staff.set(t.block_code, (staff.get(t.block_code) ?? 0) + 1);
    return { eventsPerBuilding: eventsPerBuilding(ev, ws.district().size, monthsBefore(now, 12), now), staff };
  };

  const side = (s: PlanState, inputs: PlanInputs): PlanSide => {
    const blocks = planMetrics(s, inputs);
    const bal = balances(blocks);
    let residents = 0, households = 0, events = 0, staff = 0;
    for (const b of blocks) (residents += b.residents), (households += b.households), (events += b.events), (staff += b.staff);
    return { blocks, balances: bal, worst: worstOffenders(blocks, bal), totals: { blocks: blocks.length, residents, households, events, staff } };
  };

  const validationOf = (p: PlanRow, session: PlanSession, inputs = inputsFor(p.base_version_id)): Validation => {
    const metrics = planMetrics(session.state, inputs);
    return validatePlan(metrics, { rules: mergeRules(JSON.parse(p.rules)), changed: session.changedCodes() });
  };

  const stepResult = (p: PlanRow, session: PlanSession, delta: PlanDelta): EditResult => {
    const codes = new Set<string>();
    for (const [, from, to] of delta.moves) codes.add(from), codes.add(to);
    for (const b of delta.created) codes.add(b.code);
    for (const c of delta.retired) codes.add(c);
    const inputs = inputsFor(p.base_version_id);
    const s = session.state;
    const alive = [...codes].filter((c) => s.has(c)).sort();
    const metrics = new Map(planMetrics(s, inputs).map((m) => [m.code, m]));
    return {
      plan: view(row(p.id)),
      blocks: alive.map((code) => ({ code, geometry: s.geometry(code), metrics: metrics.get(code)! })),
      removed: [...codes].filter((c) => !s.has(c)).sort(),
      validation: validatePlan([...metrics.values()], { rules: mergeRules(JSON.parse(p.rules)), changed: session.changedCodes() }),
    };
  };

  const deltaOf = (s: PlanState, e: PlanEditInput): PlanDelta => {
    switch (e.op) {
      case 'move': return moveEdit(s, e.buildings, e.to);
      case 'split': return splitEdit(s, e.block, e.line);
      case 'merge': return mergeEdit(s, e.blocks[0], e.blocks[1]);
      case 'create': return createEdit(s, e.buildings);
      case 'retire': return retireEdit(s, e.block);
    }
  };

  return {
    workspace: ws,
    list: (): PlanView[] => q.plans().map(view),
    get: (id: number): PlanView => view(row(id)),

    create(input: { name: string; description: string; rules?: Partial<PlanRules> }, caller: Caller): PlanView {
      const base = q.latestVersionId();
      if (base === null) throw refuse(NOT_FOUND, 'There is no published boundary version to plan from');
      const id = audited(caller, 'plan.create', '', () => cmd.create({
        base_version_id: base, name: input.name, description: input.description, author: callerName(caller),
        rules: JSON.stringify(input.rules ?? {}), at: deps.now(),
      }), (id) => ({ plan: id, baseVersion: base }));
      return view(row(id));
    },

    /** A draft that starts from a delta of its own (an imported boundary file). */
    createWithDelta(input: { name: string; description: string }, baseVersionId: number, delta: PlanDelta, caller: Caller): PlanView {
      const author = callerName(caller);
      const id = audited(caller, 'plan.import', '', () => {
        const id = cmd.create({ base_version_id: baseVersionId, name: input.name, description: input.description, author, rules: '{}', at: deps.now() });
        if (delta.moves.length > 0 || delta.created.length > 0 || delta.retired.length > 0) cmd.appendEdit(id, 0, 0, JSON.stringify(delta), author, deps.now());
        return id;
      }, (id) => ({ plan: id, summary: delta.summary }));
      return view(row(id));
    },

    update(id: number, revision: number, patch: { name?: string; description?: string; rules?: Partial<PlanRules> }, caller: Caller): PlanView {
      const p = draftRow(id, revision);
      const rules = patch.rules === undefined ? p.rules : JSON.stringify({ ...JSON.parse(p.rules), ...patch.rules });
      const ok = audited(caller, 'plan.update', `plan:${id}`, () => cmd.updateMeta({ id, revision, name: patch.name ?? p.name, description: patch.description ?? p.description, rules, at: deps.now() }), () => patch);
      if (!ok) {
        throw refuse(STALE_PLAN, `Plan ${id} changed meanwhile`, { facts: { revision: row(id).revision } });
      }
      const next = row(id);
      ws.advanced(id, sessionOf(p), next.revision);
      return view(next);
    },

    edit(id: number, revision: number, e: PlanEditInput, caller: Caller): EditResult {
      const p = draftRow(id, revision);
      const session = sessionOf(p);
      const delta = deltaOf(session.state, e);
      const ok = audited(caller, `plan.${delta.kind}`, `plan:${id}`, () => cmd.appendEdit(id, revision, session.cursor, JSON.stringify(delta), callerName(caller), deps.now()), () => ({ summary: delta.summary }));
      if (!ok) {
        throw refuse(STALE_PLAN, `Plan ${id} changed meanwhile`, { facts: { revision: row(id).revision } });
      }
      session.edit(delta);
      ws.advanced(id, session, revision + 1);
      return stepResult(p, session, delta);
    },

    step(id: number, revision: number, direction: 'undo' | 'redo', caller: Caller): EditResult {
      const p = draftRow(id, revision);
      const session = sessionOf(p);
      if (direction === 'undo' ? !session.canUndo() : !session.canRedo()) {
        throw refuse(INVALID_PARAMETER, direction === 'undo' ? 'Nothing to undo' : 'Nothing to redo');
      }
      const cursor = session.cursor + (direction === 'undo' ? -1 : 1);
      if (!audited(caller, `plan.${direction}`, `plan:${id}`, () => cmd.setCursor(id, revision, cursor, deps.now()))) throw refuse(STALE_PLAN, `Plan ${id} changed meanwhile`, { facts: { revision: row(id).revision } });
      const delta = direction === 'undo' ? session.undo()! : session.redo()!;
      ws.advanced(id, session, revision + 1);
      return stepResult(p, session, delta);
    },

    /** The draft's blocks with geometry and figures. */
    blocks(id: number): PlanBlock[] {
      const p = row(id);
      const s = sessionOf(p).state;
      return planMetrics(s, inputsFor(p.base_version_id)).map((m) => ({ code: m.code, geometry: s.geometry(m.code), metrics: m }));
    },

    /** Every building with the draft block it is in (for selecting buildings on the map). */
    buildings(id: number): { ids: number[]; lon: number[]; lat: number[]; block: string[] } {
      const s = sessionOf(row(id)).state;
      const d = s.district;
      const block = new Array<string>(d.size);
      for (let i = 0; i < d.size; i++) block[i] = s.codeOf(i);
      return { ids: [...d.ids], lon: [...d.lon], lat: [...d.lat], block };
    },

    validation(id: number): Validation {
      const p = row(id);
      return validationOf(p, sessionOf(p));
    },

    /** The draft and the version it started from, side by side. */
    metrics(id: number): { draft: PlanSide; published: PlanSide } {
      const p = row(id);
      const inputs = inputsFor(p.base_version_id);
      return { draft: side(sessionOf(p).state, inputs), published: side(ws.base(p.base_version_id), inputs) };
    },

    replay(id: number, months: number): ReplayResult {
      if (!Number.isInteger(months) || months < 1 || months > REPLAY_MAX_MONTHS) {
        throw refuse(INVALID_PARAMETER, `months must be a whole number from 1 to ${REPLAY_MAX_MONTHS}`);
      }
      const p = row(id);
      const now = deps.now();
      const ev = ws.replayEvents(now);
      const s = sessionOf(p).state;
      return replayEvents(ev, s.assignment(), new Set(s.codes()), ws.base(p.base_version_id).assignment(), monthsBefore(now, months), now);
    },

    diff(id: number): PlanDiff {
      const p = row(id);
      const s = sessionOf(p).state;
      const base = ws.base(p.base_version_id);
      return diffStates(base, s);
    },

    /** Internal to the publish and file services. */
    internals: { row, draftRow, sessionOf, validationOf, inputsFor, view, audit },
  };
}

export function diffStates(base: PlanState, s: PlanState): PlanDiff {
  const d = s.district;
  const moved: PlanDiff['moved'] = [];
  const touched = new Set<string>();
  for (let i = 0; i < d.size; i++) {
    const from = base.codeOf(i), to = s.codeOf(i);
    if (from !== to) moved.push({ building: d.ids[i], from, to }), touched.add(from), touched.add(to);
  }
  const before = new Set(base.codes()), after = new Set(s.codes());
  const blocks: PlanDiff['blocks'] = [];
  for (const c of [...new Set([...before, ...after, ...touched])].sort()) {
    if (!before.has(c) && after.has(c)) blocks.push({ code: c, change: 'added' });
    else if (before.has(c) && !after.has(c)) blocks.push({ code: c, change: 'removed' });
    else if (touched.has(c) && after.has(c)) blocks.push({ code: c, change: 'changed' });
  }
  return { blocks, moved };
}

export type PlanService = ReturnType<typeof createPlanService>;
export type { BlockInfo };
