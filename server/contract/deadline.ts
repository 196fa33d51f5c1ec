/**
 * due_at of a case without a deadline: imported from a system that recorded none, in a category the taxonomy does
 * not map. The largest instant a Date can hold, so range conditions on due_at (overdue, due in a period, escalation
 * sweeps) never reach it while the column stays NOT NULL; on-time figures leave such cases out (domain/on-time.ts),
 * and presenters show no deadline rather than this instant.
 */
export const NO_DEADLINE = 8_640_000_000_000_000;

export const hasDeadline = (dueAt: number): boolean => dueAt < NO_DEADLINE;
