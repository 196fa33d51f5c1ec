/**
 * One source row → a checked event, or the reason it cannot be imported. The rules, in order (the first failing one
 * is the row's reason):
 *
 *   missing-id               no id
 *   duplicate-id-in-file     an earlier row of this file has the id (the first one wins)
 *   duplicate-id-in-database the id was imported from this source before (re-imports add nothing)
 *   missing-created          no created time
 *   invalid-timestamp        a created / due / closed value matches none of the formats
 *   nonexistent-local-time   a local time skipped by a daylight-saving change
 *   closed-before-created    closed earlier than created
 *   missing-coordinates      latitude or longitude empty or not a number
 *   placeholder-coordinates  the coordinates are one of the mapping's placeholder pairs
 *   outside-boundaries       the point (in WGS-84) lies in no block of the boundary version
 *   unknown-status           a status the mapping does not map and Gezhi does not know
 *   suspended-status         the source's status is Gezhi's "suspended", which needs a suspension time it lacks
 *   closed-without-time      the status says closed but the closed time is empty
 *
 * Notes on imported rows: ambiguous-local-time (the repeated hour of a daylight-saving change: the earlier instant
 * is taken), unmapped-category (kept under the unmapped category with the source text), due-computed (no due time in
 * the source: the taxonomy's deadline on the working-time calendar from created), no-deadline (no due time and no
 * mapped category: no deadline, excluded from on-time figures). A case past a bare report (and not rejected) is filed
 * (立案) at its created time.
 */
import { NO_DEADLINE } from '../contract/deadline.ts';
import { CLOSED_STATUSES, isStatus, type Status } from '../contract/statuses.ts';
import type { Category } from '../contract/taxonomy.ts';
import type { ImportIssue, PlannedEvent } from '../db/commands/import-events.ts';
import { warningAt } from '../domain/escalation.ts';
import { verifyDueAt } from '../domain/on-time.ts';
import { dueAtFor } from '../domain/deadline.ts';
import type { WorkCalendar } from '../domain/working-time.ts';
import type { ToWgs84 } from '../geo/crs.ts';
import { SUSPENDED_PROBLEM, UNIMPORTABLE_STATUS, type EventMapping } from './mapping.ts';
import type { SourceRecord } from './records.ts';
import type { TimeResult } from './timestamps.ts';

export interface LocatedBlock {
  versionId: number;
  code: string;
  community_code: string;
  subdistrict_code: string;
}

export interface RowContext {
  mapping: EventMapping;
  parseTime: (text: string) => TimeResult;
  toWgs84: ToWgs84;
  /** The block containing a WGS-84 point at a time, or null. */
  locate: (lon: number, lat: number, at: number) => LocatedBlock | null;
  category: (code: string) => Category | undefined;
  unitId: (category: Category, subdistrict: string) => number | null;
  alreadyImported: (sourceId: string) => boolean;
  calendar: WorkCalendar;
}

export type RowOutcome =
  | { ok: true; event: PlannedEvent; notes: ImportIssue[] }
  | { ok: false; issue: ImportIssue };

/** Placeholder pairs match to 1e-7 (a centimetre): exports write them with varying decimals. */
const PLACEHOLDER_TOLERANCE = 1e-7;

/** A mapped column's text, trimmed ('' when the mapping names none or the record lacks it). */
function col(rec: SourceRecord, m: EventMapping, f: keyof EventMapping['columns']): string {
  const c = m.columns[f];
  return c === undefined ? '' : rec.get(c).trim();
}

const addNote = (notes: ImportIssue[], rec: SourceRecord, id: string, reason: string, detail: string): void => {
  notes.push({ row: rec.row, source_id: id, outcome: 'note', reason, detail });
};

const skip = (rec: SourceRecord, id: string, reason: string, detail: string): RowOutcome =>
  ({ ok: false, issue: { row: rec.row, source_id: id, outcome: 'skipped', reason, detail } });

/**
 * A time column: its instant, null when empty, or the row's skip. A repeated local hour adds a note to `notes`.
 * (Plain functions, not closures made per row: a million rows would make four million of them.)
 */
function readTime(rec: SourceRecord, ctx: RowContext, id: string, field: 'created' | 'due' | 'closed', notes: ImportIssue[]): number | null | RowOutcome {
  const text = col(rec, ctx.mapping, field);
  if (text === '') return null;
  const t = ctx.parseTime(text);
  if (!t.ok) return skip(rec, id, t.reason, `${field}: ${t.detail}`);
  if (t.ambiguous) {
    addNote(notes, rec, id, 'ambiguous-local-time', `${field}: "${text}" occurs twice in ${ctx.mapping.timeZone}; the earlier instant was taken`);
  }
  return t.ms;
}

export function planRow(rec: SourceRecord, seenIds: Set<string>, ctx: RowContext): RowOutcome {
  const m = ctx.mapping;
  const id = col(rec, m, 'id');
  if (id === '') return skip(rec, id, 'missing-id', `column "${m.columns.id}" is empty`);
  // One hash look-up, not two: adding an id already there leaves the size as it was.
  const distinct = seenIds.size;
  if (seenIds.add(id).size === distinct) return skip(rec, id, 'duplicate-id-in-file', `id "${id}" appeared on an earlier row`);
  if (ctx.alreadyImported(id)) return skip(rec, id, 'duplicate-id-in-database', `id "${id}" was imported from ${m.source} before`);

  const notes: ImportIssue[] = [];
  const created = readTime(rec, ctx, id, 'created', notes);
  if (created === null) return skip(rec, id, 'missing-created', `column "${m.columns.created}" is empty`);
  if (typeof created !== 'number') return created;
  const due = readTime(rec, ctx, id, 'due', notes);
  if (due !== null && typeof due !== 'number') return due;
  const closed = readTime(rec, ctx, id, 'closed', notes);
  if (closed !== null && typeof closed !== 'number') return closed;
  if (closed !== null && closed < created) {
    return skip(rec, id, 'closed-before-created', `closed ${new Date(closed).toISOString()} is before created ${new Date(created).toISOString()}`);
  }

  const xText = col(rec, m, 'longitude');
  const yText = col(rec, m, 'latitude');
  const x = xText === '' ? NaN : Number(xText);
  const y = yText === '' ? NaN : Number(yText);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return skip(rec, id, 'missing-coordinates', `longitude "${xText}", latitude "${yText}"`);
  for (const [px, py] of m.placeholderCoordinates) {
    if (Math.abs(x - px) <= PLACEHOLDER_TOLERANCE && Math.abs(y - py) <= PLACEHOLDER_TOLERANCE) {
      return skip(rec, id, 'placeholder-coordinates', `(${xText}, ${yText}) is a placeholder`);
    }
  }
  const [lon, lat] = ctx.toWgs84(x, y);
  const block = Number.isFinite(lon) && Number.isFinite(lat) ? ctx.locate(lon, lat, created) : null;
  if (!block) return skip(rec, id, 'outside-boundaries', `(${xText}, ${yText}) → WGS-84 (${lon.toFixed(6)}, ${lat.toFixed(6)}) lies in no block`);

  const statusText = col(rec, m, 'status');
  let status: Status;
  if (statusText === '' || m.columns.status === undefined) status = closed !== null ? 'closed' : 'reported';
  else if (m.statuses[statusText]) status = m.statuses[statusText];
  else if (isStatus(statusText)) status = statusText;
  else return skip(rec, id, 'unknown-status', `status "${statusText}" is not in the mapping's statuses`);
  if (status === UNIMPORTABLE_STATUS) return skip(rec, id, 'suspended-status', SUSPENDED_PROBLEM);

  const isClosed = CLOSED_STATUSES.includes(status);
  if (isClosed && closed === null) return skip(rec, id, 'closed-without-time', `status "${statusText}" is closed but column "${m.columns.closed ?? 'closed'}" is empty`);

  const sourceCategory = col(rec, m, 'category');
  const mappedCode = m.categories[sourceCategory] ?? (ctx.category(sourceCategory) ? sourceCategory : undefined);
  const category = mappedCode === undefined ? undefined : ctx.category(mappedCode);
  if (!category) addNote(notes, rec, id, 'unmapped-category', `category "${sourceCategory}" maps to no category; kept as unmapped`);

  let dueAt: number;
  if (due !== null) dueAt = due;
  else if (category) {
    dueAt = dueAtFor(category, created, ctx.calendar);
    addNote(notes, rec, id, 'due-computed', `no due time: ${category.deadline.value} ${category.deadline.unit} from created`);
  } else {
    dueAt = NO_DEADLINE;
    addNote(notes, rec, id, 'no-deadline', 'no due time and no mapped category: no deadline, left out of on-time figures');
  }
  const finished = isClosed || status === 'rejected';
  const warnAt = finished || dueAt === NO_DEADLINE || !category
    ? dueAt
    : warningAt(created, dueAt, category.warningRatio, category.deadline.unit, ctx.calendar);
  // The source records one closing instant: handling and verification are taken to end there together.
  const resolvedAt = closed !== null && (isClosed || status === 'resolved') ? closed : null;

  return {
    ok: true,
    notes,
    event: {
      row: rec.row, source_id: id, category_code: category ? category.code : null, source_category: sourceCategory,
      department: col(rec, m, 'department'), kind: m.defaults.kind, channel: m.defaults.channel, priority: m.defaults.priority, status,
      tier: category ? category.tier : 'block', text: col(rec, m, 'text'), lon, lat, version_id: block.versionId, block_code: block.code,
      community_code: block.community_code, subdistrict_code: block.subdistrict_code,
      unit_id: category ? ctx.unitId(category, block.subdistrict_code) : null, reported_at: created,
      // A source records when a case came in (受理); one it shows as anything past a bare report was filed then.
      filed_at: status === 'reported' || status === 'rejected' ? null : created,
      resolved_at: resolvedAt, closed_at: isClosed ? closed : null, due_at: dueAt, warn_at: warnAt,
      verify_due_at: resolvedAt === null ? null : verifyDueAt(resolvedAt, ctx.calendar),
    },
  };
}
