/**
 * The report path's rules (信息收集 → 案卷): validating a report, classifying free text, the responsible tier and
 * unit, the proposed assignee, the due time and the case number. Pure: the service supplies the located areas and
 * the candidate staff.
 */
import rawKeywords from './category-keywords.json' with { type: 'json' };
import { SUGGESTION_MAJOR, TAXONOMY, type Category, type Taxonomy, type Tier } from './taxonomy.ts';
import { addWorkingTime, DEFAULT_CALENDAR, localDayNumber, localDayOf, type WorkCalendar } from './working-time.ts';

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

/** Validation outcome: `malformed` errors are 400s (wrong types, shapes); `invalid` ones are 422s (unknown values). */
export type Checked =
  | { ok: true; value: ReportInput }
  | { ok: false; status: 400 | 422; errors: FieldError[] };

const FIELDS = ['category', 'text', 'lon', 'lat', 'channel', 'kind', 'priority', 'reporter', 'idempotencyKey'];

/** Checks one report body (an element of a batch, or the body of POST /api/events). */
export function checkReport(raw: unknown, taxonomy: Taxonomy = TAXONOMY): Checked {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, status: 400, errors: [{ name: '', detail: 'a report must be a JSON object' }] };
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

  if (malformed.length) return { ok: false, status: 400, errors: malformed };
  if (invalid.length) return { ok: false, status: 422, errors: invalid };
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

// ---------------------------------------------------------------------------------------------------------------
// Classification

interface Term {
  text: string;
  weight: number;
}

export interface Classifier {
  /** The best category for the text, or null when nothing matches well enough. */
  classify(text: string, kind?: Kind): { category: Category; score: number } | null;
}

/** Minimum score to accept a classification (a two-character keyword). */
export const MIN_CLASSIFY_SCORE = 2;

/**
 * Keyword classifier: each category's name (weight 2 per character) and its synonyms (1 per character) that occur
 * in the text add up; the name's character pairs add 0.5 each, so a paraphrase still leans the right way. Suggestions
 * prefer the 建议 classes when they tie.
 */
export function createClassifier(
  taxonomy: Taxonomy = TAXONOMY,
  keywords: Record<string, readonly string[]> = (rawKeywords as { keywords: Record<string, string[]> }).keywords,
): Classifier {
  const entries = taxonomy.categories.map((c) => {
    const terms: Term[] = [{ text: c.name, weight: 2 }, ...(keywords[c.code] ?? []).map((k) => ({ text: k, weight: 1 }))];
    const pairs = new Set<string>();
    for (let i = 0; i + 1 < c.name.length; i++) pairs.add(c.name.slice(i, i + 2));
    return { category: c, terms, pairs: [...pairs] };
  });
  return {
    classify(text, kind) {
      let best: { category: Category; score: number } | null = null;
      for (const e of entries) {
        let score = 0;
        for (const t of e.terms) if (text.includes(t.text)) score += t.weight * t.text.length;
        for (const p of e.pairs) if (text.includes(p)) score += 0.5;
        if (kind === 'suggestion' && e.category.majorCode === SUGGESTION_MAJOR && score > 0) score += 0.25;
        if (score > (best?.score ?? 0)) best = { category: e.category, score };
      }
      return best && best.score >= MIN_CLASSIFY_SCORE ? best : null;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Assignee proposal

export interface Candidate {
  staffId: number;
  unitId: number;
  /** Open cases assigned to this person now. */
  open: number;
}

export interface Proposal {
  tier: Tier;
  /** The responsible unit (null for the block tier). */
  unitId: number | null;
  assigneeId: number | null;
}

/**
 * Who should handle it: block tier → the block's governor; centre tier → a staff member of that centre of the
 * subdistrict; department tier → an officer of that department posted to the subdistrict; the least open load
 * wins, ties to the lower staff id. `candidates` are the unit's handlers (the service picks the unit by key).
 */
export function proposeAssignee(
  category: Category,
  blockGovernor: number | null,
  unitId: number | null,
  candidates: readonly Candidate[],
): Proposal {
  if (category.tier === 'block') return { tier: 'block', unitId: null, assigneeId: blockGovernor };
  let best: Candidate | null = null;
  for (const c of candidates) if (!best || c.open < best.open || (c.open === best.open && c.staffId < best.staffId)) best = c;
  return { tier: category.tier, unitId, assigneeId: best?.staffId ?? null };
}

// ---------------------------------------------------------------------------------------------------------------
// Time and numbering

/** The deadline (处置时限) of a case reported at `at`. */
export function dueAtFor(category: Category, at: number, calendar: WorkCalendar = DEFAULT_CALENDAR): number {
  return addWorkingTime(at, category.deadline.value, category.deadline.unit, calendar);
}

/** 'YH20261125': the case-number prefix of the local day of `at`. */
export function caseNoPrefix(at: number, district = 'YH', calendar: WorkCalendar = DEFAULT_CALENDAR): string {
  return `${district}${localDayOf(localDayNumber(at, calendar)).iso.replaceAll('-', '')}`;
}

/** The case number after the day's highest one ('YH2026112500007' → 'YH2026112500008'). */
export function caseNo(prefix: string, seq: number): string {
  return `${prefix}${String(seq).padStart(5, '0')}`;
}

/** The daily sequence of a case number of this prefix (0 when none). */
export function caseSeq(prefix: string, last: string | null | undefined): number {
  if (!last || !last.startsWith(prefix)) return 0;
  const n = Number(last.slice(prefix.length));
  return Number.isSafeInteger(n) ? n : 0;
}
