/**
 * The replay of a day as a pure function of time: which cases have been reported by t and their status at t, and
 * how far each dispatch route's responder has travelled at t (interpolated along the path by its vertex times).
 */
import type { ReviewReplay } from '../../../server/contract/review';

export interface ReplayPoint {
  id: number;
  caseNo: string;
  position: [number, number];
  status: string;
  /** ms since this case's last step (fresh steps pulse). */
  sinceStep: number;
}

export interface ReplayLine {
  id: number;
  eventId: number;
  /** The travelled part of the path up to t (at least its start). */
  travelled: [number, number][];
  whole: [number, number][];
  head: [number, number];
  arrived: boolean;
}

export interface ReplayIndex {
  from: number;
  to: number;
  steps: { eventId: number; at: number; to: string }[];
  cases: Map<number, { caseNo: string; position: [number, number] }>;
  routes: { id: number; eventId: number; start: number; path: [number, number][]; times: number[] }[];
}

export function indexReplay(r: ReviewReplay): ReplayIndex {
  return {
    from: Date.parse(r.from),
    to: Date.parse(r.to),
    steps: r.steps.map((s) => ({ eventId: s.eventId, at: Date.parse(s.at), to: s.to })),
    cases: new Map(r.cases.map((c) => [c.id, { caseNo: c.caseNo, position: [c.lon, c.lat] as [number, number] }])),
    routes: r.routes.map((x) => ({ id: x.id, eventId: x.eventId, start: Date.parse(x.start), path: x.path, times: x.times })),
  };
}

/** Cases with at least one step by t, each at its latest status. Steps are in time order. */
export function pointsAt(ix: ReplayIndex, t: number): ReplayPoint[] {
  const latest = new Map<number, { status: string; at: number }>();
  for (const s of ix.steps) {
    if (s.at > t) break;
    latest.set(s.eventId, { status: s.to, at: s.at });
  }
  const out: ReplayPoint[] = [];
  for (const [id, s] of latest) {
    const c = ix.cases.get(id);
    if (c) out.push({ id, caseNo: c.caseNo, position: c.position, status: s.status, sinceStep: t - s.at });
  }
  return out;
}

/** Routes started by t, cut at the responder's position at t. */
export function linesAt(ix: ReplayIndex, t: number): ReplayLine[] {
  const out: ReplayLine[] = [];
  for (const r of ix.routes) {
    if (r.start > t || r.path.length < 2) continue;
    const s = (t - r.start) / 1000;
    const travelled: [number, number][] = [r.path[0]];
    let head = r.path[0];
    let arrived = true;
    for (let i = 1; i < r.path.length; i++) {
      const t0 = r.times[i - 1], t1 = r.times[i];
      if (s >= t1) {
        travelled.push(r.path[i]);
        head = r.path[i];
        continue;
      }
      const f = t1 > t0 ? Math.max(0, (s - t0) / (t1 - t0)) : 1;
      const [a, b] = [r.path[i - 1], r.path[i]];
      head = [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
      travelled.push(head);
      arrived = false;
      break;
    }
    out.push({ id: r.id, eventId: r.eventId, travelled, whole: r.path, head, arrived });
  }
  return out;
}
