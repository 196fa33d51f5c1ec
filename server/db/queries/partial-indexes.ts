/**
 * Conditions of the partial indexes on events (schema v18) that queries in more than one module must state: SQLite
 * uses a partial index only for a WHERE that says the index's own terms, so those queries take them from here.
 */
import { FINISHED_STATUSES, sqlStatusNone } from '../../contract/statuses.ts';

/** events_open_assignee: assigned cases not yet finished (the open loads of staff). */
export const OPEN_ASSIGNED_WHERE = `assignee_id IS NOT NULL AND ${sqlStatusNone('status', FINISHED_STATUSES)}`;
