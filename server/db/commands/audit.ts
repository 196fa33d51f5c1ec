/**
 * The audit log: one INSERT, and the filtered read for GET /api/audit. The table refuses UPDATE and DELETE
 * (triggers of migration 12), so a row once written stays as it was.
 */
import type { Db } from '../database.ts';

export interface AuditRow {
  id: number;
  at: number;
  account_id: number | null;
  actor: string;
  staff_id: number | null;
  ip: string;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
}

export interface AuditFilter {
  from?: number;
  to?: number;
  /** An action, or a prefix ending in '.' (e.g. 'event.'). */
  action?: string;
  accountId?: number;
  target?: string;
  /** Rows with an id below this (keyset pages, newest first). */
  beforeId?: number;
  limit: number;
}

export function auditCommands(db: Db) {
  const insert = db.prepare(
    `INSERT INTO audit_log (at, account_id, actor, staff_id, ip, action, target, before, after)
     VALUES (@at, @account_id, @actor, @staff_id, @ip, @action, @target, @before, @after)`,
  );
  return {
    insert: (r: Omit<AuditRow, 'id'>): number => Number(insert.run(r).lastInsertRowid),
    list(f: AuditFilter): AuditRow[] {
      const where: string[] = [];
      const args: Record<string, unknown> = { limit: f.limit };
      if (f.from !== undefined) (where.push('at >= @from'), (args.from = f.from));
      if (f.to !== undefined) (where.push('at < @to'), (args.to = f.to));
      if (f.action !== undefined) {
        if (f.action.endsWith('.')) (where.push("action LIKE @action || '%'"), (args.action = f.action));
        else (where.push('action = @action'), (args.action = f.action));
      }
      if (f.accountId !== undefined) (where.push('account_id = @account'), (args.account = f.accountId));
      if (f.target !== undefined) (where.push('target = @target'), (args.target = f.target));
      if (f.beforeId !== undefined) (where.push('id < @before'), (args.before = f.beforeId));
      const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
      return db.prepare<Record<string, unknown>, AuditRow>(sql).all(args);
    },
  };
}

export type AuditCommands = ReturnType<typeof auditCommands>;
