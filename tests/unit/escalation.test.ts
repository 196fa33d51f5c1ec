import { describe, expect, it } from 'vitest';
import { BREACH_NOTE, escalationSteps, nextEscalationAt, warningAt, WARNING_NOTE, type EscalationState } from '../../server/domain/escalation.ts';
import { WEEKDAY_CALENDAR, addWorkingTime } from '../../server/domain/working-time.ts';

const at = (s: string) => Date.parse(`${s}+08:00`);
const MIN = 60_000;

describe('warningAt', () => {
  it('counts working time: 4 working hours from Monday 09:00, ratio 0.75 → 12:00 (3 working hours)', () => {
    const t0 = at('2026-11-23T09:00:00');
    const due = addWorkingTime(t0, 4, 'working-hours', WEEKDAY_CALENDAR);
    expect(due).toBe(at('2026-11-23T15:30:00'));
    expect(warningAt(t0, due, 0.75, 'working-hours', WEEKDAY_CALENDAR)).toBe(at('2026-11-23T12:00:00'));
  });

  it('skips nights and weekends: 1 working day from Friday 16:00, ratio 0.5 → Monday 10:15', () => {
    const t0 = at('2026-11-20T16:00:00');
    const due = addWorkingTime(t0, 1, 'working-days', WEEKDAY_CALENDAR); // 6.5 h: 1.5 h Fri + 5 h Mon → Mon 16:00
    expect(due).toBe(at('2026-11-23T16:00:00'));
    // 3.25 h: 1.5 h Friday, 1.75 h Monday from 08:30
    expect(warningAt(t0, due, 0.5, 'working-days', WEEKDAY_CALENDAR)).toBe(at('2026-11-23T10:15:00'));
  });

  it('counts clock time for natural-hour deadlines, even at night', () => {
    const t0 = at('2026-11-22T02:00:00'); // a Sunday night
    expect(warningAt(t0, t0 + 60 * MIN, 0.75, 'natural-hours', WEEKDAY_CALENDAR)).toBe(t0 + 45 * MIN);
  });
});

describe('escalationSteps', () => {
  const t0 = at('2026-11-23T09:00:00');
  const due = at('2026-11-23T15:30:00');
  const warn = at('2026-11-23T12:00:00');
  const base: EscalationState = { status: 'accepted', assignee_id: 7, reported_at: t0, due_at: due, warned_at: null, breached_at: null, escalation_level: 0 };

  it('nothing before the warning threshold', () => {
    expect(escalationSteps(base, warn - 1, warn).steps).toEqual([]);
    expect(nextEscalationAt(base, warn)).toBe(warn);
  });

  it('level 1 at the threshold, with a system side row', () => {
    const { steps, changes } = escalationSteps(base, warn, warn);
    expect(steps.map((s) => s.level)).toEqual([1]);
    expect(changes).toEqual({ warned_at: warn, escalation_level: 1 });
    expect(steps[0].log).toEqual({ at: warn, actor_id: null, actor_role: 'system', from_status: 'accepted', to_status: 'accepted', assignee_id: 7, note: WARNING_NOTE });
  });

  it('level 2 at breach, once; warning is not repeated', () => {
    const warned = { ...base, warned_at: warn, escalation_level: 1 };
    expect(escalationSteps(warned, due - 1, warn).steps).toEqual([]);
    const { steps, changes } = escalationSteps(warned, due, warn);
    expect(steps.map((s) => s.level)).toEqual([2]);
    expect(changes).toEqual({ breached_at: due, escalation_level: 2, escalated: 1 });
    expect(steps[0].log.note).toBe(BREACH_NOTE);
    expect(escalationSteps({ ...warned, ...changes } as EscalationState, due + 3_600_000, warn).steps).toEqual([]);
    expect(nextEscalationAt({ ...warned, breached_at: due }, warn)).toBeNull();
  });

  it('a case found past due gets both steps, warning first', () => {
    const { steps, changes } = escalationSteps(base, due + MIN, warn);
    expect(steps.map((s) => s.level)).toEqual([1, 2]);
    expect(changes.escalation_level).toBe(2);
  });

  it('finished cases never escalate', () => {
    for (const status of ['closed', 'evaluated', 'rejected'] as const) expect(escalationSteps({ ...base, status }, due + MIN, warn).steps).toEqual([]);
  });
});
