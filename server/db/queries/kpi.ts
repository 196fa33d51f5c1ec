/**
 * Today's key figures for the wall and the live stream's kpi.tick, each one indexed aggregate (no rows leave
 * SQLite): reports and the median response are ranges on reported_at/accepted_at, overdue and open use the partial
 * index (status, due_at). "Today" is the Asia/Shanghai calendar day containing `now`.
 *
 * The ranges on dispatched_at, accepted_at and closed_at use the partial indexes of migration v4
 * (events_dispatched_at / events_accepted_at / events_closed_at, the last covering due_at for the on-time count).
 */
import type { Db } from '../database.ts';
import { SHANGHAI_OFFSET_MS } from '../../time.ts';
import { OPEN_STATUSES, sqlStatusList, STATUSES } from '../../contract/statuses.ts';
import { onTimeSql } from './on-time-sql.ts';

const DAY = 86_400_000;

export interface TodayKpi {
  /** Start of today in Asia/Shanghai (epoch ms, inclusive) and the moment measured (exclusive upper bound). */
  dayStart: number;
  now: number;
  /** Reports received today. */
  reports: number;
  /** Cases dispatched today. */
  dispatched: number;
  /** Cases closed today (whether evaluated since or not). */
  closed: number;
  /** Cases due today whose on-time outcome is known (domain/on-time.ts): closed, or late on either clock. */
  dueDecided: number;
  /** Of those, closed on time (处置按期 and 核查按期). */
  dueOnTime: number;
  /** 按期结案率 (domain/on-time.ts): dueOnTime / dueDecided; null when no case due today is decided yet. */
  onTimeClosureRate: number | null;
  /** Open cases past their due time now. */
  overdue: number;
  /** Open cases now. */
  open: number;
  /** Cases accepted today. */
  accepted: number;
  /** Median of (accepted_at − reported_at) over cases accepted today (ms); null when none. */
  medianResponseMs: number | null;
}

/** Epoch ms of 00:00 Asia/Shanghai on the day containing `t`. */
export function shanghaiDayStart(t: number): number {
  return Math.floor((t + SHANGHAI_OFFSET_MS) / DAY) * DAY - SHANGHAI_OFFSET_MS;
}

export function kpiQueries(db: Db) {
  const reports = db.prepare<[number, number], { n: number }>(
    'SELECT count(*) AS n FROM events WHERE reported_at >= ? AND reported_at < ?',
  );
  const dispatched = db.prepare<[number, number], { n: number }>(
    'SELECT count(*) AS n FROM events WHERE dispatched_at >= ? AND dispatched_at < ?',
  );
  const closed = db.prepare<[number, number], { n: number }>(
    'SELECT count(*) AS n FROM events WHERE closed_at >= ? AND closed_at < ?',
  );
  // 按期结案率 over the cases due today: one range seek per status into events_status_due (status, due_at).
  const rule = onTimeSql('e', '@now');
  const dueToday = db.prepare<{ from: number; to: number; now: number }, { decided: number | null; onTime: number | null }>(
    `SELECT sum(${rule.decided}) AS decided, sum(${rule.closedOnTime}) AS onTime FROM events e
      WHERE e.status IN (${sqlStatusList(STATUSES)}) AND e.due_at >= @from AND e.due_at < @to`,
  );
  // Six seeks into the covering index events_status_due (status, due_at).
  const open = db.prepare<[number], { n: number; overdue: number | null }>(
    `SELECT count(*) AS n, sum(due_at < ?) AS overdue FROM events WHERE status IN (${sqlStatusList(OPEN_STATUSES)})`,
  );
  const accepted = db.prepare<[number, number], { n: number }>(
    'SELECT count(*) AS n FROM events WHERE accepted_at >= ? AND accepted_at < ?',
  );
  // The median as the middle row(s) of the sorted differences: SQLite sorts today's few rows, JS gets one or two.
  const responseAt = db.prepare<[number, number, number, number], { d: number }>(
    `SELECT accepted_at - reported_at AS d FROM events WHERE accepted_at >= ? AND accepted_at < ?
     ORDER BY d LIMIT ? OFFSET ?`,
  );

  return {
    today(now: number): TodayKpi {
      const dayStart = shanghaiDayStart(now);
      const end = now + 1; // "so far today", including this millisecond
      return db.transaction((): TodayKpi => {
        const c = closed.get(dayStart, end)!;
        const d = dueToday.get({ from: dayStart, to: dayStart + DAY, now })!;
        const o = open.get(now)!;
        const a = accepted.get(dayStart, end)!.n;
        let medianResponseMs: number | null = null;
        if (a > 0) {
          const mid = responseAt.all(dayStart, end, a % 2 ? 1 : 2, (a - 1) >> 1).map((r) => r.d);
          medianResponseMs = mid.length === 2 ? (mid[0] + mid[1]) / 2 : mid[0];
        }
        return {
          dayStart,
          now,
          reports: reports.get(dayStart, end)!.n,
          dispatched: dispatched.get(dayStart, end)!.n,
          closed: c.n,
          dueDecided: d.decided ?? 0,
          dueOnTime: d.onTime ?? 0,
          onTimeClosureRate: d.decided ? (d.onTime ?? 0) / d.decided : null,
          overdue: o.overdue ?? 0,
          open: o.n,
          accepted: a,
          medianResponseMs,
        };
      })();
    },
  };
}

export type KpiQueries = ReturnType<typeof kpiQueries>;
