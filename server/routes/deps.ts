import type { Queries } from '../db/queries/index.ts';

/** What every route module gets from createApp: the named queries and the clock. */
export interface RouteDeps {
  q: Queries;
  now: () => number;
}
