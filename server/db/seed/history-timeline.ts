/**
 * The life of one demo case, as the statutory loop would have logged it: reported → filed (or rejected) →
 * dispatched → accepted → arrived → resolved → closed → evaluated, with returns (回退), extensions (延期), rework
 * (返工) and escalation at breach (超期); cut at `now`. Timestamp columns are set exactly up to the case's status;
 * a rejected case carries its decision time in filed_at.
 */
import type { Status } from '../../contract/statuses.ts';
import type { Category } from '../../contract/taxonomy.ts';
import type { Channel, Kind } from '../../domain/report-input.ts';
import type { Rng } from '../../domain/prng.ts';
import { addWorkingTime } from '../../domain/working-time.ts';
import type { Fate } from './history-mix.ts';
import { MINUTE, HOUR } from './history-rhythm.ts';

/** Chain order of statuses; rejected sits at the filing step. */
export const STATUS_RANK: Readonly<Record<Status, number>> = {
  reported: 0, filed: 1, rejected: 1, dispatched: 2, accepted: 3, arrived: 4, resolved: 5, closed: 6, evaluated: 7,
};

export interface Step {
  at: number;
  actor: number | null;
  role: string;
  to: Status;
  assignee: number | null;
  note: string;
  /** A side row (extension, escalation): the status does not change. */
  side?: boolean;
}

const logUniform = (rng: Rng, lo: number, hi: number): number => Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo)));

const REJECT_NOTES = ['无效：不属于受理范围', '重复：与已受理案件重复', '无效：信息不全无法核实', '重复：同一事项重复上报'];

export interface TimelineInput {
  rng: Rng;
  /** Report instant. */
  t0: number;
  now: number;
  /** How far the reform had ramped up at t0, 0 … 1. */
  r: number;
  night: boolean;
  kind: Kind;
  channel: Channel;
  fate: Fate;
  urgent: boolean;
  /** The report came from a planted hotspot (many more breaches). */
  hotspot: boolean;
  category: Category;
  reporterId: number | null;
  reporterRole: string;
  dispatcher: number;
  /** Who verifies and closes, and the role the log records. */
  closer: number;
  closerRole: string;
  /** A handler of the case's tier other than `exclude`, with the role the log records. */
  pickHandler: (exclude: number | null) => [number, string];
}

export interface Timeline {
  /** Log rows; only the first `kept` happened before now. */
  steps: Step[];
  kept: number;
  status: Status;
  rank: number;
  /** Assignee column: the current assignee once dispatched. */
  assignee: number | null;
  filedAt: number | null;
  at: (status: Status) => number | null;
  due: number;
  satisfaction: number | null;
  reworks: number;
  extensions: number;
  escalated: 0 | 1;
}

/** Draws one case's timeline from its own stream (the draws' order is part of the seeded output). */
export function caseTimeline(input: TimelineInput): Timeline {
  const { rng, t0, now, r, night, kind, channel, fate, urgent, hotspot, category, reporterId, reporterRole, dispatcher, closer, closerRole, pickHandler } = input;
  let due = addWorkingTime(t0, category.deadline.value, category.deadline.unit);
  const steps: Step[] = [{ at: t0, actor: reporterId, role: reporterRole, to: 'reported', assignee: null, note: channelNote(channel) }];
  // Urgent cases and natural-hour deadlines run on the 24-hour duty roster; the rest slow down at night.
  const roundTheClock = urgent || category.deadline.unit === 'natural-hours';
  const speed = roundTheClock ? 0.35 : 1;
  const nightSlow = night && !roundTheClock ? 3 : 1;
  const fileDelay =
    channel === 'patrol' ? logUniform(rng, 1, 8) * MINUTE
    : channel === 'consultation' ? logUniform(rng, 20, 4 * 60) * MINUTE
    : channel === 'walk-in' ? logUniform(rng, 5, 30) * MINUTE
    : logUniform(rng, 3, 60) * MINUTE * nightSlow;
  let t = t0 + Math.round(fileDelay * speed);
  const rejectP = fate === 'natural' ? (channel === 'patrol' ? 0.01 : kind === 'suggestion' ? 0.02 : 0.05) : 0;
  const rejected = fate === 'reject' || (fate === 'natural' && rng.chance(rejectP));
  let assignee: number | null = null;
  let lateP = (hotspot ? 0.35 : 0.08 - 0.04 * r) * (urgent ? 0.6 : 1);
  if (rejected) {
    steps.push({ at: t, actor: dispatcher, role: 'centre-staff', to: 'rejected', assignee: null, note: rng.pick(REJECT_NOTES) });
  } else {
    steps.push({ at: t, actor: dispatcher, role: 'centre-staff', to: 'filed', assignee: null, note: `立案：${category.name}` });
    t += Math.round(logUniform(rng, 2, 25) * MINUTE * speed * nightSlow);
    let [handler, handlerRole] = pickHandler(null);
    steps.push({ at: t, actor: dispatcher, role: 'centre-staff', to: 'dispatched', assignee: handler, note: '派遣' });
    if (category.tier !== 'block' && rng.chance(0.04)) {
      // 回退: the first assignee hands it back; the dispatcher sends it to a colleague.
      t += Math.round(logUniform(rng, 10, 180) * MINUTE);
      steps.push({ at: t, actor: handler, role: handlerRole, to: 'filed', assignee: null, note: '回退：需重新派遣' });
      t += Math.round(logUniform(rng, 5, 60) * MINUTE);
      [handler, handlerRole] = pickHandler(handler);
      steps.push({ at: t, actor: dispatcher, role: 'centre-staff', to: 'dispatched', assignee: handler, note: '重新派遣' });
    }
    assignee = handler;
    t += Math.round(logUniform(rng, 3, 45) * MINUTE * speed);
    steps.push({ at: t, actor: handler, role: handlerRole, to: 'accepted', assignee: handler, note: '接单' });
    const travel = kind === 'suggestion' ? logUniform(rng, 60, 48 * 60) : category.tier === 'block' ? logUniform(rng, 5, 30) : logUniform(rng, 15, 120);
    t += Math.round(travel * MINUTE * speed);
    steps.push({ at: t, actor: handler, role: handlerRole, to: 'arrived', assignee: handler, note: kind === 'suggestion' ? '联系建议人' : '到场' });

    if (fate !== 'open') {
      const extP = category.deadline.unit === 'working-days' ? 0.06 : 0.01;
      if (rng.chance(extP) && due > t) {
        const at = t + Math.round((due - t) * (0.3 + 0.5 * rng.next()));
        const days = rng.int(1, 3);
        due = addWorkingTime(due, days, 'working-days');
        steps.push({ at, actor: closer, role: closerRole, to: 'arrived', assignee: handler, note: `延期批准：${days}个工作日`, side: true });
        lateP *= 0.4;
        t = at;
      }
      const allowed = Math.max(due - t0, 30 * MINUTE);
      let resolved: number;
      const work = Math.round(logUniform(rng, 5, 60) * MINUTE * speed);
      if (rng.chance(lateP) || t + work >= due) resolved = Math.max(due + Math.round(allowed * (0.05 + 1.1 * rng.next() ** 2)) + 10 * MINUTE, t + work);
      else resolved = t + work + Math.round((due - t - work) * (0.1 + 0.85 * rng.next() ** 0.9));
      steps.push({ at: resolved, actor: handler, role: handlerRole, to: 'resolved', assignee: handler, note: '处置完毕' });
      if (rng.chance(0.04)) {
        const back = resolved + Math.round(logUniform(rng, 20, 600) * MINUTE);
        steps.push({ at: back, actor: closer, role: closerRole, to: 'accepted', assignee: handler, note: '核查未通过，返工' });
        const again = back + Math.round(logUniform(rng, 60, 16 * 60) * MINUTE);
        steps.push({ at: again, actor: handler, role: handlerRole, to: 'resolved', assignee: handler, note: '返工完成' });
      }
      // A demand that must count as resolved is compressed to finish before now.
      const last = steps[steps.length - 1].at;
      if (fate === 'resolve' && last > now - MINUTE) {
        const k = ((now - MINUTE - t0) * 0.95) / (last - t0);
        for (const s of steps) s.at = t0 + Math.floor((s.at - t0) * k);
      }
      const closedAt = steps[steps.length - 1].at + Math.round(logUniform(rng, 20, 20 * 60) * MINUTE);
      steps.push({ at: closedAt, actor: closer, role: closerRole, to: 'closed', assignee: handler, note: '核查通过，结案' });
      const evalP = channel === 'patrol' ? 0.35 : 0.75;
      if (rng.chance(evalP)) {
        steps.push({ at: closedAt + Math.round(logUniform(rng, 60, 72 * 60) * MINUTE), actor: null, role: 'resident', to: 'evaluated', assignee: handler, note: '' });
      }
    }
  }
  // Keep order by time (side rows were placed by time).
  steps.sort((a, b) => a.at - b.at);

  // Escalation at breach (超期): a side row at due_at while the case was still unresolved.
  const resolvedStep = steps.find((s) => s.to === 'resolved');
  const firstResolved = resolvedStep ? resolvedStep.at : Infinity;
  const finalResolved = (() => {
    for (let k = steps.length - 1; k >= 0; k--) if (steps[k].to === 'resolved') return steps[k].at;
    return Infinity;
  })();
  let escalated = 0;
  if (!rejected && due <= now && (finalResolved > due || firstResolved > due)) {
    escalated = 1;
    let k = 0;
    while (k < steps.length && steps[k].at <= due) k++;
    const current = steps[k - 1];
    steps.splice(k, 0, { at: due, actor: null, role: 'system', to: current.to, assignee: current.assignee, note: '超期，升级督办', side: true });
  }

  // Cut at now.
  let kept = steps.length;
  while (kept > 1 && steps[kept - 1].at > now) kept--;
  if (kept < steps.length) escalated = steps.slice(0, kept).some((s) => s.role === 'system') ? 1 : 0;
  let status: Status = 'reported';
  const stamp: Partial<Record<Status, number>> = {};
  let reworks = 0;
  let extensions = 0;
  let currentAssignee: number | null = null;
  for (let k = 0; k < kept; k++) {
    const s = steps[k];
    if (s.side) {
      s.to = status;
      if (s.role !== 'system') extensions++;
      continue;
    }
    if (s.to === 'accepted' && status === 'resolved') reworks++;
    status = s.to;
    if (s.to === 'resolved') stamp.resolved = s.at;
    else if (stamp[s.to] === undefined) stamp[s.to] = s.at;
    if (s.to === 'dispatched') currentAssignee = s.assignee;
    if (s.to === 'filed') currentAssignee = null;
  }
  const rank = STATUS_RANK[status];
  const col = (st: Status): number | null =>
    STATUS_RANK[st] <= rank && stamp[st] !== undefined ? stamp[st]! : null;
  const filedAt = status === 'rejected' ? stamp.rejected! : col('filed');
  let satisfaction: number | null = null;
  if (status === 'evaluated') {
    const late = finalResolved > due;
    satisfaction = rng.weighted([5, 4, 3, 2, 1], late ? [25, 30, 25, 12, 8] : [62, 25, 8, 3, 2]);
  }
  return {
    steps, kept, status, rank, assignee: rank >= STATUS_RANK.dispatched ? currentAssignee : null, filedAt, at: col, due,
    satisfaction, reworks, extensions, escalated: escalated ? 1 : 0,
  };
}

function channelNote(channel: Channel): string {
  switch (channel) {
    case 'patrol':
      return '巡查发现';
    case 'hotline':
      return '12345热线';
    case 'wechat':
      return '协同办公平台';
    case 'consultation':
      return '民情恳谈会';
    case 'walk-in':
      return '来访';
  }
}
