/**
 * Bulk read of an event window into column arrays (for the binary event columns, not for JSON lists).
 *
 * One prepared statement per filter shape. Rows reach JavaScript as the arguments of a SQL aggregate function that
 * writes them into typed arrays growing by doubling, so no object is made per row (`.raw().iterate()` makes a row
 * array and an iterator result per row, and is ~3× slower here). Status, urgency, overdue and the category come out
 * of SQL as small integers, so no string crosses either. Rows are in (reported_at, id) order, so the same window
 * always gives the same bytes.
 */
import type { Db } from '../database.ts';
import { CLOCK_STATUSES, OPEN_STATUSES, sqlStatusList, STATUSES, type Status } from '../../contract/statuses.ts';
import { placeholders, statementCache } from './statements.ts';
import { bboxClause } from './bbox.ts';

export interface EventWindowFilter {
  /** Inclusive lower bound on reported_at (epoch ms). */
  from: number;
  /** Exclusive upper bound on reported_at. */
  to: number;
  /** Match any of: these statuses, any open status, or open and past due at `now`. */
  status?: { statuses: Status[]; open: boolean; overdue: boolean };
  bbox?: [number, number, number, number];
  /** The instant for the overdue flag and filter. */
  now: number;
  /** Read at most this many rows; `truncated` tells whether more matched. */
  limit: number;
}

/** The window as columns; index i of every array is one event. Arrays may be longer than `count`. */
export interface EventWindow {
  count: number;
  /** More rows matched than `limit`. */
  truncated: boolean;
  /** Category codes in code order; `category[i]` indexes it. */
  categories: string[];
  /** The schema's statuses; `status[i]` indexes it. */
  statuses: readonly Status[];
  id: Float64Array;
  lon: Float64Array;
  lat: Float64Array;
  reportedAt: Float64Array;
  category: Uint16Array;
  status: Uint8Array;
  /** Bit 0: urgent priority; bit 1: open and past due at `now`. */
  flags: Uint8Array;
}

/** Flag bits of EventWindow.flags. */
export const WINDOW_URGENT = 1;
export const WINDOW_OVERDUE = 2;

const INITIAL_CAPACITY = 1 << 14;

const STATUS_INDEX_SQL = `CASE e.status ${STATUSES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} ELSE 255 END`;
const OPEN_SQL = `e.status IN (${sqlStatusList(OPEN_STATUSES)})`;
/** Open with the clock running: only these can be overdue (a suspended case is not). */
const CLOCK_SQL = `e.status IN (${sqlStatusList(CLOCK_STATUSES)})`;

interface Collector {
  cap: number;
  n: number;
  /** Rows came out of (reported_at, id) order (a plan that used another index). */
  unordered: boolean;
  id: Float64Array;
  lon: Float64Array;
  lat: Float64Array;
  reportedAt: Float64Array;
  category: Uint16Array;
  status: Uint8Array;
  flags: Uint8Array;
}

function collector(cap: number): Collector {
  return {
    cap,
    n: 0,
    unordered: false,
    id: new Float64Array(cap),
    lon: new Float64Array(cap),
    lat: new Float64Array(cap),
    reportedAt: new Float64Array(cap),
    category: new Uint16Array(cap),
    status: new Uint8Array(cap),
    flags: new Uint8Array(cap),
  };
}

function grow<T extends Float64Array | Uint16Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/** The aggregate's step: one row into the typed arrays. `category` arrives as categories.rowid. */
function collect(
  c: Collector, rowToIndex: Int32Array, id: number, lon: number, lat: number, at: number, categoryRowid: number, status: number, flags: number,
): Collector {
  let n = c.n;
  if (n === c.cap) {
    const cap = (c.cap *= 2);
    (c.id = grow(c.id, cap)), (c.lon = grow(c.lon, cap)), (c.lat = grow(c.lat, cap)), (c.reportedAt = grow(c.reportedAt, cap));
    (c.category = grow(c.category, cap)), (c.status = grow(c.status, cap)), (c.flags = grow(c.flags, cap));
  }
  if (n > 0 && (at < c.reportedAt[n - 1] || (at === c.reportedAt[n - 1] && id < c.id[n - 1]))) c.unordered = true;
  c.id[n] = id;
  c.lon[n] = lon;
  c.lat[n] = lat;
  c.reportedAt[n] = at;
  c.category[n] = rowToIndex[categoryRowid];
  c.status[n] = status;
  c.flags[n] = flags;
  c.n = n + 1;
  return c;
}

/** Puts the first n rows into (reportedAt, id) order, in place. */
function sortRows(c: Collector): void {
  const n = c.n;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => c.reportedAt[a] - c.reportedAt[b] || c.id[a] - c.id[b]);
  for (const key of ['id', 'lon', 'lat', 'reportedAt', 'category', 'status', 'flags'] as const) {
    const src = c[key].slice(0, n);
    const dst = c[key];
    for (let i = 0; i < n; i++) dst[i] = src[order[i]];
  }
}

export function eventWindowQueries(db: Db) {
  const prepare = statementCache(db);
  const inBbox = bboxClause(db);
  const categoryRows = db.prepare<[], { rowid: number; code: string }>(`SELECT rowid, code FROM categories ORDER BY code`);

  // Rows reach JavaScript as the arguments of an aggregate function, written straight into typed arrays: no row
  // array, no iterator result and no string per row. On 1,000,000 rows this reads in about a third of the time of
  // `.raw().iterate()` (measured 1.4 s against 3.9 s on a busy 2-core machine; SQLite's own scan is ~0.45 s).
  // better-sqlite3 runs one statement at a time on a connection, so one pending collector is enough.
  let pending: { c: Collector; rowToIndex: Int32Array } | null = null;
  let done: Collector | null = null;
  db.aggregate('gezhi_window_collect', {
    start: () => {
      if (!pending) throw new Error('gezhi_window_collect is only for eventWindowQueries.read');
      return pending.c;
    },
    step: (c: Collector, id: number, lon: number, lat: number, at: number, cat: number, status: number, flags: number) =>
      collect(c, pending!.rowToIndex, id, lon, lat, at, cat, status, flags),
    result: (c: Collector) => {
      done = c;
      return c.n;
    },
  } as Parameters<Db['aggregate']>[1]);

  function where(f: EventWindowFilter): [sql: string, args: (string | number)[]] {
    const clauses = ['e.reported_at >= ?', 'e.reported_at < ?'];
    const args: (string | number)[] = [f.from, f.to];
    if (f.status) {
      const any: string[] = [];
      if (f.status.statuses.length) (any.push(`e.status IN (${placeholders(f.status.statuses.length)})`), args.push(...f.status.statuses));
      if (f.status.open) any.push(OPEN_SQL);
      else if (f.status.overdue) (any.push(`(${CLOCK_SQL} AND e.due_at < ?)`), args.push(f.now));
      clauses.push(`(${any.join(' OR ')})`);
    }
    if (f.bbox) {
      const box = inBbox(f.bbox);
      clauses.push(box.sql);
      args.push(...box.args);
    }
    return [clauses.join(' AND '), args];
  }

  return {
    /** The window's events as columns, oldest first, at most `limit` of them. */
    read(f: EventWindowFilter): EventWindow {
      const cats = categoryRows.all();
      const rowToIndex = new Int32Array(Math.max(0, ...cats.map((r) => r.rowid)) + 1).fill(-1);
      cats.forEach((r, i) => (rowToIndex[r.rowid] = i));
      const [whereSql, args] = where(f);
      const stmt = prepare(
        `SELECT gezhi_window_collect(id, lon, lat, reported_at, cat, st, fl) FROM (
           SELECT e.id, e.lon, e.lat, e.reported_at, c.rowid AS cat, ${STATUS_INDEX_SQL} AS st,
                  (e.priority = 'urgent') | ((${CLOCK_SQL} AND e.due_at < ?) << 1) AS fl
             FROM events e JOIN categories c ON c.code = e.category_code
            WHERE ${whereSql} ORDER BY e.reported_at, e.id LIMIT ?)`,
      ).pluck();
      pending = { c: collector(Math.min(INITIAL_CAPACITY, f.limit + 1)), rowToIndex };
      done = null;
      try {
        stmt.get(f.now, ...args, f.limit + 1);
      } finally {
        pending = null;
      }
      const c = done as Collector | null;
      if (!c) throw new Error('the window aggregate returned no result');
      if (c.unordered) sortRows(c);
      const truncated = c.n > f.limit;
      return {
        count: truncated ? f.limit : c.n,
        truncated,
        categories: cats.map((r) => r.code),
        statuses: STATUSES,
        id: c.id,
        lon: c.lon,
        lat: c.lat,
        reportedAt: c.reportedAt,
        category: c.category,
        status: c.status,
        flags: c.flags,
      };
    },
  };
}

export type EventWindowQueries = ReturnType<typeof eventWindowQueries>;
