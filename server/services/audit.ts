/**
 * The audit trail of every write: who (account, staff), when, from which address, what (action and target) and a
 * summary of before and after. `record` is called inside the transaction of the write it records, so the two commit
 * or fail together. Rows cannot be changed or deleted (the table's triggers refuse).
 */
import { auditCommands, type AuditFilter, type AuditRow } from '../db/commands/audit.ts';
import type { Db } from '../db/database.ts';
import { callerName, type Caller } from '../domain/principal.ts';

/** What a row says: an action such as 'event.transition', its target ('event:12') and the two summaries. */
export interface AuditEntry {
  action: string;
  target?: string;
  before?: unknown;
  after?: unknown;
}

const summary = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v).slice(0, 4000));

export function createAudit(db: Db, now: () => number = Date.now) {
  const cmd = auditCommands(db);
  return {
    /** Appends one row; call inside the write's transaction. */
    record(caller: Caller, entry: AuditEntry, at = now()): number {
      return cmd.insert({
        at,
        account_id: caller.principal?.accountId ?? null,
        actor: callerName(caller),
        staff_id: caller.principal?.staffId ?? null,
        ip: caller.ip,
        action: entry.action,
        target: entry.target ?? '',
        before: summary(entry.before),
        after: summary(entry.after),
      });
    },
    list: (f: AuditFilter): AuditRow[] => cmd.list(f),
  };
}

export type Audit = ReturnType<typeof createAudit>;
