/**
 * The simulator's view of one case: the server's answers about it (GET /api/events/:id and the write answers),
 * the plan drawn for it, and which step comes next and when.
 */
import type { EventDetail as ApiEventDetail, LogEntry } from '../contract/api.ts';
import type { Tier } from '../contract/taxonomy.ts';
import { needsReportVerification } from '../domain/lifecycle.ts';
import type { Rng } from '../domain/prng.ts';
import type { CasePlan } from './plan.ts';
import type { SimClock } from './scheduler.ts';
import type { World } from './world.ts';

const MINUTE = 60_000;

/** The parts of a log entry the simulator reads. */
export type EventLogItem = Pick<LogEntry, 'at' | 'from' | 'to' | 'note'> & {
  actor: { id: number } | null;
  assignee: { id: number } | null;
};

/** The parts of GET /api/events/:id (and of the write answers) the simulator reads. */
export type EventDetail = Pick<
  ApiEventDetail,
  'id' | 'caseNo' | 'kind' | 'channel' | 'status' | 'priority' | 'lon' | 'lat' | 'blockCode' | 'subdistrictCode' | 'reportedAt' | 'dueAt'
> & {
  category: { code: string };
  tier: Tier;
  assignee: { id: number } | null;
  /** 核实: when a hotline or walk-in report was checked on site (absent from servers without the step). */
  reportVerifiedAt?: string | null;
  log: EventLogItem[];
  /** The report answer's proposed assignee. */
  proposal?: { assignee: { id: number } | null } | null;
};

/** A case the simulator follows: what the server said about it and what its plan and history here say. */
export interface Case {
  id: number;
  caseNo: string;
  status: string;
  /** The report was checked on site (核实), or needs no check. */
  verified: boolean;
  tier: Tier;
  blockCode: string;
  subdistrictCode: string;
  lon: number;
  lat: number;
  reportedReal: number;
  dueReal: number;
  assignee: number | null;
  handlers: Set<number>;
  extensionPending: boolean;
  plan: CasePlan;
  rng: Rng;
  dispatcher: number | null;
  proposal: number | null;
  /** Simulated instant of the last status change seen. */
  anchor: number;
  returned: boolean;
  returnedBy: number | null;
  extensionAsked: boolean;
  extensionAskedAt: number;
  reworked: boolean;
  excluded: Set<number>;
  failures: number;
  /** What the case is doing now (for the stop report). */
  doing: string;
  /** The road part of the route the server stored at dispatch (POST /api/events/:id/dispatch), if any. */
  route: { staffId: number; start: [number, number]; coordinates: number[][]; times: number[] } | null;
}

export type Action =
  | 'file' | 'reject' | 'dispatch' | 'return' | 'accept' | 'travel' | 'arrive' | 'extension-request'
  | 'extension-decide' | 'resolve' | 'rework' | 'close' | 'evaluate' | 'verify-report';

/** What the log says about a case: everyone who was its assignee, and whether an extension request is pending. */
export function readLog(log: readonly EventLogItem[]): { handlers: Set<number>; extensionPending: boolean } {
  const handlers = new Set<number>();
  let pending = false;
  for (const l of log) {
    if (l.assignee && l.to !== 'reported' && l.to !== 'filed' && l.to !== 'rejected') handlers.add(l.assignee.id);
    if (l.note.startsWith('延期申请')) pending = true;
    else if (l.note.startsWith('延期批准') || l.note.startsWith('延期驳回') || l.to === 'resolved' || l.to === 'filed') pending = false;
  }
  return { handlers, extensionPending: pending };
}

/** Takes in the server's answer about a case (its status, assignee, due time and log). */
export function applyDetail(c: Case, d: EventDetail, clock: SimClock): void {
  if (d.status !== c.status) c.anchor = clock.now();
  c.status = d.status;
  c.tier = d.tier;
  c.assignee = d.assignee?.id ?? null;
  c.dueReal = d.dueAt ? Date.parse(d.dueAt) : Infinity;
  const l = readLog(d.log ?? []);
  c.handlers = l.handlers;
  c.extensionPending = l.extensionPending;
  if (d.reportVerifiedAt) c.verified = true;
}

/** A case to follow, from the server's answer about it and the plan drawn for it. */
export function newCase(d: EventDetail, plan: CasePlan, rng: Rng, proposal: number | null, staff: World['staff'], clock: SimClock): Case {
  const dispatchers = staff.dispatchers.get(d.subdistrictCode) ?? [];
  const c: Case = {
    id: d.id, caseNo: d.caseNo, status: d.status, tier: d.tier,
    // Only servers that report the field ask for the on-site check.
    verified: !('reportVerifiedAt' in d) || !needsReportVerification(d.channel, d.kind), blockCode: d.blockCode, subdistrictCode: d.subdistrictCode,
    lon: d.lon, lat: d.lat, reportedReal: Date.parse(d.reportedAt), dueReal: d.dueAt ? Date.parse(d.dueAt) : Infinity, assignee: null,
    handlers: new Set(), extensionPending: false, plan, rng, dispatcher: dispatchers.length ? rng.pick(dispatchers) : null,
    proposal, anchor: clock.now(), returned: false, returnedBy: null, extensionAsked: false, extensionAskedAt: 0,
    reworked: false, excluded: new Set(), failures: 0, doing: 'new', route: null,
  };
  applyDetail(c, d, clock);
  c.anchor = clock.now();
  return c;
}

/** The case's next step by its plan, at a simulated instant; null when nothing more happens to it. */
export function nextStep(c: Case, clock: SimClock): { at: number; action: Action } | null {
  const p = c.plan;
  const a = c.anchor;
  switch (c.status) {
    case 'reported':
      // 核实: the block supervisor checks a hotline or walk-in report on site before the centre files it.
      if (!p.reject && !c.verified) return { at: a + Math.round(p.fileDelay / 2), action: 'verify-report' };
      return { at: a + p.fileDelay, action: p.reject ? 'reject' : 'file' };
    case 'filed':
      return { at: a + p.dispatchDelay, action: 'dispatch' };
    case 'dispatched':
      if (p.returnAfter !== null && !c.returned) return { at: a + p.returnAfter, action: 'return' };
      return { at: a + p.acceptDelay, action: 'accept' };
    case 'accepted':
      if (c.reworked) return { at: a + Math.round((p.rework?.redo ?? 30 * MINUTE) / 4), action: 'arrive' };
      return { at: a, action: 'travel' };
    case 'arrived': {
      if (c.extensionPending) {
        const from = c.extensionAsked ? c.extensionAskedAt : a;
        return { at: from + (p.extension?.decisionDelay ?? 20 * MINUTE), action: 'extension-decide' };
      }
      if (p.extension && !c.extensionAsked) return { at: a + p.extension.after, action: 'extension-request' };
      const base = a + (c.reworked ? p.rework?.redo ?? p.work : p.work);
      const reported = clock.fromReal(c.reportedReal);
      const due = clock.fromReal(c.dueReal);
      if (p.lateFactor !== null) return { at: Math.max(base, reported + (due - reported) * p.lateFactor), action: 'resolve' };
      // On time: done before the deadline when there is still time for it.
      const latest = due - 5 * MINUTE;
      return { at: latest > a + MINUTE ? Math.min(base, latest) : base, action: 'resolve' };
    }
    case 'resolved':
      if (p.rework && !c.reworked) return { at: a + p.rework.after, action: 'rework' };
      return { at: a + p.closeDelay, action: 'close' };
    case 'closed':
      return p.evaluation ? { at: a + p.evaluation.after, action: 'evaluate' } : null;
    default:
      return null;
  }
}
