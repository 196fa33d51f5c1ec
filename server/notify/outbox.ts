/**
 * The notification outbox. Writers call `enqueueCaseNotice` inside the transaction of the change it announces (as
 * they call appendLiveMessage): one row per channel whose scope holds the case and whose kinds take the message, with
 * the facts the message will say, read in that same transaction. Nothing is written when no channel matches, and
 * the facts are read only when one does.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.ts';
import type { CaseFacts, CaseNoticeFacts, NotificationFacts, NotificationKind } from './render.ts';

export interface CaseNotice {
  kind: CaseNoticeFacts['kind'];
  eventId: number;
  transition: string;
  at: number;
  reason?: string | null;
  route?: { etaSeconds: number; distanceMetres: number } | null;
  verifyDueAt?: number | null;
}

/** Where the case is after the change (the caller has it; saves a read). */
export interface CaseWhere {
  subdistrictCode: string;
  blockCode: string;
  unitId: number | null;
}

interface Statements {
  match: Statement<{ sub: string; block: string; unit: string; district: string }, { id: number; kinds: string }>;
  facts: Statement<[number], FactsRow>;
  insert: Statement<{ channel: number; kind: string; event: number | null; at: number; facts: string; dedupe: string | null }>;
}

interface FactsRow {
  id: number;
  case_no: string;
  text: string;
  lon: number;
  lat: number;
  due_at: number;
  tier: string;
  priority: string;
  category_code: string;
  category: string;
  block_name: string | null;
  block_code: string;
  community: string | null;
  subdistrict: string | null;
  assignee: string | null;
  assignee_phone: string | null;
  unit: string | null;
}

const statements = new WeakMap<Db, Statements>();

function prepared(db: Db): Statements {
  let st = statements.get(db);
  if (st) return st;
  st = {
    match: db.prepare(`SELECT id, kinds FROM notify_channels WHERE enabled = 1 AND (
        (scope = 'district' AND scope_code = @district) OR (scope = 'subdistrict' AND scope_code = @sub)
        OR (scope = 'block' AND scope_code = @block) OR (scope = 'unit' AND scope_code = @unit)) ORDER BY id`),
    facts: db.prepare(`SELECT e.id, e.case_no, e.text, e.lon, e.lat, e.due_at, e.tier, e.priority, e.category_code,
        c.name AS category, b.name AS block_name, e.block_code, cm.name AS community, sd.name AS subdistrict,
        s.name AS assignee, s.phone AS assignee_phone, u.name AS unit
      FROM events e JOIN categories c ON c.code = e.category_code
      LEFT JOIN blocks b ON b.version_id = e.version_id AND b.code = e.block_code
      LEFT JOIN areas cm ON cm.code = e.community_code
      LEFT JOIN areas sd ON sd.code = e.subdistrict_code
      LEFT JOIN staff s ON s.id = e.assignee_id
      LEFT JOIN units u ON u.id = e.unit_id
      WHERE e.id = ?`),
    insert: db.prepare(`INSERT INTO notifications (channel_id, kind, event_id, created_at, facts, next_at, dedupe_key)
      VALUES (@channel, @kind, @event, @at, @facts, @at, @dedupe)`),
  };
  statements.set(db, st);
  return st;
}

/** The enabled channels that take `kind` for a case in this place. */
function channelsFor(db: Db, kind: string, where: CaseWhere): number[] {
  const rows = prepared(db).match.all({
    district: where.subdistrictCode.slice(0, 6), sub: where.subdistrictCode, block: where.blockCode,
    unit: where.unitId === null ? '' : String(where.unitId),
  });
  return rows.filter((r) => r.kinds === '' || r.kinds.split(',').includes(kind)).map((r) => r.id);
}

/** The facts of a case as its messages state them. */
export function caseFacts(db: Db, eventId: number): CaseFacts | null {
  const r = prepared(db).facts.get(eventId);
  if (!r) return null;
  const place = [r.subdistrict, r.community, r.block_name ?? r.block_code].filter(Boolean).join(' · ');
  return {
    eventId: r.id, caseNo: r.case_no, category: r.category, categoryCode: r.category_code, priority: r.priority, place,
    text: r.text, lon: r.lon, lat: r.lat, dueAt: r.due_at, tier: r.tier, unit: r.unit,
    assignee: r.assignee === null ? null : { name: r.assignee, phone: r.assignee_phone ?? '' },
  };
}

/** Writes the notice's outbox rows inside the caller's transaction; returns how many (0 when no channel takes it). */
export function enqueueCaseNotice(db: Db, notice: CaseNotice, where: CaseWhere): number {
  const channels = channelsFor(db, notice.kind, where);
  if (channels.length === 0) return 0;
  const base = caseFacts(db, notice.eventId);
  if (!base) return 0;
  const facts: CaseNoticeFacts = {
    ...base, kind: notice.kind, transition: notice.transition, at: notice.at,
    ...(notice.reason !== undefined ? { reason: notice.reason } : {}),
    ...(notice.route ? { route: notice.route } : {}),
    ...(notice.verifyDueAt ? { verifyDueAt: notice.verifyDueAt } : {}),
  };
  const text = JSON.stringify(facts);
  const insert = prepared(db).insert;
  for (const channel of channels) insert.run({ channel, kind: notice.kind, event: notice.eventId, at: notice.at, facts: text, dedupe: null });
  return channels.length;
}

/**
 * Writes one row for one channel (digests); with a dedupe key, a second row with the same key for the channel is
 * not written. Returns the row id, or null when the key was used already.
 */
export function enqueueForChannel(db: Db, channelId: number, kind: NotificationKind, facts: NotificationFacts, at: number,
  dedupeKey: string | null = null, eventId: number | null = null): number | null {
  const st = prepared(db);
  if (dedupeKey !== null && db.prepare('SELECT 1 FROM notifications WHERE channel_id = ? AND dedupe_key = ?').get(channelId, dedupeKey)) return null;
  return Number(st.insert.run({ channel: channelId, kind, event: eventId, at, facts: JSON.stringify(facts), dedupe: dedupeKey }).lastInsertRowid);
}
