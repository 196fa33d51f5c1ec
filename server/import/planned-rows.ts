/**
 * A batch of planned events in columns: numbers in one Float64Array, the repeated texts (codes, statuses, blocks)
 * as indexes into a small dictionary in one Int32Array, the free texts (source id, text) in one array.
 *
 * Why not an array of PlannedEvent objects: a large import plans its rows on a thread of its own and posts each
 * batch to the writing thread. The structured clone of objects writes every property name of every row, and was a
 * sixth of the planning thread's time; the typed arrays move without a copy (transferred), and a batch's few
 * hundred distinct codes are written once each.
 */
import type { PlannedEvent } from '../db/commands/import-events.ts';

/** Number columns (NaN for null). */
export const N = {
  row: 0, lon: 1, lat: 2, version_id: 3, unit_id: 4, reported_at: 5, filed_at: 6, resolved_at: 7, closed_at: 8, due_at: 9, warn_at: 10,
  verify_due_at: 11,
} as const;
/** Dictionary-coded text columns (-1 for null). */
export const C = {
  category_code: 0, source_category: 1, department: 2, kind: 3, channel: 4, priority: 5, status: 6, tier: 7, block_code: 8,
  community_code: 9, subdistrict_code: 10,
} as const;
/** Free text columns. */
export const T = { source_id: 0, text: 1 } as const;

const NN = Object.keys(N).length;
const NC = Object.keys(C).length;
const NT = Object.keys(T).length;

export interface PlannedRows {
  length: number;
  nums: Float64Array;
  codes: Int32Array;
  dict: string[];
  texts: string[];
}

export const num = (r: PlannedRows, k: number, field: number): number => r.nums[k * NN + field];
export const numOrNull = (r: PlannedRows, k: number, field: number): number | null => {
  const v = r.nums[k * NN + field];
  return v === v ? v : null;
};
export const code = (r: PlannedRows, k: number, field: number): string => r.dict[r.codes[k * NC + field]];
export const codeOrNull = (r: PlannedRows, k: number, field: number): string | null => {
  const i = r.codes[k * NC + field];
  return i < 0 ? null : r.dict[i];
};
export const text = (r: PlannedRows, k: number, field: number): string => r.texts[k * NT + field];

/** Row k as an object (tests, and anything not on the per-row path). */
export function plannedEvent(r: PlannedRows, k: number): PlannedEvent {
  const e: Record<string, unknown> = {};
  for (const [f, i] of Object.entries(N)) e[f] = numOrNull(r, k, i);
  for (const [f, i] of Object.entries(C)) e[f] = codeOrNull(r, k, i);
  for (const [f, i] of Object.entries(T)) e[f] = text(r, k, i);
  return e as unknown as PlannedEvent;
}

export class PlannedRowsBuilder {
  private nums: number[] = [];
  private codes: number[] = [];
  private texts: string[] = [];
  private dict = new Map<string, number>();
  length = 0;

  private code(v: string | null): number {
    if (v === null) return -1;
    let i = this.dict.get(v);
    if (i === undefined) this.dict.set(v, (i = this.dict.size));
    return i;
  }

  add(e: PlannedEvent): void {
    this.nums.push(
      e.row, e.lon, e.lat, e.version_id, e.unit_id ?? NaN, e.reported_at, e.filed_at ?? NaN, e.resolved_at ?? NaN, e.closed_at ?? NaN,
      e.due_at, e.warn_at, e.verify_due_at ?? NaN,
    );
    this.codes.push(
      this.code(e.category_code), this.code(e.source_category), this.code(e.department), this.code(e.kind), this.code(e.channel),
      this.code(e.priority), this.code(e.status), this.code(e.tier), this.code(e.block_code), this.code(e.community_code),
      this.code(e.subdistrict_code),
    );
    this.texts.push(e.source_id, e.text);
    this.length++;
  }

  build(): PlannedRows {
    return { length: this.length, nums: Float64Array.from(this.nums), codes: Int32Array.from(this.codes), dict: [...this.dict.keys()], texts: this.texts };
  }
}
