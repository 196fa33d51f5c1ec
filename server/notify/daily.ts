/**
 * The daily digest (每日汇总) of each channel that has a digest time: once per working day of the calendar (no
 * digest on a weekend or holiday, one on a 调休 make-up Saturday), at or after its HH:MM in Asia/Shanghai, the
 * figures of the channel's scope. The row's dedupe key (digest:YYYY-MM-DD) makes it once per channel and day, however
 * often the worker checks or restarts; a server that was down at the hour sends it when it comes back that day.
 */
import { OPEN_STATUSES, PAUSED_STATUSES, sqlStatusList } from '../contract/statuses.ts';
import type { Db } from '../db/database.ts';
import { DEFAULT_CALENDAR, localDayNumber, localDayOf, localMidnight, type WorkCalendar } from '../domain/working-time.ts';
import type { ChannelRow } from './channels.ts';
import { enqueueForChannel } from './outbox.ts';
import type { DigestFacts } from './render.ts';

const OPEN = sqlStatusList(OPEN_STATUSES);
const PAUSED = sqlStatusList(PAUSED_STATUSES);

function scopeClause(ch: ChannelRow): { sql: string; arg: string | number | null } {
  switch (ch.scope) {
    case 'subdistrict': return { sql: 'e.subdistrict_code = ?', arg: ch.scope_code };
    case 'block': return { sql: 'e.block_code = ?', arg: ch.scope_code };
    case 'unit': return { sql: 'e.unit_id = ?', arg: Number(ch.scope_code) };
    default: return { sql: '1 = 1', arg: null };
  }
}

function scopeName(db: Db, ch: ChannelRow): string {
  if (ch.scope === 'unit') {
    const u = db.prepare('SELECT u.name, a.name AS sub FROM units u JOIN areas a ON a.code = u.subdistrict_code WHERE u.id = ?')
      .get(Number(ch.scope_code)) as { name: string; sub: string } | undefined;
    return u ? `${u.sub} ${u.name}` : ch.name;
  }
  if (ch.scope === 'block') {
    const b = db.prepare('SELECT name FROM blocks WHERE code = ? ORDER BY version_id DESC LIMIT 1').get(ch.scope_code) as { name: string } | undefined;
    return b ? `区块 ${b.name}` : ch.name;
  }
  const a = db.prepare('SELECT name FROM areas WHERE code = ?').get(ch.scope_code) as { name: string } | undefined;
  return a?.name ?? ch.name;
}

/** The figures of a channel's scope at `now` for the local day it falls on. */
export function digestFacts(db: Db, ch: ChannelRow, now: number, calendar: WorkCalendar = DEFAULT_CALENDAR): DigestFacts {
  const dayNo = localDayNumber(now, calendar);
  const start = localMidnight(dayNo, calendar);
  const end = localMidnight(dayNo + 1, calendar);
  const { sql, arg } = scopeClause(ch);
  const args = arg === null ? [] : [arg];
  const f = db.prepare(`SELECT
      count(*) FILTER (WHERE e.status IN (${OPEN})) AS open,
      count(*) FILTER (WHERE e.status IN (${OPEN}) AND e.status NOT IN (${PAUSED}) AND e.due_at < @now) AS overdue,
      count(*) FILTER (WHERE e.status IN (${OPEN}) AND e.status NOT IN (${PAUSED}) AND e.warned_at IS NOT NULL AND e.due_at >= @now) AS warned,
      count(*) FILTER (WHERE e.status IN (${OPEN}) AND e.status NOT IN (${PAUSED}) AND e.due_at >= @now AND e.due_at < @end) AS dueToday,
      count(*) FILTER (WHERE e.reported_at >= @start AND e.reported_at < @end) AS reportedToday,
      count(*) FILTER (WHERE e.closed_at >= @start AND e.closed_at < @end) AS closedToday
    FROM events e WHERE ${sql.replace('?', '@arg')}`).get({ now, start, end, ...(args.length ? { arg: args[0] } : {}) }) as Record<string, number>;
  const worst = db.prepare(`SELECT e.id, e.case_no, c.name AS category, e.due_at,
        coalesce(sd.name, '') || ' · ' || coalesce(b.name, e.block_code) AS place
      FROM events e JOIN categories c ON c.code = e.category_code
      LEFT JOIN areas sd ON sd.code = e.subdistrict_code
      LEFT JOIN blocks b ON b.version_id = e.version_id AND b.code = e.block_code
      WHERE ${sql} AND e.status IN (${OPEN}) AND e.status NOT IN (${PAUSED}) AND e.due_at < ?
      ORDER BY e.due_at LIMIT 5`).all(...args, now) as { id: number; case_no: string; category: string; due_at: number; place: string }[];
  const d = localDayOf(dayNo);
  return {
    kind: 'digest', scopeName: scopeName(db, ch), day: d.iso, at: now,
    open: f.open ?? 0, overdue: f.overdue ?? 0, warned: f.warned ?? 0, dueToday: f.dueToday ?? 0,
    reportedToday: f.reportedToday ?? 0, closedToday: f.closedToday ?? 0,
    worst: worst.map((w) => ({ eventId: w.id, caseNo: w.case_no, category: w.category, place: w.place, dueAt: w.due_at })),
  };
}

/**
 * Writes today's digest for every channel whose time has come (working days only); returns the new rows' ids.
 */
export function enqueueDueDigests(db: Db, channels: readonly ChannelRow[], now: number, calendar: WorkCalendar = DEFAULT_CALENDAR): number[] {
  const dayNo = localDayNumber(now, calendar);
  const day = localDayOf(dayNo);
  const working = calendar.isWorkingDayNumber ? calendar.isWorkingDayNumber(dayNo) : calendar.isWorkingDay(day);
  if (!working) return [];
  const minuteOfDay = Math.floor((now - localMidnight(dayNo, calendar)) / 60_000);
  const out: number[] = [];
  const made = db.prepare<{ channel: number; key: string }, { one: number }>(
    'SELECT 1 AS one FROM notifications WHERE channel_id = @channel AND dedupe_key = @key');
  for (const ch of channels) {
    if (!ch.digest_at || !ch.enabled) continue;
    if (ch.kinds !== '' && !ch.kinds.split(',').includes('digest')) continue;
    const [h, m] = ch.digest_at.split(':').map(Number);
    if (minuteOfDay < h * 60 + m) continue;
    const key = `digest:${day.iso}`;
    if (made.get({ channel: ch.id, key })) continue; // already today's: the figures are not read again
    const id = db.transaction(() => enqueueForChannel(db, ch.id, 'digest', digestFacts(db, ch, now, calendar), now, key)).immediate();
    if (id !== null) out.push(id);
  }
  return out;
}
