/**
 * What-if replay: the events of a period counted under two sets of boundaries — a draft and the published version —
 * block by block: volume, the share handled late (处置超期), and the load on each block's governor (家事自办 cases
 * per month; every block has exactly one governor). Events are tied to buildings (the parcel they fell in), so a
 * plan's answer is one pass over typed arrays, whatever the edits.
 */

/** The events to replay, column-wise. */
export interface ReplayEvents {
  /** Building index (as the plan district's) of each event's parcel; -1 when it fell in none. */
  building: Int32Array;
  reportedAt: Float64Array;
  /** 1 when handled late (处置超期) or open past its deadline. */
  late: Uint8Array;
  /** 1 when the case is the block's own (家事自办), handled by its governor. */
  blockTier: Uint8Array;
}

export interface ReplayFigures {
  volume: number;
  late: number;
  /** late / volume; 0 without events. */
  lateRate: number;
  /** Block-tier cases per month for the block's one governor. */
  governorLoad: number;
}

export interface ReplayRow {
  code: string;
  draft: ReplayFigures | null;
  published: ReplayFigures | null;
  /** Draft volume minus published volume (a block missing on one side counts 0 there). */
  volumeChange: number;
}

export interface Assignment {
  codes: readonly string[];
  blockOf: Int32Array;
}

export interface ReplayResult {
  from: number;
  to: number;
  events: number;
  unlocated: number;
  rows: ReplayRow[];
}

const MONTH_MS = (365.2425 / 12) * 86_400_000;

function count(ev: ReplayEvents, a: Assignment, from: number, to: number) {
  const n = a.codes.length;
  const volume = new Int32Array(n), late = new Int32Array(n), tier = new Int32Array(n);
  let events = 0, unlocated = 0;
  const { building, reportedAt } = ev;
  for (let k = 0; k < building.length; k++) {
    const t = reportedAt[k];
    if (t < from || t >= to) continue;
    events++;
    const b = building[k];
    if (b < 0) {
      unlocated++;
      continue;
    }
    const s = a.blockOf[b];
    volume[s]++;
    late[s] += ev.late[k];
    tier[s] += ev.blockTier[k];
  }
  return { volume, late, tier, events, unlocated };
}

/** Replays the events reported in [from, to) under the draft and under the published boundaries. */
export function replayEvents(ev: ReplayEvents, draft: Assignment, draftAlive: ReadonlySet<string>, published: Assignment, from: number, to: number): ReplayResult {
  const months = Math.max((to - from) / MONTH_MS, 1e-9);
  const d = count(ev, draft, from, to);
  const p = count(ev, published, from, to);
  const figures = (c: ReturnType<typeof count>, s: number): ReplayFigures => ({
    volume: c.volume[s],
    late: c.late[s],
    lateRate: c.volume[s] > 0 ? c.late[s] / c.volume[s] : 0,
    governorLoad: c.tier[s] / months,
  });
  const rows = new Map<string, ReplayRow>();
  published.codes.forEach((code, s) => rows.set(code, { code, draft: null, published: figures(p, s), volumeChange: 0 }));
  draft.codes.forEach((code, s) => {
    if (!draftAlive.has(code)) return;
    const row = rows.get(code) ?? { code, draft: null, published: null, volumeChange: 0 };
    row.draft = figures(d, s);
    rows.set(code, row);
  });
  for (const r of rows.values()) r.volumeChange = (r.draft?.volume ?? 0) - (r.published?.volume ?? 0);
  return { from, to, events: d.events, unlocated: d.unlocated, rows: [...rows.values()].sort((a, b) => (a.code < b.code ? -1 : 1)) };
}

/** Events per building in [from, to), for the plan's workload figures. */
export function eventsPerBuilding(ev: ReplayEvents, size: number, from: number, to: number): Int32Array {
  const out = new Int32Array(size);
  for (let k = 0; k < ev.building.length; k++) {
    const b = ev.building[k];
    if (b >= 0 && ev.reportedAt[k] >= from && ev.reportedAt[k] < to) out[b]++;
  }
  return out;
}

/** The instant n calendar months before t (UTC calendar; the window's edge need not be exact to the hour). */
export function monthsBefore(t: number, n: number): number {
  const d = new Date(t);
  d.setUTCMonth(d.getUTCMonth() - n);
  return d.getTime();
}
