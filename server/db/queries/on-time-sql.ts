/**
 * The SQL spelling of server/domain/on-time.ts's rules, for aggregates that must not ship rows out of SQLite. The
 * rules themselves (and why) are documented there; tests/unit/on-time.test.ts holds this spelling to the same answers
 * as the pure functions on a hand-built set of cases. `e` is the events table's alias, `now` an SQL expression (a
 * bound parameter such as `@now` or `?`).
 */
import { NO_DEADLINE } from '../../contract/deadline.ts';
import { NOT_A_CASE_STATUSES, PAUSED_STATUSES, sqlStatusList } from '../../contract/statuses.ts';

export function onTimeSql(e = 'e', now = '@now') {
  // A suspended case (挂账) has its clock stopped: not late while paused (resuming moves due_at by the pause).
  const handlingLate = `${e}.status NOT IN (${sqlStatusList(PAUSED_STATUSES)}) AND coalesce(${e}.resolved_at, ${now}) > ${e}.due_at`;
  const handlingOnTime = `(${e}.resolved_at IS NOT NULL AND ${e}.resolved_at <= ${e}.due_at AND ${e}.due_at < ${NO_DEADLINE})`;
  const verificationLate = `(${e}.resolved_at IS NOT NULL AND ${e}.verify_due_at IS NOT NULL AND coalesce(${e}.closed_at, ${now}) > ${e}.verify_due_at)`;
  const verificationOnTime = `(${e}.resolved_at IS NOT NULL AND ${e}.closed_at IS NOT NULL AND ${e}.verify_due_at IS NOT NULL AND ${e}.closed_at <= ${e}.verify_due_at)`;
  // A case without a deadline (NO_DEADLINE) is never decided, on either clock.
  const isCase = `(${e}.status NOT IN (${sqlStatusList(NOT_A_CASE_STATUSES)}) AND ${e}.due_at < ${NO_DEADLINE})`;
  const closedOnTime = `(${isCase} AND ${handlingOnTime} AND ${verificationOnTime})`;
  const closedLate = `(${isCase} AND (${handlingLate} OR ${verificationLate}))`;
  return {
    /** 处置超期: resolved after due_at, or unresolved past it. */
    handlingLate: `(${handlingLate})`,
    handlingOnTime,
    /** 核查超期: closed after verify_due_at, or resolved, unclosed and past it. */
    verificationLate,
    verificationOnTime,
    /** 按期结案. */
    closedOnTime,
    /** Decided and not closed on time (late on either clock). */
    closedLate,
    /** Counted in 按期结案率's denominator: the outcome is known. */
    decided: `(${closedOnTime} OR ${closedLate})`,
  };
}
