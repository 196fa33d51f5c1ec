/**
 * The lifecycle steps a centre expects beyond the seven statutory ones: 挂账 (with the clock paused), 作废, 督办
 * without a tier change, 回访 with 不满意 → 重办, 核实 before filing a public report, photo evidence, 回退 from the
 * site, the extension cap — and who may verify (管办分离), and the sweep's split of 处置超期 from 核查超期.
 */
import { describe, expect, it } from 'vitest';
import {
  ACTOR_NOT_PERMITTED, allowedTransitions, EXTENSION_CAP_REACHED, ILLEGAL_TRANSITION, INVALID_FIELD, isClockRunning,
  isOpenStatus, MISSING_FIELD, needsReportVerification, PHOTOS_NOT_ACCEPTED, planTransition, REPORT_ALREADY_VERIFIED,
  REPORT_NOT_VERIFIED, TOP_TIER, VERIFICATION_NOT_NEEDED, type Actor, type EventContext, type EventState, type Status,
} from '../../server/domain/lifecycle.ts';
import { actorFor, RESIDENT, type Assignment } from '../../server/domain/roles.ts';
import { BREACH_NOTE, escalationSteps, nextEscalationAt, VERIFY_BREACH_NOTE } from '../../server/domain/escalation.ts';
import { DEFAULT_CALENDAR } from '../../server/domain/working-time.ts';

const HOUR = 3_600_000;
const at = (s: string) => Date.parse(`${s}+08:00`);
const T0 = at('2026-11-23T09:00:00'); // Monday
const NOW = T0 + HOUR;

function state(status: Status, extra: Partial<EventState> = {}): EventState {
  const progressed = !['reported', 'filed', 'rejected'].includes(status);
  return {
    status, tier: 'block', assignee_id: progressed ? 10 : null, unit_id: null, reported_at: T0,
    filed_at: status === 'reported' ? null : T0 + 60_000, dispatched_at: progressed ? T0 + 120_000 : null,
    accepted_at: null, arrived_at: null, resolved_at: null, closed_at: null, evaluated_at: null, due_at: T0 + 4 * HOUR,
    satisfaction: null, rework_count: 0, extension_count: 0, extension_pending: 0, escalated: 0, escalation_level: 0,
    warned_at: null, breached_at: null, channel: 'patrol', kind: 'incident', ...extra,
  };
}

const CTX: EventContext = { handlers: [10], supervisorId: 30, pendingExtensionHours: null };
const DISPATCHER: Actor = { id: 20, grants: { dispatcher: 'centre-staff' } };
const LEAD: Actor = { id: 21, grants: { lead: 'centre-inspector' } };
const ASSIGNEE: Actor = { id: 10, grants: { assignee: 'governor' } };
const SUPERVISOR: Actor = { id: 30, grants: { verifier: 'supervisor' } };

describe('挂账 · 缓办 (suspend / resume)', () => {
  it('needs a reason and a review date after now, from filed or in progress, by the dispatcher or a lead', () => {
    const ok = planTransition(state('accepted'), { to: 'suspend', reason: '等待产权单位答复', reviewAt: at('2026-12-01T00:00:00') }, DISPATCHER, NOW, CTX);
    expect(ok).toMatchObject({ ok: true, changes: { status: 'suspended', suspended_at: NOW, suspended_from: 'accepted', review_at: at('2026-12-01T00:00:00') } });
    if (ok.ok) expect(ok.log[0]).toMatchObject({ from_status: 'accepted', to_status: 'suspended', note: '挂账缓办：复核日期 2026-12-01：等待产权单位答复' });
    expect(planTransition(state('filed'), { to: 'suspended', reason: 'x', reviewAt: NOW + HOUR }, LEAD, NOW, CTX).ok).toBe(true);
    expect(planTransition(state('accepted'), { to: 'suspend', reviewAt: NOW + HOUR }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: MISSING_FIELD, field: 'reason' });
    expect(planTransition(state('accepted'), { to: 'suspend', reason: 'x' }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: MISSING_FIELD, field: 'reviewAt' });
    expect(planTransition(state('accepted'), { to: 'suspend', reason: 'x', reviewAt: NOW - 1 }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: INVALID_FIELD, field: 'reviewAt' });
    expect(planTransition(state('accepted'), { to: 'suspend', reason: 'x', reviewAt: NOW + HOUR }, ASSIGNEE, NOW, CTX)).toMatchObject({ reason: ACTOR_NOT_PERMITTED });
    for (const from of ['reported', 'resolved', 'closed', 'suspended'] as const) {
      expect(planTransition(state(from), { to: 'suspend', reason: 'x', reviewAt: NOW + HOUR }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: ILLEGAL_TRANSITION });
    }
  });

  it('pauses the working-time clock: Friday 16:30 → Monday 10:30 is 3 working hours; due, warning and verification deadlines move by them', () => {
    // Friday 16:30–17:30 is 1 working hour; the weekend none; Monday 08:30–10:30 two more: 3 h paused.
    // due Monday 11:00 + 3 h: 11:00–12:00 (1 h), lunch, 14:30–16:30 (2 h) → Monday 16:30.
    // warn Monday 10:00 + 3 h: 10:00–12:00 (2 h), 14:30–15:30 (1 h) → Monday 15:30.
    // verification deadline Tuesday 09:00 + 3 h → Tuesday 12:00.
    const suspended = state('suspended', {
      suspended_at: at('2026-11-27T16:30:00'), suspended_from: 'accepted', review_at: at('2026-11-30T00:00:00'),
      due_at: at('2026-11-30T11:00:00'), warn_at: at('2026-11-30T10:00:00'), verify_due_at: at('2026-12-01T09:00:00'),
    });
    const resumeAt = at('2026-11-30T10:30:00');
    const p = planTransition(suspended, { to: 'resume' }, DISPATCHER, resumeAt, CTX, DEFAULT_CALENDAR);
    expect(p).toMatchObject({
      ok: true,
      changes: {
        status: 'accepted', due_at: at('2026-11-30T16:30:00'), warn_at: at('2026-11-30T15:30:00'), verify_due_at: at('2026-12-01T12:00:00'),
        suspended_at: null, suspended_from: null, review_at: null,
      },
    });
    if (p.ok) expect(p.log[0]).toMatchObject({ from_status: 'suspended', to_status: 'accepted', note: '恢复办理：停表3个工作小时' });
    // Naming the status it left works too; any other status does not.
    expect(planTransition(suspended, { to: 'accepted' }, DISPATCHER, resumeAt, CTX).ok).toBe(true);
    expect(planTransition(suspended, { to: 'arrived' }, DISPATCHER, resumeAt, CTX)).toMatchObject({ reason: ILLEGAL_TRANSITION });
    expect(planTransition(suspended, { to: 'resume' }, ASSIGNEE, resumeAt, CTX)).toMatchObject({ reason: ACTOR_NOT_PERMITTED });
    // Natural-hour clocks pause in clock time: 66 h.
    const natural = planTransition(suspended, { to: 'resume' }, DISPATCHER, resumeAt, { ...CTX, deadlineUnit: 'natural-hours' });
    expect(natural).toMatchObject({ ok: true, changes: { due_at: at('2026-11-30T11:00:00') + 66 * HOUR } });
  });

  it('a suspended case is open but off the clock: never swept', () => {
    expect(isOpenStatus('suspended')).toBe(true);
    expect(isClockRunning('suspended')).toBe(false);
    const s = { status: 'suspended' as const, assignee_id: 10, reported_at: T0, due_at: T0 + HOUR, warned_at: null, breached_at: null, escalation_level: 0 };
    expect(escalationSteps(s, T0 + 10 * HOUR, T0).steps).toEqual([]);
    expect(nextEscalationAt(s, T0)).toBeNull();
  });
});

describe('作废 · 撤件 (void)', () => {
  it('after filing, with a reason, by the dispatcher or a lead; finished', () => {
    for (const from of ['filed', 'dispatched', 'accepted', 'arrived'] as const) {
      const p = planTransition(state(from), { to: 'void', reason: '报事人撤回' }, DISPATCHER, NOW, CTX);
      expect(p).toMatchObject({ ok: true, changes: { status: 'voided', voided_at: NOW } });
    }
    const suspended = state('suspended', { suspended_at: T0, suspended_from: 'filed' });
    expect(planTransition(suspended, { to: 'voided', reason: '已由其他渠道解决' }, LEAD, NOW, CTX).ok).toBe(true);
    expect(planTransition(state('filed'), { to: 'void' }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: MISSING_FIELD, field: 'reason' });
    // Before filing a report is rejected, not voided; a closed case stays closed.
    for (const from of ['reported', 'resolved', 'closed', 'rejected'] as const) {
      expect(planTransition(state(from), { to: 'void', reason: 'x' }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: ILLEGAL_TRANSITION });
    }
    expect(planTransition(state('filed'), { to: 'void', reason: 'x' }, ASSIGNEE, NOW, CTX)).toMatchObject({ reason: ACTOR_NOT_PERMITTED });
    expect(isOpenStatus('voided')).toBe(false);
    expect(allowedTransitions(state('voided'), DISPATCHER, CTX)).toEqual([]);
  });
});

describe('督办 · 催办 (urge)', () => {
  it('at department level: escalate is refused, urge logs and keeps tier, status and assignee', () => {
    const dept = state('accepted', { tier: 'department', unit_id: 8 });
    expect(planTransition(dept, { to: 'escalate', assignee: { id: 41, tier: 'department', unitId: 8 } }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: TOP_TIER });
    const p = planTransition(dept, { to: 'urge', reason: '群众多次反映，请今日内处置' }, DISPATCHER, NOW, CTX);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.changes).toEqual({});
    expect(p.log).toEqual([{
      at: NOW, actor_id: 20, actor_role: 'centre-staff', from_status: 'accepted', to_status: 'accepted', assignee_id: 10,
      note: '督办催办（大事公办）：群众多次反映，请今日内处置',
    }]);
    expect(allowedTransitions(dept, DISPATCHER, CTX)).toContain('urge');
    expect(allowedTransitions(dept, DISPATCHER, CTX)).not.toContain('escalate');
  });

  it('needs a reason; not for the assignee; not before filing or after closing', () => {
    expect(planTransition(state('arrived'), { to: 'urge' }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: MISSING_FIELD });
    expect(planTransition(state('arrived'), { to: 'urge', reason: 'x' }, ASSIGNEE, NOW, CTX)).toMatchObject({ reason: ACTOR_NOT_PERMITTED });
    expect(planTransition(state('resolved'), { to: 'urge', reason: '请尽快核查' }, LEAD, NOW, CTX).ok).toBe(true);
    for (const from of ['reported', 'closed', 'voided'] as const) {
      expect(planTransition(state(from), { to: 'urge', reason: 'x' }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: ILLEGAL_TRANSITION });
    }
  });
});

describe('回访 (revisit) and 不满意 → 重办', () => {
  const closed = state('closed', { resolved_at: T0 + 2 * HOUR, closed_at: T0 + 3 * HOUR, breached_at: T0 + 5 * HOUR, escalation_level: 2, verify_due_at: T0 + 9 * HOUR });
  const redo = { ...CTX, redoDueAt: NOW + 4 * HOUR };

  it('满意: evaluated, scored 5 unless a score is given', () => {
    expect(planTransition(closed, { to: 'revisit', result: 'satisfied' }, DISPATCHER, NOW, redo)).toMatchObject({ ok: true, changes: { status: 'evaluated', evaluated_at: NOW, satisfaction: 5 } });
    expect(planTransition(closed, { to: 'revisit', result: 'satisfied', satisfaction: 4 }, DISPATCHER, NOW, redo)).toMatchObject({ ok: true, changes: { satisfaction: 4 } });
  });

  it('不满意: back to the handler (accepted), counted as rework, on a fresh clock', () => {
    const p = planTransition(closed, { to: 'revisit', result: 'dissatisfied', reason: '垃圾又堆起来了' }, DISPATCHER, NOW, redo);
    expect(p).toMatchObject({
      ok: true,
      changes: {
        status: 'accepted', resolved_at: null, closed_at: null, rework_count: 1, due_at: NOW + 4 * HOUR, satisfaction: 1,
        warned_at: null, breached_at: null, escalation_level: 0, verify_due_at: null,
      },
    });
    if (p.ok) expect(p.log[0]).toMatchObject({ from_status: 'closed', to_status: 'accepted', assignee_id: 10, note: '回访：不满意，重办：垃圾又堆起来了' });
  });

  it('refusals: no result, an unknown one, the resident, before closure', () => {
    expect(planTransition(closed, { to: 'revisit' }, DISPATCHER, NOW, redo)).toMatchObject({ reason: MISSING_FIELD, field: 'result' });
    expect(planTransition(closed, { to: 'revisit', result: 'meh' }, DISPATCHER, NOW, redo)).toMatchObject({ reason: INVALID_FIELD, field: 'result' });
    expect(planTransition(closed, { to: 'revisit', result: 'satisfied', satisfaction: 9 }, DISPATCHER, NOW, redo)).toMatchObject({ reason: INVALID_FIELD, field: 'satisfaction' });
    expect(planTransition(closed, { to: 'revisit', result: 'satisfied' }, RESIDENT, NOW, redo)).toMatchObject({ reason: ACTOR_NOT_PERMITTED });
    expect(planTransition(state('resolved'), { to: 'revisit', result: 'satisfied' }, DISPATCHER, NOW, redo)).toMatchObject({ reason: ILLEGAL_TRANSITION });
    expect(planTransition(state('evaluated'), { to: 'revisit', result: 'satisfied' }, DISPATCHER, NOW, redo)).toMatchObject({ reason: ILLEGAL_TRANSITION });
  });
});

describe('核实 (verify-report) before filing a public report', () => {
  it('applies to hotline and walk-in reports, not to patrol, the staff app, consultations or suggestions', () => {
    expect(needsReportVerification('hotline', 'demand')).toBe(true);
    expect(needsReportVerification('walk-in', 'incident')).toBe(true);
    expect(needsReportVerification('hotline', 'suggestion')).toBe(false);
    for (const c of ['patrol', 'wechat', 'consultation']) expect(needsReportVerification(c, 'incident')).toBe(false);
  });

  it('a hotline report is filed only after the supervisor has checked it on site', () => {
    const hotline = state('reported', { channel: 'hotline', kind: 'demand', report_verified_at: null });
    expect(planTransition(hotline, { to: 'file' }, DISPATCHER, NOW, CTX)).toMatchObject({ ok: false, reason: REPORT_NOT_VERIFIED });
    expect(allowedTransitions(hotline, DISPATCHER, CTX)).toEqual(['reject']);
    expect(planTransition(hotline, { to: 'verify-report' }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: ACTOR_NOT_PERMITTED });
    const v = planTransition(hotline, { to: 'verify-report', note: '现场确有垃圾堆放' }, SUPERVISOR, NOW, CTX);
    expect(v).toMatchObject({ ok: true, changes: { report_verified_at: NOW } });
    if (v.ok) expect(v.log[0]).toMatchObject({ from_status: 'reported', to_status: 'reported', actor_role: 'supervisor', note: '现场核实：现场确有垃圾堆放' });
    const verified = { ...hotline, report_verified_at: NOW };
    expect(planTransition(verified, { to: 'verify-report' }, SUPERVISOR, NOW, CTX)).toMatchObject({ reason: REPORT_ALREADY_VERIFIED });
    expect(planTransition(verified, { to: 'file' }, DISPATCHER, NOW, CTX).ok).toBe(true);
    // Rejecting (e.g. found untrue on site) needs no verification first.
    expect(planTransition(hotline, { to: 'reject', reason: 'invalid' }, DISPATCHER, NOW, CTX).ok).toBe(true);
  });

  it('a patrol report needs none', () => {
    expect(planTransition(state('reported'), { to: 'verify-report' }, SUPERVISOR, NOW, CTX)).toMatchObject({ reason: VERIFICATION_NOT_NEEDED });
    expect(planTransition(state('reported'), { to: 'file' }, DISPATCHER, NOW, CTX).ok).toBe(true);
  });
});

describe('photo evidence, 回退 from the site, the extension cap', () => {
  const before = { kind: 'before' as const, url: 'https://files.example.cn/a/before.jpg' };
  const after = { kind: 'after' as const, url: 'https://files.example.cn/a/after.jpg' };

  it('photos go with arrive, resolve, close and rework, at most 9', () => {
    const p = planTransition(state('arrived'), { to: 'resolve', photos: [before, after] }, ASSIGNEE, NOW, CTX);
    expect(p).toMatchObject({ ok: true, photos: [before, after] });
    expect(planTransition(state('resolved'), { to: 'close', photos: [after] }, SUPERVISOR, NOW, CTX)).toMatchObject({ ok: true, photos: [after] });
    expect(planTransition(state('resolved'), { to: 'rework', reason: '未清理干净', photos: [after] }, SUPERVISOR, NOW, CTX)).toMatchObject({ ok: true, photos: [after] });
    expect(planTransition(state('reported'), { to: 'file', photos: [before] }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: PHOTOS_NOT_ACCEPTED, field: 'photos' });
    expect(planTransition(state('arrived'), { to: 'resolve', photos: Array(10).fill(after) }, ASSIGNEE, NOW, CTX)).toMatchObject({ reason: INVALID_FIELD, field: 'photos' });
  });

  it('the assignee may return a case from the site', () => {
    const p = planTransition(state('arrived'), { to: 'return', reason: '现场发现属燃气公司管辖' }, ASSIGNEE, NOW, CTX);
    expect(p).toMatchObject({ ok: true, changes: { status: 'filed', assignee_id: null } });
  });

  it('at most 2 approved extensions by default, configurable', () => {
    const twice = state('arrived', { extension_count: 2 });
    expect(planTransition(twice, { to: 'extension-request', hours: 2, reason: 'x' }, ASSIGNEE, NOW, CTX)).toMatchObject({ ok: false, reason: EXTENSION_CAP_REACHED });
    expect(allowedTransitions(twice, ASSIGNEE, CTX)).not.toContain('extension-request');
    expect(planTransition(twice, { to: 'extension-request', hours: 2, reason: 'x' }, ASSIGNEE, NOW, { ...CTX, maxExtensions: 3 }).ok).toBe(true);
    expect(planTransition(state('arrived', { extension_count: 1 }), { to: 'extension-request', hours: 2, reason: 'x' }, ASSIGNEE, NOW, CTX).ok).toBe(true);
    // A request pending when the cap was lowered cannot be approved past it.
    const pending = state('arrived', { extension_count: 2, extension_pending: 1 });
    expect(planTransition(pending, { to: 'extension-approve', hours: 2 }, DISPATCHER, NOW, CTX)).toMatchObject({ reason: EXTENSION_CAP_REACHED });
  });
});

describe('管办分离: who verifies', () => {
  const SUB = '430302001';
  const BLOCK = '430302001001001';
  const GUIDANCE = 1;
  const LIVELIHOOD = 5;
  const centre = (role: 'centre-inspector' | 'centre-staff', unit: number, key: string): Assignment => ({
    role, block_code: null, unit_id: unit, unit_kind: 'centre', unit_key: key, subdistrict_code: SUB,
  });
  const handledBy = (unit: number | null) => ({ block_code: BLOCK, subdistrict_code: SUB, unit_id: unit, assignee_id: 10 });

  it('the block supervisor verifies', () => {
    const sup: Assignment = { role: 'supervisor', block_code: BLOCK, unit_id: null, unit_kind: null, unit_key: null, subdistrict_code: SUB };
    expect(actorFor(30, [sup], handledBy(LIVELIHOOD)).grants.verifier).toBe('supervisor');
  });

  it("the guidance centre's inspector verifies a case another unit handles", () => {
    expect(actorFor(21, [centre('centre-inspector', GUIDANCE, 'guidance')], handledBy(LIVELIHOOD)).grants.verifier).toBe('centre-inspector');
    expect(actorFor(21, [centre('centre-inspector', GUIDANCE, 'guidance')], handledBy(null)).grants.verifier).toBe('centre-inspector');
  });

  it("no inspector of the handling centre verifies: not the handling centre's own, not the guidance centre's when it handles", () => {
    const own = actorFor(22, [centre('centre-inspector', LIVELIHOOD, 'livelihood')], handledBy(LIVELIHOOD));
    expect(own.grants).toEqual({ lead: 'centre-inspector' });
    expect(actorFor(21, [centre('centre-inspector', GUIDANCE, 'guidance')], handledBy(GUIDANCE)).grants.verifier).toBeUndefined();
    // Another centre's inspector is outside the handling unit but not a verifier either (the guidance centre checks).
    expect(actorFor(23, [centre('centre-inspector', 6, 'rapid-response')], handledBy(LIVELIHOOD)).grants).toEqual({});
    // Centre staff never verify.
    expect(actorFor(24, [centre('centre-staff', GUIDANCE, 'guidance')], handledBy(LIVELIHOOD)).grants.verifier).toBeUndefined();
  });
});

describe('the sweep separates 处置超期 from 核查超期', () => {
  const due = at('2026-11-23T15:30:00');
  const verifyDue = at('2026-11-24T15:30:00');
  const base = { assignee_id: 7, reported_at: T0, due_at: due, warned_at: T0 + HOUR, breached_at: null, escalation_level: 1 };

  it('a case resolved on time is never marked 超期 because verification is late', () => {
    const resolved = { ...base, status: 'resolved' as const, verify_due_at: verifyDue, verify_breached_at: null };
    expect(escalationSteps(resolved, due + HOUR, T0).steps).toEqual([]); // past due_at, but resolved: not the handler's
    const late = escalationSteps(resolved, verifyDue + 60_000, T0);
    expect(late.steps.map((s) => s.level)).toEqual(['verify']);
    expect(late.changes).toEqual({ verify_breached_at: verifyDue + 60_000 });
    expect(late.steps[0].log).toMatchObject({ note: VERIFY_BREACH_NOTE, from_status: 'resolved', to_status: 'resolved', actor_role: 'system' });
    expect(nextEscalationAt(resolved, T0)).toBe(verifyDue);
    expect(nextEscalationAt({ ...resolved, verify_breached_at: verifyDue }, T0)).toBeNull();
    expect(escalationSteps({ ...resolved, verify_breached_at: verifyDue }, verifyDue + HOUR, T0).steps).toEqual([]);
  });

  it('a case not resolved by due_at is the handler’s 超期', () => {
    const working = { ...base, status: 'arrived' as const };
    const s = escalationSteps(working, due, T0);
    expect(s.steps.map((x) => x.level)).toEqual([2]);
    expect(s.steps[0].log.note).toBe(BREACH_NOTE);
  });
});
