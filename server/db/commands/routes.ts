/**
 * Named write commands for dispatch routes (event_routes), each statement prepared once per connection. Callers
 * run them inside their own transaction together with the change they belong to.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../database.ts';

export interface NewRouteRow {
  event_id: number;
  staff_id: number;
  created_at: number;
  eta_s: number;
  distance_m: number;
  /** GeoJSON LineString text. */
  geometry: string;
  /** JSON array text: seconds from created_at at each vertex. */
  times: string;
}

export type RouteStatus = 'active' | 'arrived' | 'cancelled';

interface Statements {
  insert: Statement<NewRouteRow>;
  settle: Statement<{ event: number; status: RouteStatus }>;
}

const cache = new WeakMap<Db, Statements>();

function statements(db: Db): Statements {
  let st = cache.get(db);
  if (!st) {
    st = {
      insert: db.prepare<NewRouteRow>(
        `INSERT INTO event_routes (event_id, staff_id, created_at, eta_s, distance_m, geometry, times, status)
         VALUES (@event_id, @staff_id, @created_at, @eta_s, @distance_m, @geometry, @times, 'active')`,
      ),
      // event_routes_event narrows to the case's few rows
      settle: db.prepare<{ event: number; status: RouteStatus }>(
        `UPDATE event_routes SET status = @status WHERE event_id = @event AND status = 'active'`,
      ),
    };
    cache.set(db, st);
  }
  return st;
}

export function routeCommands(db: Db) {
  const st = statements(db);
  return {
    /** Inserts an active route; returns its id. */
    insert: (r: NewRouteRow): number => Number(st.insert.run(r).lastInsertRowid),
    /** Marks the case's active route(s) arrived or cancelled; returns how many changed. */
    settle: (eventId: number, status: Exclude<RouteStatus, 'active'>): number => st.settle.run({ event: eventId, status }).changes,
  };
}

export type RouteCommands = ReturnType<typeof routeCommands>;
