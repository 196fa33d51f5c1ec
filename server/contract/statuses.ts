/**
 * The statuses of a case and what they mean, in one place for the server (SQL, rules, KPIs) and the web app (wall,
 * console, map colours). The loop: reported → filed → dispatched → accepted → arrived → resolved → closed →
 * evaluated, or reported → rejected.
 *
 * - open: work is still owed. `resolved` is open: the handler says it is done, but a supervisor has not verified
 *   and closed it yet (verification may send it back as rework), so it stays on the wall and in the open counts.
 * - finished: nothing more happens (rejected, closed, evaluated, voided).
 * - paused: suspended (挂账) cases are open but their clock is stopped; resuming returns them where they were.
 * - KPIs: "open" and "overdue" count open cases; "closed" (结案) counts cases closed, whether evaluated since or not.
 */
// New statuses go at the end: the binary event codec numbers statuses by their place here.
export const STATUSES = [
  'reported', 'filed', 'rejected', 'dispatched', 'accepted', 'arrived', 'resolved', 'closed', 'evaluated',
  'suspended', 'voided',
] as const;
export type Status = (typeof STATUSES)[number];

/**
 * After these nothing more happens; `voided` (作废·撤件) is finished without being closed. The order is the partial
 * indexes' (sqlStatusNone): keep it.
 */
export const FINISHED_STATUSES: readonly Status[] = ['rejected', 'closed', 'evaluated', 'voided'];
/** Open, but the working-time clock is stopped (挂账·缓办): never overdue, not swept, off the countdowns. */
export const PAUSED_STATUSES: readonly Status[] = ['suspended'];
/** Not on the clock: finished or paused (the order is the partial indexes'). */
export const OFF_CLOCK_STATUSES: readonly Status[] = [...FINISHED_STATUSES, ...PAUSED_STATUSES];
/** Open with the clock running: the only cases that can be overdue or warned, and the ones the countdowns show. */
export const CLOCK_STATUSES: readonly Status[] = STATUSES.filter((s) => !OFF_CLOCK_STATUSES.includes(s));
/** Not swept for 预警 / 处置超期: off the clock, or resolved (then lateness is the verifier's, 核查超期). */
export const NOT_HANDLING_STATUSES: readonly Status[] = [...OFF_CLOCK_STATUSES, 'resolved'];
/** Swept for 预警 and 处置超期: on the clock and not yet resolved — the handler's time. */
export const HANDLING_STATUSES: readonly Status[] = STATUSES.filter((s) => !NOT_HANDLING_STATUSES.includes(s));
/** Where a case may be suspended from, and so where resuming may return it. */
export const SUSPENDABLE_STATUSES: readonly Status[] = ['filed', 'dispatched', 'accepted', 'arrived'];
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
/** Not cases for the on-time figures (domain/on-time.ts): a report refused at filing, a case voided (作废) after it. */
export const NOT_A_CASE_STATUSES: readonly Status[] = ['rejected', 'voided'];

const FINISHED_SET: ReadonlySet<string> = new Set(FINISHED_STATUSES);

export const isStatus = (s: string): s is Status => (STATUSES as readonly string[]).includes(s);
export const isFinishedStatus = (s: string): boolean => FINISHED_SET.has(s);
/** Open: a known status that is not finished. */
export const isOpenStatus = (s: string): boolean => isStatus(s) && !FINISHED_SET.has(s);
/** Open and on the clock (not suspended). */
export const isClockStatus = (s: string): boolean => (CLOCK_STATUSES as readonly string[]).includes(s);

/** A status list as SQL text (`'a', 'b'`), for conditions that must be spelled out (partial indexes). */
export const sqlStatusList = (statuses: readonly Status[]): string => statuses.map((s) => `'${s}'`).join(', ');

/**
 * `column <> 'a' AND column <> 'b' …`: "in none of these statuses" as the partial indexes on events say it (schema
 * v18). SQLite builds a constant IN list afresh each time it tests a row against a partial index's condition (every
 * insert, every update, every row of an index build): `status NOT IN (…)` there cost ~1 µs per row and index, and a
 * million-row import's three rebuilt indexes 0.7–1.1 s each against 0.3 s. A query that must use such an index
 * states the same terms (SQLite matches them term by term).
 */
export const sqlStatusNone = (column: string, statuses: readonly Status[]): string =>
  statuses.map((s) => `${column} <> '${s}'`).join(' AND ');

/**
 * Channels whose reports are checked on site (核实) before they are filed: the 12345 hotline and walk-ins are told
 * by residents away from the place, so someone must see it first. Patrol reports come from staff on the spot, the
 * collaborative-office app is the staff's own, and 民情恳谈 matters are raised before the block team; suggestions
 * (建议) have nothing on site to check.
 */
export const VERIFY_CHANNELS: readonly string[] = ['hotline', 'walk-in'];
export const needsReportVerification = (channel: string | undefined, kind: string | undefined): boolean =>
  channel !== undefined && VERIFY_CHANNELS.includes(channel) && kind !== 'suggestion';
