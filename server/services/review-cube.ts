/**
 * The review's case cube: every case's review columns in flat typed arrays (one slot per case, in id order), kept
 * current incrementally. Indicators, percentiles, survival curves and rankings for any filter are one pass over
 * these arrays — a few milliseconds per 10⁶ cases — instead of a scan of the events and event_log tables.
 *
 * Kept current without a hook in the write path: every change the review reads appends an event_log row in the same
 * transaction, so before each read the cube asks for the log's highest id (a rowid lookup), re-reads the cases
 * named by log rows after its watermark, and appends cases with ids after its highest. The first read builds the
 * cube from the tables (the cost is reported by the review bench).
 *
 * Per case it also keeps what is costly to recompute per request: the working-time minutes from report to each
 * step (the holiday calendar walks days) and the hand-offs and waits counted from the case's log (flatness.ts).
 */
import { STATUSES } from '../contract/statuses.ts';
import type { CaseTuple, LogStepTuple, ReviewQueries } from '../db/queries/review.ts';
import { flatnessOf, type LogStep } from '../domain/stats/flatness.ts';
import { INTERVALS } from '../domain/stats/response-intervals.ts';
import { DEFAULT_CALENDAR, workingMsBetween, type WorkCalendar } from '../domain/working-time.ts';

export const CHANNELS = ['patrol', 'hotline', 'wechat', 'consultation', 'walk-in'] as const;
export const KINDS = ['demand', 'suggestion', 'incident'] as const;
export const PRIORITIES = ['normal', 'urgent'] as const;
/** Status numbers (indexes into STATUSES) the review tests. */
export const S_REJECTED = STATUSES.indexOf('rejected');
export const S_CLOSED = STATUSES.indexOf('closed');
export const S_EVALUATED = STATUSES.indexOf('evaluated');

const PAGE = 50_000;
const BY_IDS = 500;
const MINUTE = 60_000;

/** Strings of one dimension ↔ small integers. */
export class Dictionary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  id(value: string): number {
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.index.set(value, i);
    }
    return i;
  }
  find(value: string): number | undefined {
    return this.index.get(value);
  }
}

const indexOf = (list: readonly string[], v: string): number => {
  const i = list.indexOf(v);
  if (i < 0) throw new Error(`review cube: unknown value ${v}`);
  return i;
};

export class ReviewCube {
  n = 0;
  private capacity = 0;
  private maxId = 0;
  private logWatermark = -1;

  readonly categories = new Dictionary();
  readonly blocks = new Dictionary();
  readonly communities = new Dictionary();
  readonly subdistricts = new Dictionary();

  id = new Float64Array(0);
  status = new Uint8Array(0);
  channel = new Uint8Array(0);
  kind = new Uint8Array(0);
  priority = new Uint8Array(0);
  category = new Uint16Array(0);
  block = new Uint16Array(0);
  community = new Uint16Array(0);
  subdistrict = new Uint16Array(0);
  /** units.id, −1 = none (a block-tier case). */
  unit = new Int32Array(0);
  /** staff.id of the current assignee, −1 = none. */
  assignee = new Int32Array(0);
  reported = new Float64Array(0);
  filed = new Float64Array(0);
  dispatched = new Float64Array(0);
  accepted = new Float64Array(0);
  arrived = new Float64Array(0);
  resolved = new Float64Array(0);
  closed = new Float64Array(0);
  due = new Float64Array(0);
  verifyDue = new Float64Array(0);
  /** 1–5, 0 = not rated. */
  satisfaction = new Uint8Array(0);
  rework = new Uint8Array(0);
  extension = new Uint8Array(0);
  /** Working minutes from report to each of INTERVALS (NaN = not reached). */
  working: Float32Array[] = INTERVALS.map(() => new Float32Array(0));
  handoffs = new Uint16Array(0);
  waitMs = new Float64Array(0);
  waits = new Uint16Array(0);

  constructor(private readonly q: ReviewQueries, private readonly calendar: WorkCalendar = DEFAULT_CALENDAR) {}

  private building: Promise<void> | null = null;

  /**
   * Reads the tables into the cube a page at a time, yielding to the event loop between pages, so a first build
   * over 10⁶ cases does not stall the server's other requests (the live stream, the wall). Callers share one build.
   */
  build(): Promise<void> {
    this.building ??= (async () => {
      while (this.step(PAGE) > 0) await new Promise((r) => setImmediate(r));
    })();
    return this.building;
  }

  /** Brings the cube up to date with the tables; returns how many cases were (re)read. */
  refresh(): number {
    let touched = 0;
    for (let n; (n = this.step(PAGE)) > 0; ) touched += n;
    return touched;
  }

  /** One step of catching up: the changed cases, then up to `limit` new ones; returns how many were read. */
  private step(limit: number): number {
    const logTop = this.q.maxLogId();
    let touched = 0;
    if (this.logWatermark >= 0 && logTop > this.logWatermark) {
      const ids = this.q.changedSince(this.logWatermark).filter((id) => id <= this.maxId);
      for (let i = 0; i < ids.length; i += BY_IDS) {
        const chunk = ids.slice(i, i + BY_IDS);
        const logs = groupLogs(this.q.logStepsOf(chunk));
        for (const row of this.q.casesByIds(chunk)) {
          const slot = this.slotOf(row[0]);
          if (slot >= 0) this.write(slot, row, logs.get(row[0]) ?? []);
        }
        touched += chunk.length;
      }
    }
    this.logWatermark = logTop;
    const rows = this.q.casesAfter(this.maxId, limit);
    if (rows.length === 0) return touched;
    const first = rows[0][0];
    const last = rows[rows.length - 1][0];
    const logs = groupLogs(this.q.logSteps(first, last + 1));
    this.grow(this.n + rows.length);
    for (const row of rows) this.write(this.n++, row, logs.get(row[0]) ?? []);
    this.maxId = last;
    return touched + rows.length;
  }

  /** The slot of a case id (binary search: slots are in id order), −1 if absent. */
  slotOf(id: number): number {
    let lo = 0, hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.id[mid];
      if (v === id) return mid;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private write(i: number, r: CaseTuple, log: LogStep[]): void {
    const nan = (v: number | null) => (v === null ? NaN : v);
    this.id[i] = r[0];
    this.status[i] = indexOf(STATUSES, r[1]);
    this.channel[i] = indexOf(CHANNELS, r[2]);
    this.kind[i] = indexOf(KINDS, r[3]);
    this.priority[i] = indexOf(PRIORITIES, r[4]);
    this.category[i] = this.categories.id(r[5]);
    this.block[i] = this.blocks.id(r[6]);
    this.community[i] = this.communities.id(r[7]);
    this.subdistrict[i] = this.subdistricts.id(r[8]);
    this.unit[i] = r[9] ?? -1;
    this.assignee[i] = r[10] ?? -1;
    this.reported[i] = r[11];
    this.filed[i] = nan(r[12]);
    this.dispatched[i] = nan(r[13]);
    this.accepted[i] = nan(r[14]);
    this.arrived[i] = nan(r[15]);
    this.resolved[i] = nan(r[16]);
    this.closed[i] = nan(r[17]);
    this.due[i] = r[18];
    this.verifyDue[i] = nan(r[19]);
    this.satisfaction[i] = r[20] ?? 0;
    this.rework[i] = Math.min(255, r[21]);
    this.extension[i] = Math.min(255, r[22]);
    const steps = [this.filed[i], this.dispatched[i], this.arrived[i], this.resolved[i], this.closed[i]];
    for (let k = 0; k < INTERVALS.length; k++) {
      const t = steps[k];
      this.working[k][i] = Number.isNaN(t) ? NaN : Math.floor(workingMsBetween(r[11], t, this.calendar) / MINUTE);
    }
    const f = flatnessOf(log);
    this.handoffs[i] = Math.min(65_535, f.handoffs);
    this.waitMs[i] = f.waitMs;
    this.waits[i] = Math.min(65_535, f.waits);
  }

  private grow(size: number): void {
    if (size <= this.capacity) return;
    const cap = Math.max(size, Math.ceil(this.capacity * 1.5), 1024);
    const g = <T extends Float64Array | Float32Array | Uint8Array | Uint16Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.id = g(this.id); this.status = g(this.status); this.channel = g(this.channel); this.kind = g(this.kind);
    this.priority = g(this.priority); this.category = g(this.category); this.block = g(this.block);
    this.community = g(this.community); this.subdistrict = g(this.subdistrict); this.unit = g(this.unit);
    this.assignee = g(this.assignee); this.reported = g(this.reported); this.filed = g(this.filed);
    this.dispatched = g(this.dispatched); this.accepted = g(this.accepted); this.arrived = g(this.arrived);
    this.resolved = g(this.resolved); this.closed = g(this.closed); this.due = g(this.due); this.verifyDue = g(this.verifyDue);
    this.satisfaction = g(this.satisfaction); this.rework = g(this.rework); this.extension = g(this.extension);
    this.working = this.working.map(g);
    this.handoffs = g(this.handoffs); this.waitMs = g(this.waitMs); this.waits = g(this.waits);
    this.capacity = cap;
  }
}

function groupLogs(rows: LogStepTuple[]): Map<number, LogStep[]> {
  const out = new Map<number, LogStep[]>();
  for (const [eventId, at, actor, assignee] of rows) {
    let list = out.get(eventId);
    if (!list) out.set(eventId, (list = []));
    list.push({ at, actor_id: actor, assignee_id: assignee });
  }
  return out;
}
