/**
 * The statuses of a case and what they mean, in one place for the server (SQL, rules, KPIs) and the web app (wall,
 * console, map colours). The loop: reported → filed → dispatched → accepted → arrived → resolved → closed →
 * evaluated, or reported → rejected.
 *
 * - open: work is still owed. `resolved` is open: the handler says it is done, but a supervisor has not verified
 *   and closed it yet (verification may send it back as rework), so it stays on the wall and in the open counts.
 * - finished: nothing more happens (rejected, closed, evaluated).
 * - KPIs: "open" and "overdue" count open cases; "closed" (结案) counts cases closed, whether evaluated since or not.
 */
export const STATUSES = [
  'reported', 'filed', 'rejected', 'dispatched', 'accepted', 'arrived', 'resolved', 'closed', 'evaluated',
] as const;
export type Status = (typeof STATUSES)[number];

/** After these nothing more happens. The order is the partial indexes' (`status NOT IN (…)`): keep it. */
export const FINISHED_STATUSES: readonly Status[] = ['rejected', 'closed', 'evaluated'];
/** Every other status: work is still owed (`resolved` included, until a supervisor closes the case). */
export const OPEN_STATUSES: readonly Status[] = STATUSES.filter((s) => !FINISHED_STATUSES.includes(s));
/** Work under way: the assignee may ask for an extension, escalation applies. */
export const IN_PROGRESS_STATUSES: readonly Status[] = ['dispatched', 'accepted', 'arrived'];
/** Waiting for the dispatcher: new reports and filed (or returned) cases. */
export const QUEUE_STATUSES: readonly Status[] = ['reported', 'filed'];
/** A responder is on the way: the dispatch route is drawn while the case is in one of these. */
export const EN_ROUTE_STATUSES: readonly Status[] = ['dispatched', 'accepted'];
/** Counted as closed (结案) by the closure indicators. */
export const CLOSED_STATUSES: readonly Status[] = ['closed', 'evaluated'];

const FINISHED_SET: ReadonlySet<string> = new Set(FINISHED_STATUSES);

export const isStatus = (s: string): s is Status => (STATUSES as readonly string[]).includes(s);
export const isFinishedStatus = (s: string): boolean => FINISHED_SET.has(s);
/** Open: a known status that is not finished. */
export const isOpenStatus = (s: string): boolean => isStatus(s) && !FINISHED_SET.has(s);

/** A status list as SQL text (`'a', 'b'`), for conditions that must be spelled out (partial indexes). */
export const sqlStatusList = (statuses: readonly Status[]): string => statuses.map((s) => `'${s}'`).join(', ');
