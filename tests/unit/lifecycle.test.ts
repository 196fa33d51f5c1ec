import { describe, expect, it } from 'vitest';
import {
  ACTOR_NOT_PERMITTED, allowedTransitions, ASSIGNEE_IS_SUPERVISOR, ASSIGNEE_TIER_MISMATCH, EXTENSION_PENDING, ILLEGAL_TRANSITION,
  INVALID_FIELD, legalStatusPairs, MISSING_FIELD, NO_EXTENSION_PENDING, parseExtensionHours, planTransition, STATUSES,
  TOP_TIER, UNKNOWN_TRANSITION, VERIFIER_IS_HANDLER, type Actor, type EventContext, type EventState, type Status,
} from '../../server/domain/lifecycle.ts';
import { actorFor, RESIDENT } from '../../server/domain/roles.ts';
import { WEEKDAY_CALENDAR } from '../../server/domain/working-time.ts';

const HOUR = 3_600_000;
/** Monday 2026-11-23 09:00 in Shanghai. */
const T0 = Date.parse('2026-11-23T09:00:00+08:00');
const NOW = T0 + HOUR;

function state(status: Status, extra: Partial<EventState> = {}): EventState {
  const progressed = !['reported', 'filed', 'rejected'].includes(status);
  return {
    status, tier: 'block', assignee_id: progressed ? 10 : null, unit_id: null, reported_at: T0,
    filed_at: status === 'reported' ? null : T0 + 60_000, dispatched_at: progressed ? T0 + 120_000 : null,
    accepted_at: null, arrived_at: null, resolved_at: status === 'resolved' ? T0 + 600_000 : null, closed_at: null,
    evaluated_at: null, due_at: T0 + 4 * HOUR, satisfaction: null, rework_count: 0, extension_count: 0,
    extension_pending: 0, escalated: 0, escalation_level: 0, warned_at: null, breached_at: null, ...extra,
  };
}

const CTX: EventContext = { handlers: [10], supervisorId: 30, pendingExtensionHours: null };
/** Holds every role (as someone who never handled the case). */
const ANYONE: Actor = { id: 99, grants: { dispatcher: 'centre-staff', lead: 'centre-inspector', assignee: 'governor', verifier: 'supervisor', evaluator: 'resident' } };
const DISPATCHER: Actor = { id: 20, grants: { dispatcher: 'centre-staff' } };
const ASSIGNEE: Actor = { id: 10, grants: { assignee: 'governor' } };
const SUPERVISOR: Actor = { id: 30, grants: { verifier: 'supervisor' } };
const FULL = { assignee: { id: 11, tier: 'block' as const, unitId: null }, reason: 'invalid', hours: 4, satisfaction: 5 };

/** The loop as the design states it: status-changing (from, to) pairs. */
const EXPECTED: [Status, Status][] = [
  ['reported', 'filed'], ['reported', 'rejected'], ['filed', 'dispatched'], ['dispatched', 'accepted'],
  ['accepted', 'arrived'], ['arrived', 'resolved'], ['resolved', 'closed'], ['closed', 'evaluated'],
  ['dispatched', 'filed'], ['accepted', 'filed'], // 回退
  ['resolved', 'accepted'], // 返工
  ['accepted', 'dispatched'], ['arrived', 'dispatched'], // 流转 back to dispatched
];
const key = (a: string, b: string) => `${a}→${b}`;

describe('lifecycle: every status pair', () => {
  const expected = new Set(EXPECTED.map(([a, b]) => key(a, b)));

  it('declares exactly the loop', () => {
    expect(new Set(legalStatusPairs().map(([a, b]) => key(a, b)))).toEqual(expected);
  });

  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const legal = expected.has(key(from, to));
      it(`${from} → ${to} is ${legal ? 'legal' : 'refused'}`, () => {
        // Reaching dispatched again from accepted/arrived is a named hand-off (reassign), not a status target.
        const viaName = from !== 'dispatched' && to === 'dispatched' && from !== 'filed' ? 'reassign' : to;
        const plan = planTransition(state(from), { to: legal ? viaName : to, ...FULL }, ANYONE, NOW, CTX, WEEKDAY_CALENDAR);
        if (legal) {
          expect(plan.ok, JSON.stringify(plan)).toBe(true);
          if (!plan.ok) return;
          expect(plan.changes.status).toBe(to);
          expect(plan.log).toHaveLength(1);
          expect(plan.log[0]).toMatchObject({ at: NOW, actor_id: 99, from_status: from, to_status: to });
        } else {
          expect(plan.ok).toBe(false);
          if (plan.ok) return;
          expect(plan.reason).toBe(ILLEGAL_TRANSITION);
          expect(plan.allowed).toEqual(allowedTransitions(state(from), ANYONE, CTX));
        }
      });
    }
  }
});

describe('lifecycle: who may do what', () => {
  it('only the dispatcher files, rejects and dispatches', () => {
    for (const actor of [ASSIGNEE, SUPERVISOR, RESIDENT]) {
      const p = planTransition(state('reported'), { to: 'filed' }, actor, NOW, CTX);
      expect(p.ok || p.reason).toBe(ACTOR_NOT_PERMITTED);
    }
    expect(planTransition(state('reported'), { to: 'filed' }, DISPATCHER, NOW, CTX).ok).toBe(true);
  });

  it('only the assignee accepts, arrives, resolves and returns', () => {
    for (const [from, to] of [['dispatched', 'accepted'], ['accepted', 'arrived'], ['arrived', 'resolved']] as const) {
      expect(planTransition(state(from), { to }, DISPATCHER, NOW, CTX)).toMatchObject({ ok: false, reason: ACTOR_NOT_PERMITTED });
      expect(planTransition(state(from), { to }, ASSIGNEE, NOW, CTX).ok).toBe(true);
    }
    const back = planTransition(state('accepted'), { to: 'return', reason: '不属于本区块' }, ASSIGNEE, NOW, CTX);
    expect(back).toMatchObject({ ok: true, changes: { status: 'filed', assignee_id: null } });
    if (back.ok) expect(back.log[0]).toMatchObject({ assignee_id: null, note: '回退：不属于本区块' });
  });

  it('a verifier who handled the case may neither close nor send it back', () => {
    const handlerSupervisor: Actor = { id: 10, grants: { verifier: 'supervisor', assignee: 'governor' } };
    for (const to of ['closed', 'rework'] as const) {
      const p = planTransition(state('resolved'), { to, reason: 'x' }, handlerSupervisor, NOW, CTX);
      expect(p).toMatchObject({ ok: false, reason: VERIFIER_IS_HANDLER });
    }
    expect(allowedTransitions(state('resolved'), handlerSupervisor, CTX)).toEqual([]);
    // an earlier handler, no longer the assignee, is still excluded
    const earlier: Actor = { id: 12, grants: { verifier: 'centre-inspector' } };
    expect(planTransition(state('resolved'), { to: 'closed' }, earlier, NOW, { ...CTX, handlers: [10, 12] })).toMatchObject({ reason: VERIFIER_IS_HANDLER });
    expect(planTransition(state('resolved'), { to: 'closed' }, SUPERVISOR, NOW, CTX)).toMatchObject({ ok: true, changes: { status: 'closed', closed_at: NOW } });
  });

  it('resolving starts the verification clock: one working day (on-time.ts)', () => {
    const p = planTransition(state('arrived'), { to: 'resolved' }, ASSIGNEE, NOW, CTX, WEEKDAY_CALENDAR);
    // Monday 10:00 + 6.5 working hours (08:30–12:00, 14:30–17:30) → Tuesday 10:00.
    expect(p).toMatchObject({ ok: true, changes: { resolved_at: NOW, verify_due_at: Date.parse('2026-11-24T10:00:00+08:00') } });
  });

  it('rework goes back to accepted and counts', () => {
    const p = planTransition(state('resolved'), { to: 'accepted', reason: '垃圾仍未清理' }, SUPERVISOR, NOW, CTX);
    expect(p).toMatchObject({ ok: true, changes: { status: 'accepted', rework_count: 1, resolved_at: null, verify_due_at: null } });
    expect(planTransition(state('resolved'), { to: 'accepted' }, SUPERVISOR, NOW, CTX)).toMatchObject({ reason: MISSING_FIELD, field: 'reason' });
  });

  it('evaluation is the resident channel with a satisfaction of 1–5', () => {
    expect(planTransition(state('closed'), { to: 'evaluated', satisfaction: 4 }, RESIDENT, NOW, CTX)).toMatchObject({ ok: true, changes: { satisfaction: 4, evaluated_at: NOW } });
    expect(planTransition(state('closed'), { to: 'evaluated' }, RESIDENT, NOW, CTX)).toMatchObject({ reason: MISSING_FIELD });
    for (const s of [0, 6, 2.5]) expect(planTransition(state('closed'), { to: 'evaluated', satisfaction: s }, RESIDENT, NOW, CTX)).toMatchObject({ reason: INVALID_FIELD });
    expect(planTransition(state('closed'), { to: 'evaluated', satisfaction: 4 }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: ACTOR_NOT_PERMITTED });
  });

  it('reject needs invalid or duplicate', () => {
    expect(planTransition(state('reported'), { to: 'rejected' }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: MISSING_FIELD });
    expect(planTransition(state('reported'), { to: 'rejected', reason: 'boring' }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: INVALID_FIELD });
    const p = planTransition(state('reported'), { to: 'rejected', reason: 'duplicate' }, DISPATCHER, NOW, CTX);
    expect(p).toMatchObject({ ok: true, changes: { status: 'rejected', filed_at: NOW } });
    if (p.ok) expect(p.log[0].note).toContain('重复');
  });

  it('the block supervisor may not be dispatched its own block', () => {
    const p = planTransition(state('filed'), { to: 'dispatched', assignee: { id: 30, tier: 'block', unitId: null } }, DISPATCHER, NOW, CTX);
    expect(p).toMatchObject({ ok: false, reason: ASSIGNEE_IS_SUPERVISOR, field: 'assignee' });
  });

  it('a hand-off (reassign) logs the new assignee', () => {
    const p = planTransition(state('arrived'), { to: 'reassign', assignee: { id: 11, tier: 'block', unitId: null } }, DISPATCHER, NOW, CTX);
    expect(p).toMatchObject({ ok: true, changes: { status: 'dispatched', assignee_id: 11 } });
    if (p.ok) expect(p.log[0]).toMatchObject({ from_status: 'arrived', to_status: 'dispatched', assignee_id: 11, actor_role: 'centre-staff' });
  });

  it('unknown names are reported as such', () => {
    expect(planTransition(state('filed'), { to: 'teleport' }, DISPATCHER, NOW, CTX)).toMatchObject({ ok: false, reason: UNKNOWN_TRANSITION });
  });
});

describe('lifecycle: extensions and manual escalation', () => {
  it('request → approve moves due_at by working hours and counts; deny clears', () => {
    const req = planTransition(state('arrived'), { to: 'extension-request', hours: 3, reason: '需协调物业' }, ASSIGNEE, NOW, CTX, WEEKDAY_CALENDAR);
    expect(req).toMatchObject({ ok: true, changes: { extension_pending: 1 } });
    if (!req.ok) return;
    expect(req.log[0]).toMatchObject({ from_status: 'arrived', to_status: 'arrived' });
    expect(parseExtensionHours(req.log[0].note)).toBe(3);
    const pending = state('arrived', { extension_pending: 1 });
    expect(planTransition(pending, { to: 'extension-request', hours: 3, reason: 'x' }, ASSIGNEE, NOW, CTX)).toMatchObject({ reason: EXTENSION_PENDING });
    expect(planTransition(pending, { to: 'extension-approve' }, ASSIGNEE, NOW, CTX)).toMatchObject({ reason: ACTOR_NOT_PERMITTED });
    // due 13:00 Monday (= 09:00 + 4 h natural in this fixture) + 3 working hours → 12:00 is the period end, so 14:30 + 2 h
    const approve = planTransition(pending, { to: 'extension-approve' }, DISPATCHER, NOW, { ...CTX, pendingExtensionHours: 3 }, WEEKDAY_CALENDAR);
    expect(approve).toMatchObject({ ok: true, changes: { extension_pending: 0, extension_count: 1, due_at: Date.parse('2026-11-23T17:30:00+08:00') } });
    expect(planTransition(state('arrived'), { to: 'extension-approve', hours: 2 }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: NO_EXTENSION_PENDING });
    expect(planTransition(pending, { to: 'extension-deny', reason: '理由不足' }, DISPATCHER, NOW, CTX)).toMatchObject({ ok: true, changes: { extension_pending: 0 } });
    expect(planTransition(state('arrived'), { to: 'extension-request', hours: 0, reason: 'x' }, ASSIGNEE, NOW, CTX)).toMatchObject({ reason: INVALID_FIELD });
    expect(planTransition(state('resolved'), { to: 'extension-request', hours: 2, reason: 'x' }, ASSIGNEE, NOW, CTX)).toMatchObject({ reason: ILLEGAL_TRANSITION });
  });

  it('escalates block → centre → department with reassignment, never past the top', () => {
    const centre = { id: 40, tier: 'centre' as const, unitId: 7 };
    const p = planTransition(state('accepted'), { to: 'escalate', assignee: centre }, DISPATCHER, NOW, CTX);
    expect(p).toMatchObject({ ok: true, changes: { tier: 'centre', escalated: 1, status: 'dispatched', assignee_id: 40, unit_id: 7 } });
    if (p.ok) expect(p.log[0]).toMatchObject({ from_status: 'accepted', to_status: 'dispatched', assignee_id: 40 });
    expect(planTransition(state('accepted'), { to: 'escalate' }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: MISSING_FIELD });
    expect(planTransition(state('accepted'), { to: 'escalate', assignee: { id: 41, tier: 'department', unitId: 8 } }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: ASSIGNEE_TIER_MISMATCH });
    expect(planTransition(state('filed', { tier: 'centre' }), { to: 'escalate' }, DISPATCHER, NOW, CTX)).toMatchObject({ ok: true, changes: { tier: 'department' } });
    expect(planTransition(state('filed', { tier: 'department' }), { to: 'escalate' }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: TOP_TIER });
  });
});

describe('roles', () => {
  const facts = { block_code: '430302001001001', subdistrict_code: '430302001', unit_id: 5, assignee_id: 10 };
  it('derives dispatcher, lead, verifier and assignee from assignments', () => {
    const guidance = { unit_id: 1, unit_kind: 'centre' as const, unit_key: 'guidance', block_code: null, subdistrict_code: '430302001' };
    expect(actorFor(20, [{ role: 'centre-staff', ...guidance }], facts).grants).toEqual({ dispatcher: 'centre-staff' });
    expect(actorFor(21, [{ role: 'centre-inspector', ...guidance }], facts).grants).toEqual({ dispatcher: 'centre-inspector', lead: 'centre-inspector', verifier: 'centre-inspector' });
    // another subdistrict's guidance staff are nobody here
    expect(actorFor(22, [{ role: 'centre-staff', ...guidance, subdistrict_code: '430302002' }], facts).grants).toEqual({});
    const sup = { role: 'supervisor' as const, block_code: facts.block_code, unit_id: null, unit_kind: null, unit_key: null, subdistrict_code: '430302001' };
    expect(actorFor(30, [sup], facts).grants).toEqual({ verifier: 'supervisor' });
    expect(actorFor(30, [{ ...sup, block_code: '430302001001002' }], facts).grants).toEqual({});
    expect(actorFor(10, [{ ...sup, role: 'governor' }], facts).grants).toEqual({ assignee: 'governor' });
  });
});
