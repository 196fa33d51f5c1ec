/**
 * A report as it comes in (信息收集): its fields, their allowed values and the check of one body (an element of a
 * batch, an Open311 request or the body of POST /api/events), and whether a stored event is the same report.
 */
import { INVALID_PARAMETER, INVALID_REPORT } from './refusal.ts';
import { TAXONOMY, type Taxonomy } from '../contract/taxonomy.ts';

export const KINDS = ['demand', 'suggestion', 'incident'] as const;
export const CHANNELS = ['patrol', 'hotline', 'wechat', 'consultation', 'walk-in'] as const;
export const PRIORITIES = ['normal', 'urgent'] as const;
export type Kind = (typeof KINDS)[number];
export type Channel = (typeof CHANNELS)[number];
export type Priority = (typeof PRIORITIES)[number];

export const MAX_TEXT = 2000;
export const MAX_REPORTER = 100;
export const MAX_IDEMPOTENCY_KEY = 200;

export interface ReportInput {
  category?: string;
  text: string;
  lon: number;
  lat: number;
  channel: Channel;
  kind: Kind;
  priority: Priority;
  reporter: string;
  idempotencyKey?: string;
}

export interface FieldError {
  name: string;
  detail: string;
}

/** Validation outcome: wrong types and shapes are malformed (INVALID_PARAMETER); unknown values INVALID_REPORT. */
export type Checked =
  | { ok: true; value: ReportInput }
  | { ok: false; reason: typeof INVALID_PARAMETER | typeof INVALID_REPORT; errors: FieldError[] };

const FIELDS = ['category', 'text', 'lon', 'lat', 'channel', 'kind', 'priority', 'reporter', 'idempotencyKey'];

/** Checks one report body (an element of a batch, or the body of POST /api/events). */
export function checkReport(raw: unknown, taxonomy: Taxonomy = TAXONOMY): Checked {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: INVALID_PARAMETER, errors: [{ name: '', detail: 'a report must be a JSON object' }] };
  }
  const r = raw as Record<string, unknown>;
  const malformed: FieldError[] = [];
  const invalid: FieldError[] = [];
  for (const k of Object.keys(r)) if (!FIELDS.includes(k)) malformed.push({ name: k, detail: `unknown field; allowed: ${FIELDS.join(', ')}` });
  const str = (name: string, max: number, required: boolean): string | undefined => {
    const v = r[name];
    if (v === undefined || v === null) {
      if (required) malformed.push({ name, detail: 'is required' });
      return undefined;
    }
    if (typeof v !== 'string') return (malformed.push({ name, detail: 'must be a string' }), undefined);
    if (v.length > max) return (malformed.push({ name, detail: `must be at most ${max} characters` }), undefined);
    return v;
  };
  const oneOf = <T extends string>(name: string, values: readonly T[], fallback?: T): T | undefined => {
    const v = r[name];
    if (v === undefined || v === null) {
      if (fallback === undefined) malformed.push({ name, detail: `is required: one of ${values.join(', ')}` });
      return fallback;
    }
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      malformed.push({ name, detail: `must be one of ${values.join(', ')}` });
      return undefined;
    }
    return v as T;
  };
  const coord = (name: 'lon' | 'lat', limit: number): number | undefined => {
    const v = r[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) return (malformed.push({ name, detail: 'must be a finite number (WGS-84 degrees)' }), undefined);
    if (Math.abs(v) > limit) return (malformed.push({ name, detail: `must be within ±${limit}` }), undefined);
    return v;
  };

  const text = str('text', MAX_TEXT, true);
  if (text !== undefined && text.trim() === '') malformed.push({ name: 'text', detail: 'must not be empty' });
  const category = str('category', 4, false);
  if (category !== undefined) {
    if (!/^\d{4}$/.test(category)) malformed.push({ name: 'category', detail: 'must be a 4-digit category code' });
    else if (!taxonomy.byCode.has(category)) invalid.push({ name: 'category', detail: `no category ${category}` });
  }
  const lon = coord('lon', 180);
  const lat = coord('lat', 90);
  const channel = oneOf('channel', CHANNELS);
  const kind = oneOf('kind', KINDS);
  const priority = oneOf('priority', PRIORITIES, 'normal');
  const reporter = str('reporter', MAX_REPORTER, false) ?? '';
  const idempotencyKey = str('idempotencyKey', MAX_IDEMPOTENCY_KEY, false);
  if (idempotencyKey !== undefined && idempotencyKey.trim() === '') malformed.push({ name: 'idempotencyKey', detail: 'must not be empty' });

  if (malformed.length) return { ok: false, reason: INVALID_PARAMETER, errors: malformed };
  if (invalid.length) return { ok: false, reason: INVALID_REPORT, errors: invalid };
  return {
    ok: true,
    value: { category, text: text!, lon: lon!, lat: lat!, channel: channel!, kind: kind!, priority: priority!, reporter, ...(idempotencyKey ? { idempotencyKey } : {}) },
  };
}

/** Is a stored event the same report as this input (for idempotent replays)? Category only counts when given. */
export function sameReport(
  stored: { category_code: string; text: string; lon: number; lat: number; channel: string; kind: string; priority: string; reporter: string },
  input: ReportInput,
): boolean {
  return (
    stored.text === input.text && stored.lon === input.lon && stored.lat === input.lat && stored.channel === input.channel &&
    stored.kind === input.kind && stored.priority === input.priority && stored.reporter === input.reporter &&
    (input.category === undefined || stored.category_code === input.category)
  );
}
